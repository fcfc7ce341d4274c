import Synchronization

/// Who holds a deployment's lease: enough for the message of a run that has to wait.
public struct LeaseHolder: Sendable, Equatable {
    /// The holder's run id.
    public var run: String
    /// Its process id.
    public var pid: Int
    /// The machine it runs on.
    public var host: String
    /// When it took the lease (RFC 3339).
    public var since: String
    /// What it does (`apply`, `destroy`).
    public var command: String

    /// Creates a holder description.
    public init(run: String, pid: Int, host: String, since: String, command: String) {
        self.run = run
        self.pid = pid
        self.host = host
        self.since = since
        self.command = command
    }

    /// `apply run 01J… (pid 4242 on build-1, since 2026-12-03T10:00:00.000Z)`.
    public var description: String {
        "\(command) run \(run) (pid \(pid) on \(host), since \(since))"
    }

    /// The JSON form kept in the lease file.
    var json: JSONValue {
        .object([
            "run": .string(run), "pid": .int(pid), "host": .string(host), "since": .string(since), "command": .string(command),
        ])
    }

    /// The holder in a lease file's text, or `nil` when it is not that shape.
    static func parse(_ bytes: [UInt8]) -> LeaseHolder? {
        guard let json = try? JSONValue.parse(bytes), let run = json["run"]?.stringValue else { return nil }
        return LeaseHolder(
            run: run, pid: json["pid"]?.intValue ?? 0, host: json["host"]?.stringValue ?? "?", since: json["since"]?.stringValue ?? "?",
            command: json["command"]?.stringValue ?? "?")
    }
}

/// What identifies a deployment for its lease: where its instances live (the
/// provider and the account or folder it uses), the manifest name and the workspace.
public struct LeaseKey: Sendable, Equatable {
    /// The provider's scope (``VMProvider/leaseScope``).
    public var scope: String
    /// The manifest name.
    public var name: String
    /// The workspace.
    public var workspace: String

    /// Creates a key.
    public init(scope: String, name: String, workspace: String) {
        self.scope = scope
        self.name = name
        self.workspace = workspace
    }
}

/// A held lease; released by ``release()``, when dropped, or when its process dies.
public final class DeploymentLease: Sendable {
    private let releaseAction: Mutex<(@Sendable () -> Void)?>

    /// A lease that runs `release` once, when released or dropped.
    public init(release: @escaping @Sendable () -> Void) {
        self.releaseAction = Mutex(release)
    }

    /// Gives the lease back (once; later calls do nothing).
    public func release() {
        let action = releaseAction.withLock { current -> (@Sendable () -> Void)? in
            defer { current = nil }
            return current
        }
        action?()
    }

    deinit { release() }
}

/// At most one run changes a deployment at a time: `apply` and `destroy` take its
/// lease first. A lease expires when its holder's process dies (kill -9 included),
/// so a crash never leaves a deployment locked.
public protocol DeploymentLocking: Sendable {
    /// Takes the lease of `key` for `holder`, waiting up to `timeout` while another run
    /// holds it (`waiting` is called once, with the holder when known). Throws
    /// `orchestration.locked` naming the holder when the time is up, and
    /// `CancellationError` when the task is cancelled while waiting.
    func acquire(_ key: LeaseKey, holder: LeaseHolder, timeout: Duration, waiting: @Sendable (LeaseHolder?) -> Void) async throws
        -> DeploymentLease
}

/// No exclusion at all: for tests that make runs race on purpose, and programs that
/// exclude runs themselves.
public struct NoDeploymentLocking: DeploymentLocking {
    /// No locking.
    public init() {}

    /// A lease that excludes nothing.
    public func acquire(_ key: LeaseKey, holder: LeaseHolder, timeout: Duration, waiting: @Sendable (LeaseHolder?) -> Void) async throws
        -> DeploymentLease
    {
        DeploymentLease {}
    }
}
