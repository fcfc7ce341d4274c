import Crypto
import Executor

/// Claude's OAuth token endpoint as the contract in `claude-oauth.md` describes it,
/// in memory: an approval route standing in for the user's browser, single-use codes
/// checked against their S256 challenge, client id and redirect URI, refresh tokens that
/// rotate (the old one answers `invalid_grant`) and expire, and scripted failures.
/// Serve it with ``EmulatorServer``.
public actor ClaudeOAuthEmulator: EmulatorHandler {
    /// What the emulator checks and hands out.
    public struct Settings: Sendable {
        /// The only client id accepted.
        public var clientID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
        /// The only redirect URI accepted.
        public var redirectURI = "https://platform.claude.com/oauth/code/callback"
        /// `expires_in` of new access tokens, in seconds.
        public var expiresIn = 28_800
        /// How long a refresh token lives from the login (absolute; refreshing does not extend it), in seconds.
        public var refreshLifetime = 30 * 86_400
        /// Creates the defaults.
        public init() {}
    }

    private struct Code { var challenge: String; var redirectURI: String; var scope: String }
    private struct Grant { var born: ContinuousClock.Instant; var scope: String }

    /// The settings in force.
    public private(set) var settings: Settings
    private var codes: [String: Code] = [:]
    private var refreshTokens: [String: Grant] = [:]
    private var scripted: [EmulatorReply] = []
    /// Token requests answered so far (every grant type, failures too).
    public private(set) var tokenRequests = 0
    /// Every access token handed out, in order.
    public private(set) var issued: [String] = []
    private var counter = 0

    /// An emulator with `settings`.
    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Changes the settings.
    public func update(_ change: @Sendable (inout Settings) -> Void) { change(&settings) }

    /// What the hosted callback page shows after the user approves an authorize URL with
    /// `challenge` and `state`: `code#state`, the code single-use.
    public func approve(challenge: String, state: String, redirectURI: String? = nil, scope: String = "user:inference user:profile") -> String {
        let code = next("code")
        issuedCodes.append(code)
        codes[code] = Code(challenge: challenge, redirectURI: redirectURI ?? settings.redirectURI, scope: scope)
        return code + "#" + state
    }

    /// Answers the next token requests with `replies` first (429, 500, a hang, malformed JSON, …).
    public func script(_ replies: [EmulatorReply]) { scripted += replies }

    /// Makes `token` stop working, as a revoked or expired refresh token does.
    public func revoke(refreshToken token: String) { refreshTokens[token] = nil }

    /// Every refresh token that still works.
    public var liveRefreshTokens: [String] { Array(refreshTokens.keys) }

    /// Every code verifier a token request sent (secrets runjob made: canaries for tests).
    public private(set) var receivedVerifiers: [String] = []
    /// Every authorization code handed out by the approval route.
    public private(set) var issuedCodes: [String] = []
    /// Every refresh token ever handed out, in order (revoked and rotated ones too).
    public private(set) var issuedRefreshTokens: [String] = []

    public func handle(_ request: EmulatorRequest) async -> EmulatorReply {
        if request.path.hasPrefix("/_emulator/") { return control(request) }
        if request.method == "GET", request.path.hasSuffix("/oauth/authorize") { return authorize(request) }
        guard request.method == "POST", request.path.hasSuffix("/oauth/token") else {
            return .response(.json(404, .object(["error": .string("not_found")])))
        }
        tokenRequests += 1
        if !scripted.isEmpty { return scripted.removeFirst() }
        guard let body = try? JSONValue.parse(request.body), case .object = body else { return error(400, "invalid_request", "the body is not JSON") }
        guard body["client_id"]?.stringValue == settings.clientID else { return error(401, "invalid_client", "unknown client") }
        switch body["grant_type"]?.stringValue {
        case "authorization_code":
            guard let code = body["code"]?.stringValue, let grant = codes.removeValue(forKey: code) else {
                return error(400, "invalid_grant", "the code is unknown or used")
            }
            guard body["redirect_uri"]?.stringValue == grant.redirectURI else { return error(400, "invalid_grant", "redirect_uri differs") }
            if let verifier = body["code_verifier"]?.stringValue { receivedVerifiers.append(verifier) }
            guard let verifier = body["code_verifier"]?.stringValue, Self.challenge(verifier) == grant.challenge else {
                return error(400, "invalid_grant", "the code verifier does not match")
            }
            return issue(scope: grant.scope, born: .now)
        case "refresh_token":
            guard let token = body["refresh_token"]?.stringValue, let grant = refreshTokens.removeValue(forKey: token) else {
                return error(400, "invalid_grant", "refresh token not found or invalid")
            }
            guard ContinuousClock.now - grant.born < .seconds(settings.refreshLifetime) else {
                return error(400, "invalid_grant", "refresh token expired")
            }
            return issue(scope: grant.scope, born: grant.born)
        default:
            return error(400, "unsupported_grant_type", "grant_type")
        }
    }

    /// The hosted page of an authorize URL, approved at once: checks what the real page
    /// needs (client id, `response_type=code`, S256, the redirect URI) and shows `code#state`
    /// as text, as the callback page does with `code=true`.
    private func authorize(_ request: EmulatorRequest) -> EmulatorReply {
        func parameter(_ name: String) -> String? { request.query.first { $0.name == name }?.value }
        guard parameter("client_id") == settings.clientID else { return error(400, "invalid_client", "unknown client") }
        guard parameter("response_type") == "code", parameter("code_challenge_method") == "S256",
            let challenge = parameter("code_challenge"), let state = parameter("state")
        else { return error(400, "invalid_request", "response_type, code_challenge, code_challenge_method=S256 and state are required") }
        guard parameter("redirect_uri") == settings.redirectURI else { return error(400, "invalid_request", "redirect_uri is not registered") }
        let paste = approve(challenge: challenge, state: state, scope: parameter("scope") ?? "user:inference")
        return .response(EmulatorResponse(status: 200, contentType: "text/plain", body: Array(paste.utf8)))
    }

    /// Steering for tests that run the emulator as a process:
    /// `POST /_emulator/settings {"expires_in":N,"refresh_lifetime":N,"redirect_uri":"…"}`,
    /// `POST /_emulator/revoke` (every refresh token), `POST /_emulator/script [{"status":429,"retry_after":"3"},"hang","malformed"]`,
    /// `GET /_emulator/stats` (token requests and every token handed out, for canaries).
    private func control(_ request: EmulatorRequest) -> EmulatorReply {
        let body = (try? JSONValue.parse(request.body)) ?? .null
        switch (request.method, request.path) {
        case ("POST", "/_emulator/settings"):
            if let value = body["expires_in"]?.intValue { settings.expiresIn = value }
            if let value = body["refresh_lifetime"]?.intValue { settings.refreshLifetime = value }
            if let value = body["redirect_uri"]?.stringValue { settings.redirectURI = value }
            return .response(.json(200, .object(["ok": .bool(true)])))
        case ("POST", "/_emulator/revoke"):
            refreshTokens.removeAll()
            return .response(.json(200, .object(["ok": .bool(true)])))
        case ("POST", "/_emulator/script"):
            for item in body.arrayValue ?? [] {
                switch item.stringValue {
                case "hang": scripted.append(.hang)
                case "reset": scripted.append(.reset)
                case "malformed":
                    scripted.append(.response(EmulatorResponse(status: 200, body: Array("{\"access_token\": ".utf8))))
                default:
                    let status = item["status"]?.intValue ?? 500
                    let headers = item["retry_after"]?.stringValue.map { [(name: "Retry-After", value: $0)] } ?? []
                    scripted.append(
                        .response(
                            EmulatorResponse(
                                status: status, headers: headers,
                                body: Array(JSONValue.object(["error": .string(status == 429 ? "rate_limited" : "server_error")]).compactText.utf8))))
                }
            }
            return .response(.json(200, .object(["ok": .bool(true)])))
        case ("GET", "/_emulator/stats"):
            return .response(
                .json(
                    200,
                    .object([
                        "token_requests": .int(tokenRequests), "issued": .array(issued.map { .string($0) }),
                        "issued_refresh_tokens": .array(issuedRefreshTokens.map { .string($0) }),
                        "live_refresh_tokens": .int(refreshTokens.count),
                        "codes": .array(issuedCodes.map { .string($0) }), "verifiers": .array(receivedVerifiers.map { .string($0) }),
                    ])))
        default:
            return .response(.json(404, .object(["error": .string("not_found")])))
        }
    }

    private func issue(scope: String, born: ContinuousClock.Instant) -> EmulatorReply {
        let access = "sk-ant-oat01-" + next("access")
        let refresh = "sk-ant-ort01-" + next("refresh")
        refreshTokens[refresh] = Grant(born: born, scope: scope)
        issued.append(access)
        issuedRefreshTokens.append(refresh)
        return .response(
            .json(
                200,
                .object([
                    "access_token": .string(access), "refresh_token": .string(refresh), "expires_in": .int(settings.expiresIn),
                    "token_type": .string("Bearer"), "scope": .string(scope),
                    "account": .object(["email_address": .string("dev@example.com"), "uuid": .string("acc-1")]),
                ])))
    }

    private func error(_ status: Int, _ code: String, _ description: String) -> EmulatorReply {
        .response(.json(status, .object(["error": .string(code), "error_description": .string(description)])))
    }

    private func next(_ kind: String) -> String {
        counter += 1
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<24).map { _ in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement(using: &generator) ?? "x" }
        return "\(kind)\(counter)-" + String(noise)
    }

    /// The S256 challenge of `verifier` (base64url of SHA-256, no padding).
    static func challenge(_ verifier: String) -> String {
        let digest = Array(SHA256.hash(data: Array(verifier.utf8)))
        return String(decoding: Base64.encode(digest, alphabet: Base64.urlSafe, padding: false), as: UTF8.self)
    }
}
