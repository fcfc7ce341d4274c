import ClaudeAuthAdapter
import Executor
import Foundation
import Synchronization
import TestSupport
import Testing

@Suite("The stored Claude login: modes, atomic replacement, unknown keys, damage, the refresh lock")
struct ClaudeLoginStoreTests {
    static let login = ClaudeLogin(
        accessToken: "sk-ant-oat01-STORE", refreshToken: "sk-ant-ort01-STORE", expiresAt: 1_900_000_000_000, scopes: ["user:inference", "user:profile"],
        subscriptionType: "pro", account: "dev@example.com")

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
    }

    @Test("XDG_CONFIG_HOME or ~/.config; save then load round-trips; folder 0700, file 0600, no temporary file left")
    func roundTrip() throws {
        let folder = try TemporaryDirectory(prefix: "runjob-auth")
        defer { folder.remove() }
        #expect(ClaudeLoginStore(environment: ["HOME": "/h"])?.path == "/h/.config/runjob/auth/claude.json")
        #expect(ClaudeLoginStore(environment: ["HOME": "/h", "XDG_CONFIG_HOME": "relative"])?.path == "/h/.config/runjob/auth/claude.json")
        #expect(ClaudeLoginStore(environment: ["XDG_CONFIG_HOME": "relative"]) == nil, "no home: no store")
        let store = try #require(ClaudeLoginStore(environment: ["HOME": "/h", "XDG_CONFIG_HOME": folder.path]))
        #expect(store.path == folder.path + "/runjob/auth/claude.json")
        #expect(try store.load() == nil)
        try store.save(Self.login)
        #expect(try store.load() == Self.login)
        #expect(Self.mode(store.folder) == 0o700 && Self.mode(store.path) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.folder) == ["claude.json"])
        #expect(try store.delete() && !(try store.delete()))
        #expect(try store.load() == nil)
    }

    @Test("keys runjob does not know survive a save; a damaged file is auth.store_unreadable without its contents")
    func unknownKeysAndDamage() throws {
        let folder = try TemporaryDirectory(prefix: "runjob-auth")
        defer { folder.remove() }
        let store = ClaudeLoginStore(path: folder.path + "/auth/claude.json")
        try FileManager.default.createDirectory(atPath: store.folder, withIntermediateDirectories: true)
        try #"{"future_field":{"kept":true},"access_token":"old"}"#.write(toFile: store.path, atomically: true, encoding: .utf8)
        try store.save(Self.login)
        let document = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: store.path))))
        #expect(document["future_field"]?["kept"] == .bool(true) && document["access_token"] == .string("sk-ant-oat01-STORE"))
        try #"{"access_token":"sk-ant-oat01-DAMAGED""#.write(toFile: store.path, atomically: true, encoding: .utf8)
        let error = #expect(throws: AuthError.self) { try store.load() }
        #expect(error?.code == ErrorCode.Auth.storeUnreadable && error?.message.contains("DAMAGED") == false)
        try #"{"refresh_token":"x"}"#.write(toFile: store.path, atomically: true, encoding: .utf8)
        #expect(throws: AuthError.self) { try store.load() }
    }

    @Test("an unwritable folder is auth.store_write_failed naming the file")
    func unwritable() throws {
        let folder = try TemporaryDirectory(prefix: "runjob-auth")
        defer { folder.remove() }
        try "not a folder".write(toFile: folder.path + "/blocker", atomically: true, encoding: .utf8)
        let store = ClaudeLoginStore(path: folder.path + "/blocker/auth/claude.json")
        let error = #expect(throws: AuthError.self) { try store.save(Self.login) }
        #expect(error?.code == ErrorCode.Auth.storeWriteFailed && error?.context.contains { $0.value.contains("blocker") } == true)
    }

    @Test("the refresh lock admits one holder at a time, and gives up after its timeout")
    func refreshLock() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-auth")
        defer { folder.remove() }
        let store = ClaudeLoginStore(path: folder.path + "/auth/claude.json")
        let inside = Holders()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await store.withRefreshLock {
                        inside.enter()
                        try await Task.sleep(for: .milliseconds(15))
                        inside.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(inside.most == 1)
        let error = await #expect(throws: AuthError.self) {
            try await store.withRefreshLock {
                try await store.withRefreshLock(timeout: .milliseconds(50)) {}
            }
        }
        #expect(error?.code == ErrorCode.Auth.storeWriteFailed)
    }

    @Test("a new login (login, import) and logout wait for a refresh in progress, so it cannot write the old pair over them")
    func replaceTakesTheLock() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-auth")
        defer { folder.remove() }
        let store = ClaudeLoginStore(path: folder.path + "/auth/claude.json")
        try store.save(Self.login)
        var fresh = Self.login
        fresh.accessToken = "sk-ant-oat01-FRESH"
        let blocked = await #expect(throws: AuthError.self) {
            try await store.withRefreshLock {
                try await store.replace(with: fresh, timeout: .milliseconds(50))
            }
        }
        #expect(blocked?.code == ErrorCode.Auth.storeWriteFailed)
        #expect(try store.load() == Self.login, "nothing was written while the refresh held the lock")
        try await store.replace(with: fresh)
        #expect(try store.load() == fresh)
        #expect(try await store.remove())
        #expect(try await store.remove() == false)
    }
}

/// How many tasks hold the lock at once, and the most that ever did.
private final class Holders: Sendable {
    private let state = Mutex((now: 0, most: 0))
    var most: Int { state.withLock { $0.most } }
    func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
    func leave() { state.withLock { $0.now -= 1 } }
}
