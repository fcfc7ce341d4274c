import AdapterKit
import Executor

/// The authorize page's URL for one attempt: `code=true` (the callback page shows
/// `code#state` for copying), the client, the redirect, the scopes, the S256 challenge
/// and the state, each percent-encoded.
public enum AuthorizeURL {
    /// The URL the user opens for `attempt` at `endpoints`.
    public static func build(_ endpoints: ClaudeOAuthEndpoints, attempt: PKCE) -> String {
        let parameters: [(String, String)] = [
            ("code", "true"),
            ("client_id", ClaudeOAuthEndpoints.clientID),
            ("response_type", "code"),
            ("redirect_uri", endpoints.redirectURI),
            ("scope", endpoints.scope),
            ("code_challenge", attempt.challenge),
            ("code_challenge_method", "S256"),
            ("state", attempt.state),
        ]
        let separator = endpoints.authorizeURL.contains("?") ? "&" : "?"
        return endpoints.authorizeURL + separator + PercentEncoding.query(parameters)
    }

    /// `text` with `%XX` decoded (and `+` as a space, as in query strings); `nil` when malformed.
    static func percentDecode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first < utf8.endIndex, utf8.index(after: first) < utf8.endIndex else { return nil }
                let pair = String(decoding: [utf8[first], utf8[utf8.index(after: first)]], as: UTF8.self)
                guard let value = UInt8(pair, radix: 16) else { return nil }
                bytes.append(value)
                index = utf8.index(first, offsetBy: 2)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
