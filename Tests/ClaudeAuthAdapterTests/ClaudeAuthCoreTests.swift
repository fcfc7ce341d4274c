import ClaudeAuthAdapter
import Executor
import Foundation
import TestSupport
import Testing

@Suite("Claude login, offline core: PKCE, authorize URL, pasted code, token responses, credentials file")
struct ClaudeAuthCoreTests {
    @Test("RFC 7636 appendix B: the verifier's S256 challenge")
    func rfcVector() {
        let attempt = PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", state: "s")
        #expect(attempt.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(PKCE.challenge(for: "other") != attempt.challenge)
    }

    @Test("fresh attempts: 43-character base64url verifier and state, independent and never repeated")
    func freshAttempts() {
        let attempts = (0..<50).map { _ in PKCE() }
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for attempt in attempts {
            #expect(attempt.verifier.count == 43 && attempt.state.count == 43)
            #expect(attempt.verifier.allSatisfy(alphabet.contains) && attempt.state.allSatisfy(alphabet.contains))
            #expect(attempt.verifier != attempt.state)
            #expect(attempt.challenge == PKCE.challenge(for: attempt.verifier))
        }
        #expect(Set(attempts.map(\.verifier)).count == 50)
    }

    @Test("the authorize URL carries every parameter, percent-encoded, from one preset; overrides from the environment")
    func authorizeURL() throws {
        let attempt = PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", state: "st~ate")
        let url = AuthorizeURL.build(ClaudeOAuthEndpoints(preset: .platform), attempt: attempt)
        #expect(url.hasPrefix("https://claude.com/cai/oauth/authorize?code=true&client_id=9d1c250a-e61b-44d9-88ed-5944d1962f5e&"))
        for part in [
            "response_type=code", "redirect_uri=https%3A%2F%2Fplatform.claude.com%2Foauth%2Fcode%2Fcallback", "scope=user%3Ainference%20user%3Aprofile",
            "code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method=S256", "state=st~ate",
        ] {
            #expect(url.contains(part), "\(part) missing in \(url)")
        }
        #expect(!url.contains(attempt.verifier))
        let legacy = ClaudeOAuthEndpoints(preset: .legacy)
        #expect(legacy.tokenURL == "https://console.anthropic.com/v1/oauth/token" && legacy.redirectURI.hasPrefix("https://console.anthropic.com/"))
        let overridden = try ClaudeOAuthEndpoints.from(environment: [ClaudeOAuthEndpoints.Override.tokenURL: "http://127.0.0.1:9/token"])
        #expect(overridden.tokenURL == "http://127.0.0.1:9/token" && overridden.authorizeURL == ClaudeOAuthEndpoints().authorizeURL)
        let bad = #expect(throws: AuthError.self) {
            try ClaudeOAuthEndpoints.from(environment: [ClaudeOAuthEndpoints.Override.authorizeURL: "ftp://x"])
        }
        #expect(bad?.code == ErrorCode.Auth.misconfigured && bad?.message.contains("RUNJOB_CLAUDE_AUTHORIZE_URL") == true)
    }

    @Test("a pasted code#state or callback URL gives the code; whitespace is trimmed")
    func pastedForms() throws {
        #expect(try PastedCode.code(in: "  abc-CODE_1#state-9\n", expectedState: "state-9") == "abc-CODE_1")
        let url = "https://platform.claude.com/oauth/code/callback?code=a%2Bb%20c&state=state-9"
        #expect(try PastedCode.code(in: url, expectedState: "state-9") == "a+b c")
    }

    @Test("malformed pastes and pastes from another attempt are refused, without the pasted text in the message")
    func pastedRefusals() {
        let code = "secret-code-QmX81"
        let cases: [(String, ErrorCode)] = [
            (code, ErrorCode.Auth.malformedPaste),
            ("#state-9", ErrorCode.Auth.malformedPaste),
            ("\(code)#state-9#more", ErrorCode.Auth.malformedPaste),
            ("\(code)#state-OTHER", ErrorCode.Auth.stateMismatch),
            ("https://x.test/callback", ErrorCode.Auth.malformedPaste),
            ("https://x.test/callback?state=state-9", ErrorCode.Auth.malformedPaste),
            ("https://x.test/callback?code=\(code)&state=nope", ErrorCode.Auth.stateMismatch),
        ]
        for (text, expected) in cases {
            let error = #expect(throws: AuthError.self) { try PastedCode.code(in: text, expectedState: "state-9") }
            #expect(error?.code == expected, "\(text)")
            #expect(error.map { !$0.message.contains(code) && !$0.message.contains("state-OTHER") } == true)
        }
    }

    @Test("token responses: required fields, optional ones, a refresh that does not rotate keeps the old refresh token")
    func tokenResponses() throws {
        let body = try JSONValue.parse(
            Array(
                #"{"access_token":"sk-ant-oat01-AAA","refresh_token":"sk-ant-ort01-BBB","expires_in":28800,"token_type":"Bearer","scope":"user:inference user:profile","account":{"email_address":"dev@example.com"},"extra":1}"#
                    .utf8))
        let login = try ClaudeLogin.fromTokenResponse(body, nowMilliseconds: 1_000)
        #expect(login.accessToken == "sk-ant-oat01-AAA" && login.refreshToken == "sk-ant-ort01-BBB")
        #expect(login.expiresAt == 1_000 + 28_800_000 && login.scopes == ["user:inference", "user:profile"] && login.account == "dev@example.com")
        let unrotated = try ClaudeLogin.fromTokenResponse(
            try JSONValue.parse(Array(#"{"access_token":"sk-ant-oat01-CCC","expires_in":60}"#.utf8)), nowMilliseconds: 0,
            previousRefreshToken: "sk-ant-ort01-BBB")
        #expect(unrotated.refreshToken == "sk-ant-ort01-BBB" && unrotated.scopes.isEmpty)
        for broken in [#"{"expires_in":60}"#, #"{"access_token":"x"}"#, #"{"access_token":"","expires_in":60}"#, #"{"access_token":"x","expires_in":"60"}"#] {
            let error = #expect(throws: AuthError.self) { try ClaudeLogin.fromTokenResponse(try! JSONValue.parse(Array(broken.utf8)), nowMilliseconds: 0) }
            #expect(error?.code == ErrorCode.Auth.invalidResponse)
        }
        #expect(!login.description.contains("sk-ant") && login.description.contains("dev@example.com"))
        #expect(login.secrets.count == 2 && unrotated.needsRefresh(nowMilliseconds: 1, minValidityMilliseconds: 60_000))
        #expect(!login.needsRefresh(nowMilliseconds: 1_000, minValidityMilliseconds: 7_200_000))
    }

    @Test("the credentials file: claudeAiOauth, integer expiresAt, scopes an array, the refresh token only on request; import reads it back")
    func credentialsFile() throws {
        let login = ClaudeLogin(
            accessToken: "sk-ant-oat01-AAA", refreshToken: "sk-ant-ort01-BBB", expiresAt: 1_800_000_000_123, scopes: ["user:inference"],
            subscriptionType: "max")
        let safe = login.credentialsFile(includeRefreshToken: false)
        #expect(safe.compactText == #"{"claudeAiOauth":{"accessToken":"sk-ant-oat01-AAA","expiresAt":1800000000123,"scopes":["user:inference"],"subscriptionType":"max"}}"#)
        let handover = login.credentialsFile(includeRefreshToken: true)
        #expect(handover["claudeAiOauth"]?["refreshToken"] == .string("sk-ant-ort01-BBB"))
        #expect(try ClaudeLogin.fromCredentialsFile(handover, origin: "x") == login)
        let stringExpiry = try JSONValue.parse(Array(#"{"claudeAiOauth":{"accessToken":"sk-ant-oat01-AAA","expiresAt":"2026-01-01T00:00:00Z"}}"#.utf8))
        let error = #expect(throws: AuthError.self) { try ClaudeLogin.fromCredentialsFile(stringExpiry, origin: "/tmp/c.json") }
        #expect(error?.code == ErrorCode.Auth.invalidCredentialsFile && error?.message.contains("sk-ant") == false)
        let empty = #expect(throws: AuthError.self) { try ClaudeLogin.fromCredentialsFile(.object([]), origin: "/tmp/c.json") }
        #expect(empty?.code == ErrorCode.Auth.invalidCredentialsFile)
    }
}
