import Executor

/// A validated manifest, typed: what the planner compiles into a plan.
public struct Manifest: Sendable {
    /// The format version (always 1 today).
    public var version: Int
    /// The job's name.
    public var name: String
    /// Free text.
    public var description: String?
    /// The file as the user named it (`-` reads as `<stdin>`).
    public var source: String
    /// The provider block.
    public var provider: ProviderSpec
    /// The process manager block.
    public var processManager: ProcessManagerSpec
    /// Machines in declaration order.
    public var machines: [MachineSpec]
    /// Credential profiles in declaration order.
    public var credentials: [CredentialProfileSpec]
    /// Sessions in declaration order.
    public var sessions: [SessionSpec]
    /// Warnings found while reading (the manifest is still valid).
    public var warnings: [ManifestDiagnostic]
    /// Sources whose value was missing (unset variables, missing files), sorted and unique.
    public var unresolvedSources: [SecretSource]
    /// Resources in declaration order (`resources:`).
    public var resources: [ResourceSpec] = []
    /// The stored logins `${auth:…}` references use, in registry order.
    public var logins: [LoginUse] = []
    /// Every token those logins hold (the access token inside `${auth:claude}` too, and a
    /// handed-over login's): not part of any spec, but masked in every output.
    public var loginSecrets: [Secret] = []

    /// Creates a manifest. ``ManifestLoader`` is the usual way to get one.
    public init(
        version: Int, name: String, description: String?, source: String, provider: ProviderSpec, processManager: ProcessManagerSpec,
        machines: [MachineSpec], credentials: [CredentialProfileSpec], sessions: [SessionSpec], warnings: [ManifestDiagnostic] = [],
        unresolvedSources: [SecretSource] = []
    ) {
        self.version = version
        self.name = name
        self.description = description
        self.source = source
        self.provider = provider
        self.processManager = processManager
        self.machines = machines
        self.credentials = credentials
        self.sessions = sessions
        self.warnings = warnings
        self.unresolvedSources = unresolvedSources
    }
}

/// A stored login a manifest uses through `${auth:…}`.
public struct LoginUse: Sendable, Equatable {
    /// The login's name (`claude`).
    public var name: String
    /// How long its token must stay valid when apply resolves it (milliseconds).
    public var minValidityMilliseconds: Int
    /// The one machine a value that hands the login over (`${auth:claude.handover}`)
    /// reaches; `nil` when no such value is used.
    public var handoverMachine: String?
    /// Whether the login was available when the manifest was read.
    public var isAvailable: Bool

    /// Creates a use.
    public init(name: String, minValidityMilliseconds: Int, handoverMachine: String? = nil, isAvailable: Bool) {
        self.name = name
        self.minValidityMilliseconds = minValidityMilliseconds
        self.handoverMachine = handoverMachine
        self.isAvailable = isAvailable
    }
}
