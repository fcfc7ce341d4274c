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
