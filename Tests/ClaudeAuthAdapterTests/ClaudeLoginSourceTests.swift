import ClaudeAuthAdapter
import Executor
import Foundation
import Logging
import MorphEmulator
import TestSupport
import Testing

@Suite("The claude login as manifests see it: values, states, prepare (refresh) and handover", .serialized)
struct ClaudeLoginSourceTests {
    static let descriptor = ClaudeLoginSource.descriptor

    private func store(_ folder: TemporaryDirectory) throws -> ClaudeLoginStore {
        try #require(ClaudeLoginStore(environment: environment(folder)))
    }

    private func environment(_ folder: TemporaryDirectory, tokenURL: String? = nil) -> [String: String] {
        var environment = ["XDG_CONFIG_HOME": folder.path]
        if let tokenURL { environment[ClaudeOAuthEndpoints.Override.tokenURL] = tokenURL }
        return environment
    }

    @Test("values: the credentials file without the refresh token, the bare token, the handover file with it; every token for redactors")
    func values() throws {
        let folder = try TemporaryDirectory(prefix: "claude-source")
        defer { folder.remove() }
        let login = ClaudeLogin(
            accessToken: "sk-ant-oat01-values-0123456789", refreshToken: "sk-ant-ort01-values-9876543210", expiresAt: 4_102_444_800_000,
            scopes: ["user:inference"], subscriptionType: "max")
        try store(folder).save(login)
        guard case .available(let values, let expiresAt, let secrets) = Self.descriptor.read(environment(folder)) else {
            Issue.record("the stored login is not available")
            return
        }
        #expect(expiresAt == 4_102_444_800_000)
        #expect(Set(secrets) == ["sk-ant-oat01-values-0123456789", "sk-ant-ort01-values-9876543210"])
        #expect(values["access_token"] == "sk-ant-oat01-values-0123456789")
        let file = try JSONValue.parse(Array((values[""] ?? "").utf8))
        #expect(file["claudeAiOauth"]?["refreshToken"] == nil)
        #expect(file["claudeAiOauth"]?["expiresAt"] == .int(4_102_444_800_000))
        #expect(file["claudeAiOauth"]?["scopes"] == .array([.string("user:inference")]))
        #expect(file["claudeAiOauth"]?["subscriptionType"] == .string("max"))
        let handover = try JSONValue.parse(Array((values["handover"] ?? "").utf8))
        #expect(handover["claudeAiOauth"]?["refreshToken"] == .string("sk-ant-ort01-values-9876543210"))
    }

    @Test("states: no store without a home, not logged in, damaged, handed over; each says what to run")
    func states() async throws {
        #expect(Self.descriptor.read([:]) == .unavailable(state: "not logged in", detail: "run `runjob auth claude login`"))
        let folder = try TemporaryDirectory(prefix: "claude-source")
        defer { folder.remove() }
        guard case .unavailable("not logged in", let missing, _) = Self.descriptor.read(environment(folder)) else {
            Issue.record("an empty store is not 'not logged in'")
            return
        }
        #expect(missing.contains("runjob auth claude login"))
        _ = try folder.write("runjob/auth/claude.json", "{not json")
        guard case .unavailable("unreadable", let damaged, _) = Self.descriptor.read(environment(folder)) else {
            Issue.record("a damaged store is not 'unreadable'")
            return
        }
        #expect(damaged.contains("runjob auth claude login"))
        let handed = ClaudeLogin(accessToken: "sk-ant-oat01-state-0123456789", refreshToken: "sk-ant-ort01-state-0123456789", expiresAt: 1, scopes: [])
        try store(folder).save(handed)
        // A value read before a refresh or another handover no longer matches: refused, nothing changes.
        let stale = await #expect(throws: AuthError.self) {
            try await Self.descriptor.handOver(self.environment(folder), "machine `x`", #"{"claudeAiOauth":{"accessToken":"older"}}"#)
        }
        #expect(stale?.code == ErrorCode.Auth.loginChanged)
        #expect(try store(folder).load() == handed)
        try await Self.descriptor.handOver(
            environment(folder), "machine `main` of job (workspace default)", handed.credentialsFile(includeRefreshToken: true).compactText)
        // The same value a second time (another apply of the same manifest): refused.
        let twice = await #expect(throws: AuthError.self) {
            try await Self.descriptor.handOver(self.environment(folder), "machine `b`", handed.credentialsFile(includeRefreshToken: true).compactText)
        }
        #expect(twice?.code == ErrorCode.Auth.handedOver)
        let stored = try #require(try store(folder).load())
        #expect(stored.refreshToken == nil, "the machine holds the refresh token now")
        #expect(stored.handover?.destination == "machine `main` of job (workspace default)")
        guard case .unavailable("handed over", let detail, let kept) = Self.descriptor.read(environment(folder)) else {
            Issue.record("a handed-over login is still available")
            return
        }
        #expect(detail.contains("machine `main` of job") && detail.contains("runjob auth claude login"))
        #expect(kept == ["sk-ant-oat01-state-0123456789"], "the access token still on machines is still masked")
        let refused = await #expect(throws: AuthError.self) {
            _ = try await Self.descriptor.prepare(self.environment(folder), .seconds(60), Logger.silent)
        }
        #expect(refused?.code == ErrorCode.Auth.handedOver)
        // A new login replaces the handover mark.
        try store(folder).save(
            ClaudeLogin(accessToken: "sk-ant-oat01-again-0123456789", refreshToken: nil, expiresAt: 4_102_444_800_000, scopes: []))
        guard case .available = Self.descriptor.read(environment(folder)) else {
            Issue.record("a new login is not available")
            return
        }
    }

    @Test("prepare refreshes a login that expires within the minimum validity (the store holds the rotated pair) and leaves a valid one alone")
    func prepare() async throws {
        let rig = try await OAuthRig.start()
        defer { Task { await rig.server.stop() } }
        let folder = try TemporaryDirectory(prefix: "claude-source")
        defer { folder.remove() }
        let env = environment(folder, tokenURL: rig.server.baseURL + "/v1/oauth/token")
        let store = try #require(ClaudeLoginStore(environment: env))
        let login = try await rig.login()
        try store.save(login)
        // Valid for 8 hours: a 2-hour minimum needs nothing.
        _ = try await Self.descriptor.prepare(env, .seconds(7200), Logger.silent)
        #expect(await rig.emulator.tokenRequests == 1)
        // A 9-hour minimum does.
        guard case .available(let values, _, _) = try await Self.descriptor.prepare(env, .seconds(9 * 3600), Logger.silent) else {
            Issue.record("no login after the refresh")
            return
        }
        #expect(await rig.emulator.tokenRequests == 2)
        let fresh = try #require(try store.load())
        #expect(fresh.refreshToken != login.refreshToken && fresh.accessToken != login.accessToken)
        #expect(values["access_token"] == fresh.accessToken)
        // Without a login: auth.not_logged_in naming the command.
        try store.delete()
        let missing = await #expect(throws: AuthError.self) { _ = try await Self.descriptor.prepare(env, .seconds(60), Logger.silent) }
        #expect(missing?.code == ErrorCode.Auth.notLoggedIn)
        #expect(missing?.message.contains("runjob auth claude login") == true)
    }

    @Test("a token shorter-lived than the minimum validity: a process that waited for another's refresh takes it instead of rotating it away")
    func waitedForAnotherRefresh() async throws {
        var settings = ClaudeOAuthEmulator.Settings()
        settings.expiresIn = 600
        let rig = try await OAuthRig.start(settings)
        defer { Task { await rig.server.stop() } }
        let folder = try TemporaryDirectory(prefix: "claude-source")
        defer { folder.remove() }
        let store = ClaudeLoginStore(path: folder.file("claude.json"))
        try store.save(try await rig.login())
        let refresher = ClaudeLoginRefresher(store: store, client: rig.client())
        // Both read the login before either refreshes; the lock orders the refreshes.
        async let one = refresher.validLogin(minValidity: .seconds(7200))
        async let two = refresher.validLogin(minValidity: .seconds(7200))
        let (first, second) = try await (one, two)
        #expect(first == second)
        #expect(await rig.emulator.tokenRequests == 2, "the exchange and one refresh")
        // Later, alone: it refreshes again (the server's tokens never last 2 h).
        _ = try await refresher.validLogin(minValidity: .seconds(7200))
        #expect(await rig.emulator.tokenRequests == 3)
        // A token that another process just got but that would die within minutes is not taken as it is.
        await rig.emulator.update { $0.expiresIn = 60 }
        async let three = refresher.validLogin(minValidity: .seconds(7200))
        async let four = refresher.validLogin(minValidity: .seconds(7200))
        _ = try await (three, four)
        #expect(await rig.emulator.tokenRequests == 5, "each refreshes: a minute is below the 5-minute floor")
    }

    @Test("refresh tokens have an absolute lifetime: past it, a refresh is auth.invalid_grant and the stored login stays as it was")
    func absoluteLifetime() async throws {
        var settings = ClaudeOAuthEmulator.Settings()
        settings.refreshLifetime = 0
        let rig = try await OAuthRig.start(settings)
        defer { Task { await rig.server.stop() } }
        let folder = try TemporaryDirectory(prefix: "claude-source")
        defer { folder.remove() }
        let store = ClaudeLoginStore(path: folder.file("claude.json"))
        let login = try await rig.login()
        try store.save(login)
        let expired = await #expect(throws: AuthError.self) {
            _ = try await ClaudeLoginRefresher(store: store, client: rig.client()).refreshNow()
        }
        #expect(expired?.code == ErrorCode.Auth.invalidGrant)
        #expect(expired?.message.contains("runjob auth claude login") == true, "\(expired?.message ?? "")")
        #expect(try store.load() == login)
    }

    @Test("refreshNow refreshes whatever the expiry, and refuses a missing login")
    func refreshNow() async throws {
        let rig = try await OAuthRig.start()
        defer { Task { await rig.server.stop() } }
        let folder = try TemporaryDirectory(prefix: "claude-source")
        defer { folder.remove() }
        let store = ClaudeLoginStore(path: folder.file("claude.json"))
        let login = try await rig.login()
        try store.save(login)
        let refresher = ClaudeLoginRefresher(store: store, client: rig.client())
        let fresh = try await refresher.refreshNow()
        #expect(fresh.accessToken != login.accessToken)
        #expect(try store.load() == fresh)
        try store.delete()
        let missing = await #expect(throws: AuthError.self) { _ = try await refresher.refreshNow() }
        #expect(missing?.code == ErrorCode.Auth.notLoggedIn)
    }
}
