/// Provider-neutral state of an instance.
public enum InstanceStatus: String, Sendable, Equatable, Codable {
    /// Starting or resuming; not usable yet.
    case booting
    /// Running: exec works.
    case ready
    /// Being paused or saved.
    case stopping
    /// Paused or stopped; may be resumable.
    case stopped
    /// Failed.
    case error
    /// A state this runjob does not know.
    case unknown
    /// Half-made or damaged: the provider found it but cannot read its record (a boot
    /// cut short, a corrupted labels file). Its labels may be partial; see ``Instance/problem``.
    /// `status` lists it and `destroy` removes it.
    case incomplete
}

/// An instance as a provider reports it.
public struct Instance: Sendable, Equatable {
    /// The provider's id (`morphvm_…`, a local folder name, …).
    public var id: String
    /// Current state.
    public var status: InstanceStatus
    /// Labels (Morph metadata): runjob's `runjob.*` identity and the manifest's own.
    public var labels: [String: String]
    /// Home directory, when known.
    public var home: String?
    /// Creation time, Unix seconds, when known.
    public var createdAt: Int?
    /// Why the instance is ``InstanceStatus/incomplete`` (for people), else `nil`.
    public var problem: String?
    /// An ``InstanceStatus/incomplete`` instance whose boot died before it was ever ready:
    /// nothing can have run in it, so apply removes it and boots afresh instead of asking
    /// for `--replace` (which a damaged instance, where sessions may run, still needs).
    public var neverReady: Bool

    /// Creates an instance record.
    public init(
        id: String, status: InstanceStatus, labels: [String: String], home: String? = nil, createdAt: Int? = nil, problem: String? = nil,
        neverReady: Bool = false
    ) {
        self.id = id
        self.status = status
        self.labels = labels
        self.home = home
        self.createdAt = createdAt
        self.problem = problem
        self.neverReady = neverReady
    }
}

/// The labels that identify runjob's instances, so any machine finds them again.
public enum InstanceLabel {
    /// The manifest `name`.
    public static let name = "runjob.name"
    /// The workspace (`--workspace`, default `default`).
    public static let workspace = "runjob.workspace"
    /// The machine name in the manifest.
    public static let machine = "runjob.machine"
    /// The config digest the instance was booted for.
    public static let config = "runjob.config"
    /// The run that booted it.
    public static let run = "runjob.run"
    /// A unique token per boot attempt (finds an instance after an ambiguous boot failure).
    public static let boot = "runjob.boot"
    /// Before a resource name: `runjob.resource.db=<id>` on every instance that uses resource `db`.
    public static let resourcePrefix = "runjob.resource."

    /// The label naming the resource `name` an instance uses.
    public static func resource(_ name: String) -> String { resourcePrefix + name }

    /// The resources `labels` name: resource name → id.
    public static func resources(in labels: [String: String]) -> [String: String] {
        var ids: [String: String] = [:]
        for (key, value) in labels where key.hasPrefix(resourcePrefix) { ids[String(key.dropFirst(resourcePrefix.count))] = value }
        return ids
    }
}

/// What a provider needs to boot one machine.
public struct BootRequest: Sendable {
    /// The machine spec.
    public var machine: MachineSpec
    /// Every label to attach: the manifest's metadata plus runjob's identity labels.
    public var labels: [String: String]

    /// Creates a boot request.
    public init(machine: MachineSpec, labels: [String: String]) {
        self.machine = machine
        self.labels = labels
    }
}

/// The outcome of one command on an instance.
public struct ExecResult: Sendable, Equatable {
    /// The exit status (128+n after signal n, where the provider can tell).
    public var exitCode: Int32
    /// Standard output bytes.
    public var stdout: [UInt8]
    /// Standard error bytes.
    public var stderr: [UInt8]

    /// Creates a result.
    public init(exitCode: Int32, stdout: [UInt8] = [], stderr: [UInt8] = []) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Standard output as text (invalid UTF-8 repaired).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error as text (invalid UTF-8 repaired).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}
