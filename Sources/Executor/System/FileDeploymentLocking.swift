#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Deployment leases as `flock(2)` locks on files in a folder of the machine running
/// runjob (one file per deployment, 0600, holding the holder's description).
///
/// The kernel releases a lock when its holder's process dies, however it dies, so a
/// lease never outlives its run. The descriptor is close-on-exec: processes a run
/// starts (local sessions) never inherit it. Every run that uses the same folder —
/// every runjob of one user on one machine — is excluded; runs on other machines are
/// not (see README, "What a lease protects").
public struct FileDeploymentLocking: DeploymentLocking {
    /// The folder of the lock files (created 0700 when missing).
    public let directory: String
    /// How often a waiting run tries again.
    public let retryInterval: Duration

    /// Locking with lock files in `directory`.
    public init(directory: String, retryInterval: Duration = .milliseconds(50)) {
        self.directory = directory
        self.retryInterval = retryInterval
    }

    /// The lock file of `key`: readable names plus a digest of the scope (two providers,
    /// or two Morph accounts, never share one).
    public func path(for key: LeaseKey) -> String {
        let digest = SHA256Hex.digest(key.scope + "\n" + key.name + "\n" + key.workspace).prefix(16)
        return directory + "/" + ProcessNaming.sanitize(key.name) + "@" + ProcessNaming.sanitize(key.workspace) + "-" + digest + ".lock"
    }

    /// How many times a lock is tried (2 ms apart) before it counts as held, even with no timeout.
    static let quickTries = 4

    /// Lock files under `$XDG_STATE_HOME/runjob/locks` (else `~/.local/state/runjob/locks`),
    /// or no locking when neither variable gives an absolute path.
    public static func standard() -> any DeploymentLocking {
        var environment: [String: String] = [:]
        for name in ["XDG_STATE_HOME", "HOME"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return standard(environment: environment)
    }

    /// The same choice from `environment` instead of this process's (a library caller's own).
    public static func standard(environment: [String: String]) -> any DeploymentLocking {
        func variable(_ name: String) -> String? {
            guard let text = environment[name], text.hasPrefix("/") else { return nil }
            return text
        }
        if let state = variable("XDG_STATE_HOME") { return FileDeploymentLocking(directory: state + "/runjob/locks") }
        if let home = variable("HOME") { return FileDeploymentLocking(directory: home + "/.local/state/runjob/locks") }
        return NoDeploymentLocking()
    }

    /// Takes the lock, trying again every ``retryInterval`` until `timeout`.
    public func acquire(_ key: LeaseKey, holder: LeaseHolder, timeout: Duration, waiting: @Sendable (LeaseHolder?) -> Void) async throws
        -> DeploymentLease
    {
        let file = path(for: key)
        try makeDirectory()
        let descriptor = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("cannot open the lease file \(file): \(String(cString: strerror(errno)))", key) }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var announced = false
        var attempts = 0
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            attempts += 1
            let reason = errno
            guard reason == EWOULDBLOCK || reason == EAGAIN || reason == EINTR else {
                close(descriptor)
                throw failure("cannot lock \(file): \(String(cString: strerror(reason)))", key)
            }
            let current = Self.holder(descriptor)
            if !announced {
                announced = true
                waiting(current)
            }
            // A lock just released can live on for a moment in a process forked meanwhile (the
            // descriptor is close-on-exec, so only until it execs): a few quick tries before refusing.
            guard clock.now < deadline || attempts < Self.quickTries else {
                close(descriptor)
                let who = current?.description ?? "another run"
                throw OrchestrationError(
                    ErrorCode.Orchestration.locked,
                    "\(key.name) (workspace \(key.workspace)) is being changed by \(who); it did not finish within \(timeout) (`--lock-timeout`). "
                        + "Wait for it, or stop it (Ctrl-C cleans up; a killed run releases the lease at once)",
                    context: [.init("lease", file)])
            }
            do {
                try await Task.sleep(for: attempts < Self.quickTries ? .milliseconds(2) : retryInterval)
            } catch {
                close(descriptor)
                throw error
            }
        }
        let text = holder.json.compactText.utf8.map { $0 }
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return DeploymentLease { close(descriptor) }
    }

    private func makeDirectory() throws {
        var built = ""
        for part in directory.split(separator: "/", omittingEmptySubsequences: true) {
            built += "/" + part
            if mkdir(built, 0o700) != 0 && errno != EEXIST {
                throw OrchestrationError(
                    ErrorCode.Orchestration.locked, "cannot create the lease folder \(built): \(String(cString: strerror(errno)))",
                    context: [.init("lease", directory)])
            }
        }
        var info = stat()
        guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw OrchestrationError(
                ErrorCode.Orchestration.locked, "cannot keep leases in \(directory): it is not a directory", context: [.init("lease", directory)])
        }
    }

    private func failure(_ message: String, _ key: LeaseKey) -> OrchestrationError {
        OrchestrationError(ErrorCode.Orchestration.locked, message, context: [.init("lease", path(for: key))])
    }

    /// The holder written in the lock file, when it can be read.
    static func holder(_ descriptor: Int32) -> LeaseHolder? {
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return LeaseHolder.parse(Array(bytes[..<count]))
    }
}

extension LeaseHolder {
    /// This process as the holder of run `run`, doing `command`.
    public static func current(run: String, command: String) -> LeaseHolder {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0 ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        return LeaseHolder(run: run, pid: Int(getpid()), host: host, since: RunClock.timestamp(), command: command)
    }
}
