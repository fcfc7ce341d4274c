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
}
