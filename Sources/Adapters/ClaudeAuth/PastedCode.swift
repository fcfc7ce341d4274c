import AdapterKit
import Executor

/// What the user pastes after approving: the `code#state` the callback page shows, or
/// the whole callback URL with `code` and `state` in its query. Errors never contain
/// the pasted text (it holds the authorization code, a secret).
public enum PastedCode {
    /// The authorization code in `text`, after checking that its state is `expectedState`
    /// (the state of this attempt: a paste from another attempt is refused).
    public static func code(in text: String, expectedState: String) throws(AuthError) -> String {
        let trimmed = text.trimmingASCIIWhitespace()
        let (code, state) = try parts(of: trimmed)
        guard !code.isEmpty else {
            throw AuthError(ErrorCode.Auth.malformedPaste, "the pasted value has no code before `#`; paste the whole `code#state` value")
        }
        guard state == expectedState else {
            throw AuthError(
                ErrorCode.Auth.stateMismatch,
                "the pasted value belongs to another login attempt (its state does not match); open the URL printed by this run and paste what it shows")
        }
        return code
    }

    private static func parts(of text: String) throws(AuthError) -> (code: String, state: String) {
        if text.hasPrefix("https://") || text.hasPrefix("http://") {
            guard let query = text.split(separator: "?", maxSplits: 1).dropFirst().first else {
                throw AuthError(ErrorCode.Auth.malformedPaste, "the pasted URL has no query; paste the `code#state` value the page shows")
            }
            var code: String?
            var state: String?
            for pair in query.split(separator: "#", maxSplits: 1)[0].split(separator: "&") {
                let halves = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard halves.count == 2, let value = PercentEncoding.decode(halves[1]) else { continue }
                if halves[0] == "code" { code = value }
                if halves[0] == "state" { state = value }
            }
            guard let code, let state else {
                throw AuthError(ErrorCode.Auth.malformedPaste, "the pasted URL lacks `code` or `state`; paste the `code#state` value the page shows")
            }
            return (code, state)
        }
        let pieces = text.split(separator: "#", omittingEmptySubsequences: false)
        guard pieces.count == 2 else {
            throw AuthError(
                ErrorCode.Auth.malformedPaste,
                pieces.count < 2
                    ? "the pasted value has no `#`; paste the whole `code#state` value the page shows"
                    : "the pasted value has more than one `#`; paste exactly the `code#state` value the page shows")
        }
        return (String(pieces[0]), String(pieces[1]))
    }
}
