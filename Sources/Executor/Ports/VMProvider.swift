/// A file to write on an instance as part of a ``FileBatch``.
public struct FileWrite: Sendable, Equatable {
    /// Absolute destination path.
    public var path: String
    /// Mode to set before the file becomes visible.
    public var mode: FileMode
    /// The bytes to write (may be secret: never logged).
    public var content: [UInt8]

    /// Creates a file write.
    public init(path: String, mode: FileMode, content: [UInt8]) {
        self.path = path
        self.mode = mode
        self.content = content
    }

    /// Hides the content in debug output.
    public var debugSummary: String { "\(path) (\(mode), \(content.count) bytes)" }
}

/// Directories, files and a check, applied on an instance in one round trip:
/// directories created with their modes, every file written atomically (temp file
/// in the same directory, chmod, rename) and verified by SHA-256, then the check.
public struct FileBatch: Sendable, Equatable {
    /// Directories to create first (absolute path, optional mode).
    public var directories: [(path: String, mode: FileMode?)]
    /// Files to write.
    public var files: [FileWrite]
    /// A command that must exit 0 afterwards.
    public var verify: CommandSpec?
    /// Files put in place only after everything else succeeded, the check included
    /// (runjob's state records: a record must never claim what did not happen).
    public var records: [FileWrite]
    /// A name for errors and logs (`credentials:claude`).
    public var label: String

    /// Creates a batch.
    public init(
        label: String, directories: [(path: String, mode: FileMode?)] = [], files: [FileWrite], verify: CommandSpec? = nil, records: [FileWrite] = []
    ) {
        self.label = label
        self.directories = directories
        self.files = files
        self.verify = verify
        self.records = records
    }

    /// Compares every part.
    public static func == (lhs: FileBatch, rhs: FileBatch) -> Bool {
        lhs.label == rhs.label && lhs.files == rhs.files && lhs.verify == rhs.verify && lhs.records == rhs.records
            && lhs.directories.map(\.path) == rhs.directories.map(\.path) && lhs.directories.map(\.mode) == rhs.directories.map(\.mode)
    }
}

/// A source of instances: boots them, finds them by label, runs commands on them,
/// moves files, and destroys them.
///
/// Implementations map their API's failures to ``ProviderError`` with a
/// `provider.*` code and context (instance, route), never secrets. Boot returns
/// only once the instance is ready and its home directory is known.
public protocol VMProvider: Sendable {
    /// The adapter kind (`local`, `morph`).
    var kind: String { get }

    /// Boots an instance for `request.machine` with `request.labels`; returns when it is ready.
    func boot(_ request: BootRequest) async throws -> Instance

    /// The instance with `id`, or `nil` when it does not exist (any more).
    func get(_ id: String) async throws -> Instance?

    /// Every instance carrying all of `labels`.
    func list(labels: [String: String]) async throws -> [Instance]

    /// Removes the instance and everything running on it; succeeds if it is already gone.
    func destroy(_ id: String) async throws

    /// Runs `command` and waits for it; `stdin` (possibly secret) is fed to it when given.
    func exec(_ id: String, _ command: CommandSpec, stdin: [UInt8]?) async throws -> ExecResult

    /// Applies a file batch in one round trip; throws when any file fails verification.
    func writeFiles(_ id: String, _ batch: FileBatch) async throws

    /// The bytes of the file at the absolute `path`, or `nil` when it does not exist.
    func readFile(_ id: String, path: String) async throws -> [UInt8]?

    /// Adds `labels` to the instance (replacing those with the same keys, keeping the others).
    func addLabels(_ id: String, _ labels: [String: String]) async throws

    /// Makes a found instance usable and returns it ready: waits for one that is still
    /// starting, resumes a paused one. Throws `provider.wrong_state` when it cannot be
    /// made ready (state `error`): replacing it is the caller's decision.
    func makeReady(_ instance: Instance) async throws -> Instance

    /// What identifies where this provider keeps instances (the kind, and the folder or
    /// account): two runs with the same scope, name and workspace share one lease.
    var leaseScope: String { get }

    /// Lets go of what the provider holds open for the whole run (the ssh provider's
    /// shared connections); called once when the run, or the command, ends, Ctrl-C
    /// included. Calls after it may open them again.
    func release() async
}

extension VMProvider {
    /// Providers that cannot change labels after boot say so (`provider.unsupported`).
    public func addLabels(_ id: String, _ labels: [String: String]) async throws {
        throw ProviderError(
            ErrorCode.Provider.unsupported, "the \(kind) provider cannot change an instance's labels", context: [.init("instance", id)])
    }

    /// The kind alone by default.
    public var leaseScope: String { kind }

    /// Nothing to let go of by default (HTTP clients are shared by the process).
    public func release() async {}

    /// Providers whose instances are always ready return them as they are; any other
    /// state is `provider.wrong_state`.
    public func makeReady(_ instance: Instance) async throws -> Instance {
        guard instance.status == .ready else {
            throw ProviderError(
                ErrorCode.Provider.wrongState, "the instance is `\(instance.status.rawValue)`, and the \(kind) provider cannot make it ready",
                context: [.init("instance", instance.id)])
        }
        return instance
    }
}
