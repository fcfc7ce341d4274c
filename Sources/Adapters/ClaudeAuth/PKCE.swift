import Crypto
import Executor

/// One login attempt's proof key (RFC 7636, method S256) and its state value. Both
/// live in memory for one attempt only; the verifier is secret.
public struct PKCE: Sendable {
    /// The verifier: 32 random bytes, base64url without padding (43 characters).
    public let verifier: String
    /// The challenge: base64url without padding of SHA-256 over the verifier's ASCII bytes.
    public let challenge: String
    /// The state the authorize page echoes back: independent of the verifier.
    public let state: String

    /// A fresh attempt from the system's cryptographic random source.
    public init() {
        var generator = SystemRandomNumberGenerator()
        self.init(verifier: Self.randomToken(using: &generator), state: Self.randomToken(using: &generator))
    }

    /// An attempt with a given verifier and state (tests, the RFC's vector).
    public init(verifier: String, state: String) {
        self.verifier = verifier
        self.state = state
        self.challenge = Self.challenge(for: verifier)
    }

    /// The S256 challenge of `verifier`.
    public static func challenge(for verifier: String) -> String {
        let digest = Array(SHA256.hash(data: Array(verifier.utf8)))
        return String(decoding: Base64.encode(digest, alphabet: Base64.urlSafe, padding: false), as: UTF8.self)
    }

    /// 32 random bytes as base64url without padding.
    static func randomToken(using generator: inout some RandomNumberGenerator) -> String {
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return String(decoding: Base64.encode(bytes, alphabet: Base64.urlSafe, padding: false), as: UTF8.self)
    }

    /// The verifier as a secret, for the redactor.
    public var secrets: [Secret] { [Secret(source: .runtime("claude.verifier"), value: verifier)] }
}
