import ClaudeAuthAdapter
import Executor
import Foundation
import MorphEmulator
import TestSupport
import Testing

/// The token endpoint emulator on loopback, and endpoints that point at it.
struct OAuthRig {
    let emulator: ClaudeOAuthEmulator
    let server: EmulatorServer
    let endpoints: ClaudeOAuthEndpoints

    static func start(_ settings: ClaudeOAuthEmulator.Settings = .init()) async throws -> OAuthRig {
        let emulator = ClaudeOAuthEmulator(settings: settings)
        let server = try await EmulatorServer.start(emulator)
        let endpoints = try ClaudeOAuthEndpoints.from(environment: [ClaudeOAuthEndpoints.Override.tokenURL: server.baseURL + "/v1/oauth/token"])
        return OAuthRig(emulator: emulator, server: server, endpoints: endpoints)
    }

    func client(timeout: Duration = .seconds(10)) -> ClaudeTokenClient { ClaudeTokenClient(endpoints: endpoints, timeout: timeout) }

    /// A login the way a user makes one: the authorize URL, the approval, the paste, the exchange.
    func login(now: Int64 = RunClock.nowMilliseconds()) async throws -> ClaudeLogin {
        let attempt = PKCE()
        let url = AuthorizeURL.build(endpoints, attempt: attempt)
        let query = Dictionary(uniqueKeysWithValues: (url.split(separator: "?")[1]).split(separator: "&").map {
            let pair = $0.split(separator: "=", maxSplits: 1)
            return (String(pair[0]), String(pair[1]))
        })
        let pasted = await emulator.approve(challenge: query["code_challenge"] ?? "", state: query["state"] ?? "")
        let code = try PastedCode.code(in: pasted, expectedState: attempt.state)
        return try await client().exchange(code: code, attempt: attempt, nowMilliseconds: now)
    }
}

@Suite("Claude login against the OAuth emulator: exchange, rotation, one refresh across processes, errors", .serialized)
struct ClaudeTokenFlowTests {
    @Test("authorize URL → approval → paste → exchange → store; the code is single-use and bound to its verifier")
    func loginFlow() async throws {
        let rig = try await OAuthRig.start()
        defer { Task { await rig.server.stop() } }
        let login = try await rig.login(now: 1_000)
        #expect(login.accessToken.hasPrefix("sk-ant-oat01-") && login.refreshToken?.hasPrefix("sk-ant-ort01-") == true)
        #expect(login.expiresAt == 1_000 + 28_800_000 && login.account == "dev@example.com" && login.scopes == ["user:inference", "user:profile"])

        let attempt = PKCE()
        let pasted = await rig.emulator.approve(challenge: attempt.challenge, state: attempt.state)
        let code = try PastedCode.code(in: pasted, expectedState: attempt.state)
        let other = PKCE()
        let wrongVerifier = await #expect(throws: AuthError.self) {
            try await rig.client().exchange(code: code, attempt: PKCE(verifier: other.verifier, state: attempt.state), nowMilliseconds: 0)
        }
        #expect(wrongVerifier?.code == ErrorCode.Auth.invalidGrant)
        #expect(wrongVerifier.map { !$0.message.contains(code) && !$0.message.contains(other.verifier) } == true)
        let reused = await #expect(throws: AuthError.self) { try await rig.client().exchange(code: code, attempt: attempt, nowMilliseconds: 0) }
        #expect(reused?.code == ErrorCode.Auth.invalidGrant)
    }

    @Test("a refresh rotates the pair: the old refresh token then answers auth.invalid_grant")
    func rotation() async throws {
        let rig = try await OAuthRig.start()
        defer { Task { await rig.server.stop() } }
        let first = try await rig.login()
        let second = try await rig.client().refresh(first, nowMilliseconds: 5)
        #expect(second.accessToken != first.accessToken && second.refreshToken != first.refreshToken)
        #expect(second.account == "dev@example.com" && second.expiresAt == 5 + 28_800_000)
        let stale = await #expect(throws: AuthError.self) { try await rig.client().refresh(first, nowMilliseconds: 6) }
        #expect(stale?.code == ErrorCode.Auth.invalidGrant && stale?.message.contains("auth claude login") == true)
        #expect(stale.map { !$0.message.contains(first.refreshToken ?? "-") } == true)
    }

    @Test("two processes that both need a refresh: one token request, both get the same fresh login, the store holds it")
    func oneRefreshAcrossProcesses() async throws {
        var settings = ClaudeOAuthEmulator.Settings()
        settings.expiresIn = 60  // under the 2 h minimum validity: every use needs a refresh
        let rig = try await OAuthRig.start(settings)
        defer { Task { await rig.server.stop() } }
        let folder = try TemporaryDirectory(prefix: "runjob-auth")
        defer { folder.remove() }
        let path = folder.path + "/runjob/auth/claude.json"
        try ClaudeLoginStore(path: path).save(try await rig.login())
        await rig.emulator.update { $0.expiresIn = 28_800 }
        let before = await rig.emulator.tokenRequests
        async let one = ClaudeLoginRefresher(store: ClaudeLoginStore(path: path), client: rig.client()).validLogin()
        async let two = ClaudeLoginRefresher(store: ClaudeLoginStore(path: path), client: rig.client()).validLogin()
        let (a, b) = try await (one, two)
        #expect(await rig.emulator.tokenRequests == before + 1)
        let newest = await rig.emulator.issued.last
        #expect(a == b && a.accessToken == newest)
        #expect(try ClaudeLoginStore(path: path).load() == a)
        // Valid for long enough now: no request at all.
        _ = try await ClaudeLoginRefresher(store: ClaudeLoginStore(path: path), client: rig.client()).validLogin()
        #expect(await rig.emulator.tokenRequests == before + 1)
    }

    @Test("a revoked refresh token and a missing login are refused with what to run")
    func refusals() async throws {
        var settings = ClaudeOAuthEmulator.Settings()
        settings.expiresIn = 60
        let rig = try await OAuthRig.start(settings)
        defer { Task { await rig.server.stop() } }
        let folder = try TemporaryDirectory(prefix: "runjob-auth")
        defer { folder.remove() }
        let store = ClaudeLoginStore(path: folder.path + "/claude.json")
        let refresher = ClaudeLoginRefresher(store: store, client: rig.client())
        let missing = await #expect(throws: AuthError.self) { try await refresher.validLogin() }
        #expect(missing?.code == ErrorCode.Auth.notLoggedIn && missing?.message.contains("runjob auth claude login") == true)
        let login = try await rig.login()
        try store.save(login)
        await rig.emulator.revoke(refreshToken: login.refreshToken ?? "")
        let revoked = await #expect(throws: AuthError.self) { try await refresher.validLogin() }
        #expect(revoked?.code == ErrorCode.Auth.invalidGrant)
        #expect(try store.load() == login)
    }

    @Test("429, 5xx, malformed JSON, a hang and a closed port map to auth.* codes without any token")
    func transportErrors() async throws {
        let rig = try await OAuthRig.start()
        defer { Task { await rig.server.stop() } }
        let login = try await rig.login()
        await rig.emulator.script([
            .response(EmulatorResponse(status: 429, headers: [("Retry-After", "7")], body: Array(#"{"error":"rate_limit"}"#.utf8))),
            .response(.json(503, .object(["error": .string("overloaded")]))),
            .response(EmulatorResponse(status: 200, body: Array("{not json".utf8))),
            .response(.json(400, .object(["error": .string("invalid_request")]))),
            .hang,
        ])
        let expected = [ErrorCode.Auth.rateLimited, ErrorCode.Auth.serverError, ErrorCode.Auth.invalidResponse, ErrorCode.Auth.rejected]
        for code in expected {
            let error = await #expect(throws: AuthError.self) { try await rig.client().refresh(login, nowMilliseconds: 0) }
            #expect(error?.code == code)
            #expect(error.map { !$0.message.contains("sk-ant") } == true)
            if code == ErrorCode.Auth.rateLimited { #expect(error?.message.contains("retry after 7 s") == true) }
        }
        let hung = await #expect(throws: AuthError.self) { try await rig.client(timeout: .milliseconds(300)).refresh(login, nowMilliseconds: 0) }
        #expect(hung?.code == ErrorCode.Auth.unreachable)
    }

    @Test("a closed port is auth.unreachable naming the URL")
    func closedPort() async throws {
        let login = ClaudeLogin(accessToken: "sk-ant-oat01-X", refreshToken: "sk-ant-ort01-Y", expiresAt: 0, scopes: [])
        let closed = ClaudeTokenClient(endpoints: try ClaudeOAuthEndpoints.from(environment: [ClaudeOAuthEndpoints.Override.tokenURL: "http://127.0.0.1:1/token"]))
        let refused = await #expect(throws: AuthError.self) { try await closed.refresh(login, nowMilliseconds: 0) }
        #expect(refused?.code == ErrorCode.Auth.unreachable && refused?.context.first?.value == "http://127.0.0.1:1/token")
    }
}
