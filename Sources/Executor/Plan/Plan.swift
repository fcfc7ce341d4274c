/// Digest of every secret value a plan uses, and which ones were missing.
///
/// Only a short prefix is ever shown; the full values stay in memory and on
/// the instance (which has the secrets anyway) to tell which profiles changed.
public struct SecretsDigest: Sendable, Equatable {
    /// SHA-256 (hex) over every scope digest.
    public var overall: String
    /// Per scope (`provider`, `credentials:<profile>`, `session:<name>`), SHA-256 hex of its secret values.
    public var scopes: [String: String]
    /// Secret sources whose value was missing; non-empty means the plan is partial.
    public var unresolved: [SecretSource]

    /// Creates a digest record.
    public init(overall: String, scopes: [String: String], unresolved: [SecretSource]) {
        self.overall = overall
        self.scopes = scopes
        self.unresolved = unresolved
    }

    /// Whether some secret value was missing (apply refuses partial plans).
    public var isPartial: Bool { !unresolved.isEmpty }

    /// The first 12 hex digits: enough to notice a change, too little to test guesses against.
    public var shortPrefix: String { String(overall.prefix(12)) }
}

/// A compiled manifest: everything `apply` needs, as a dependency-ordered list of steps.
///
/// Same manifest and environment → equal plans, and byte-identical JSON, in any process.
public struct Plan: Sendable {
    /// Version of the plan document format.
    public static let formatVersion = 1

    /// The manifest's `name`.
    public var name: String
    /// The manifest file as the user named it.
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
    /// Resources in declaration order.
    public var resources: [ResourceSpec] = []
    /// Steps in a valid execution order (every step after its dependencies).
    public var steps: [Step]
    /// For each step (same index), its wave: 1 + the highest wave of its dependencies.
    /// Steps of one wave can run at the same time.
    public var waves: [Int]
    /// SHA-256 (hex) of the RFC 8785 canonical JSON of every non-secret input.
    public var configDigest: String
    /// Digest of the secret values.
    public var secrets: SecretsDigest
    /// Secrets no spec holds that every output masks all the same (the tokens of the
    /// stored logins the manifest reads). Not part of any digest.
    public var companionSecrets: [Secret] = []

    /// Creates a plan. The planner is the usual way to get one.
    public init(
        name: String, source: String, provider: ProviderSpec, processManager: ProcessManagerSpec, machines: [MachineSpec],
        credentials: [CredentialProfileSpec], sessions: [SessionSpec], steps: [Step], waves: [Int], configDigest: String, secrets: SecretsDigest
    ) {
        self.name = name
        self.source = source
        self.provider = provider
        self.processManager = processManager
        self.machines = machines
        self.credentials = credentials
        self.sessions = sessions
        self.steps = steps
        self.waves = waves
        self.configDigest = configDigest
        self.secrets = secrets
    }

    /// The step with id `id`.
    public func step(_ id: StepID) -> Step? { steps.first { $0.id == id } }

    /// The machine named `name`.
    public func machine(_ name: String) -> MachineSpec? { machines.first { $0.name == name } }

    /// The session named `name`.
    public func session(_ name: String) -> SessionSpec? { sessions.first { $0.name == name } }

    /// The resource named `name`.
    public func resource(_ name: String) -> ResourceSpec? { resources.first { $0.name == name } }

    /// The profile named `name`.
    public func credentialProfile(_ name: String) -> CredentialProfileSpec? { credentials.first { $0.name == name } }

    /// Every secret the plan uses (for the run's redactor).
    public var allSecrets: [Secret] {
        provider.options.secrets + machines.flatMap(\.options.secrets) + credentials.flatMap(\.secrets)
            + sessions.flatMap(\.secrets) + processManager.options.secrets + resources.flatMap(\.secrets) + companionSecrets
    }
}
