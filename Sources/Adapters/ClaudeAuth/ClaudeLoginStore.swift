import Executor
import Foundation

/// The stored Claude login: `$XDG_CONFIG_HOME/runjob/auth/claude.json` (default
/// `~/.config/runjob/auth/claude.json`), folder 0700, file 0600, replaced atomically,
/// keys it does not know kept. Errors name the file, never a value in it.
public struct ClaudeLoginStore: Sendable {
    /// The login file.
    public let path: String
    /// The folder holding it (and the refresh lock).
    public var folder: String { String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) }
    /// The lock file that keeps refreshes one at a time across processes.
    public var lockPath: String { folder + "/claude.lock" }

    /// The store at an explicit path.
    public init(path: String) {
        self.path = path
    }

    /// The store of the user whose environment this is (`XDG_CONFIG_HOME` when absolute, else
    /// `HOME/.config`); `nil` when the environment names neither (a test environment), so
    /// nothing reads the real user's login behind its back. Every command and manifest uses
    /// this one rule, so `login` and `apply` always agree on the file.
    public init?(environment: [String: String]) {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            self.init(path: xdg + "/runjob/auth/claude.json")
        } else if let home = environment["HOME"] {
            self.init(path: home + "/.config/runjob/auth/claude.json")
        } else {
            return nil
        }
    }

    /// The stored login, or `nil` when there is none.
    public func load() throws(AuthError) -> ClaudeLogin? {
        guard let document = try loadDocument() else { return nil }
        guard let token = document["access_token"]?.stringValue, !token.isEmpty, let expires = document["expires_at"]?.intValue else {
            throw unreadable("it has no access token or expiry")
        }
        return ClaudeLogin(
            accessToken: token, refreshToken: document["refresh_token"]?.stringValue, expiresAt: Int64(expires),
            scopes: document["scopes"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            subscriptionType: document["subscription_type"]?.stringValue, account: document["account"]?.stringValue,
            preset: document["preset"]?.stringValue.flatMap(ClaudeOAuthEndpoints.Preset.init(rawValue:)),
            tokenURL: document["token_url"]?.stringValue,
            handover: document["handed_over_to"]?.stringValue.map {
                ClaudeLogin.Handover(destination: $0, at: Int64(document["handed_over_at"]?.intValue ?? 0))
            })
    }

    /// Stores `login` in place of the previous one, keeping the keys runjob does not know.
    public func save(_ login: ClaudeLogin) throws(AuthError) {
        var members: [JSONValue.Member] = []
        if case .object(let old)? = try? loadDocument() { members = old }
        func set(_ key: String, _ value: JSONValue?) {
            members.removeAll { $0.key == key }
            if let value { members.append(.init(key, value)) }
        }
        set("access_token", .string(login.accessToken))
        set("refresh_token", login.refreshToken.map { .string($0) })
        set("expires_at", .int(Int(login.expiresAt)))
        set("scopes", .array(login.scopes.map { .string($0) }))
        set("subscription_type", login.subscriptionType.map { .string($0) })
        set("account", login.account.map { .string($0) })
        set("preset", login.preset.map { .string($0.rawValue) })
        set("token_url", login.tokenURL.map { .string($0) })
        set("handed_over_to", login.handover.map { .string($0.destination) })
        set("handed_over_at", login.handover.map { .int(Int($0.at)) })
        try write(Array(JSONValue.object(members).compactText.utf8) + [0x0A])
    }

    /// Removes the stored login; `false` when there was none.
    @discardableResult
    public func delete() throws(AuthError) -> Bool {
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw AuthError(ErrorCode.Auth.storeWriteFailed, "cannot remove the stored login: \(String(cString: strerror(errno)))", context: [.init("file", path)])
    }

    /// Stores a new login (a login or an import) under the refresh lock, so a refresh running
    /// in another process cannot write the old login's rotated pair over it afterwards.
    public func replace(with login: ClaudeLogin, timeout: Duration = .seconds(60)) async throws {
        try await withRefreshLock(timeout: timeout) { try save(login) }
    }

    /// Removes the stored login under the refresh lock (see ``replace(with:)``); `false` when there was none.
    @discardableResult
    public func remove() async throws -> Bool {
        try await withRefreshLock { try delete() }
    }

    /// Runs `body` holding the refresh lock (a `flock` on ``lockPath``), waiting up to
    /// `timeout` for another process's refresh: at most one refresh is in flight.
    public func withRefreshLock<T: Sendable>(timeout: Duration = .seconds(60), _ body: () async throws -> T) async throws -> T {
        try makeFolder()
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw AuthError(ErrorCode.Auth.storeWriteFailed, "cannot open the refresh lock", context: [.init("file", lockPath)])
        }
        defer { close(descriptor) }
        let deadline = ContinuousClock.now + timeout
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard ContinuousClock.now < deadline else {
                throw AuthError(
                    ErrorCode.Auth.storeWriteFailed, "another runjob kept refreshing the Claude login for longer than \(timeout)",
                    context: [.init("file", lockPath)])
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        defer { flock(descriptor, LOCK_UN) }
        return try await body()
    }

    private func loadDocument() throws(AuthError) -> JSONValue? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw unreadable("it cannot be read") }
            return nil
        }
        guard let document = try? JSONValue.parse(Array(data)), case .object = document else { throw unreadable("it is not a JSON object") }
        return document
    }

    private func unreadable(_ why: String) -> AuthError {
        AuthError(
            ErrorCode.Auth.storeUnreadable, "the stored Claude login is damaged (\(why)); run `runjob auth claude login` again",
            context: [.init("file", path)])
    }

    private func makeFolder() throws(AuthError) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw AuthError(ErrorCode.Auth.storeWriteFailed, "cannot create the folder of the stored login", context: [.init("file", folder)])
        }
        chmod(folder, 0o700)
    }

    /// Writes `bytes` to a 0600 temporary file beside the login and renames it into place.
    private func write(_ bytes: [UInt8]) throws(AuthError) {
        try makeFolder()
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: .min ... .max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw AuthError(ErrorCode.Auth.storeWriteFailed, "cannot write the stored login", context: [.init("file", path)])
        }
        var written = 0
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            guard let base = buffer.baseAddress else { return fsync(descriptor) == 0 }
            while written < buffer.count {
                let count = Foundation.write(descriptor, base + written, buffer.count - written)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                written += count
            }
            return fsync(descriptor) == 0
        }
        close(descriptor)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw AuthError(ErrorCode.Auth.storeWriteFailed, "cannot write the stored login", context: [.init("file", path)])
        }
    }
}
