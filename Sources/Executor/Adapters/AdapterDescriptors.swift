import Logging

/// What a VM provider adapter declares about itself: its name in manifests and
/// the options it accepts in the `provider:` block and in each machine.
public struct ProviderDescriptor: Sendable {
    /// The `provider.kind` value (`local`, `morph`, …).
    public var kind: String
    /// One line for help texts and the schema.
    public var summary: String
    /// Options of the `provider:` block besides `kind`.
    public var providerOptions: OptionSchema
    /// Options of each machine besides the common ones (`home`, `metadata`, `info`).
    public var machineOptions: OptionSchema
    /// Whether every path on an instance must stay inside it: its instances are folders
    /// on the machine running runjob (`local`), so an absolute path (a credential file,
    /// a `cwd`, a machine `home`) would land outside the instance and survive destroy.
    /// Validation then refuses absolute paths. `false`: absolute paths are the instance's own.
    public var pathsStayInInstance: Bool
    /// What `plan` should tell about these machines beyond their options (the ssh
    /// provider's `home: user`: which files destroy removes); none by default.
    public var planNotes: @Sendable (ProviderSpec, [MachineSpec]) -> [String]
    /// Makes the provider from the manifest's `provider:` block and this process's environment;
    /// throws a `ProviderError` saying why it cannot be used here.
    public var make: @Sendable (ProviderContext) throws -> MadeProvider

    /// Declares a provider adapter.
    public init(
        kind: String, summary: String, providerOptions: OptionSchema, machineOptions: OptionSchema, pathsStayInInstance: Bool = false,
        planNotes: @escaping @Sendable (ProviderSpec, [MachineSpec]) -> [String] = { _, _ in [] },
        make: @escaping @Sendable (ProviderContext) throws -> MadeProvider
    ) {
        self.planNotes = planNotes
        self.kind = kind
        self.summary = summary
        self.providerOptions = providerOptions
        self.machineOptions = machineOptions
        self.pathsStayInInstance = pathsStayInInstance
        self.make = make
    }
}

/// What a provider factory gets.
public typealias ProviderContext = AdapterContext

/// What an adapter factory gets (providers and resources).
public struct AdapterContext: Sendable {
    /// The adapter's options from the manifest (a `provider:` block, a `resources:` entry),
    /// validated against its schema.
    public var options: AdapterOptions
    /// The environment of the process (where the state folder is, API endpoints).
    public var environment: [String: String]
    /// A quick read-only look (`plan`, `status`, `logs` without `--follow`): give up on an
    /// unreachable API after seconds rather than retrying for minutes.
    public var preview: Bool
    /// The adapter's child logger (`runjob.<kind>`): log each API request at `debug`
    /// (method, route, status, duration), never a header or a body.
    public var logger: Logger
    /// The manifest's machines (a provider whose machines name existing hosts learns
    /// where to look for instances from them); empty for resources.
    public var machines: [MachineSpec]

    /// Creates a context; the logger writes nothing unless one is given.
    public init(
        options: AdapterOptions, environment: [String: String], preview: Bool = false, logger: Logger = .silent, machines: [MachineSpec] = []
    ) {
        self.options = options
        self.environment = environment
        self.preview = preview
        self.logger = logger
        self.machines = machines
    }
}

/// A provider made by its factory, and the secrets it holds besides the manifest's (an
/// API key read from the environment), which every output of a run redacts too.
public struct MadeProvider: Sendable {
    /// The provider.
    public var provider: any VMProvider
    /// Secrets the provider holds.
    public var secrets: [Secret]

    /// Creates the pair.
    public init(provider: any VMProvider, secrets: [Secret] = []) {
        self.provider = provider
        self.secrets = secrets
    }
}

/// What a process manager adapter declares: its name and the options of a
/// `process_manager: {kind: …}` block.
public struct ProcessManagerDescriptor: Sendable {
    /// The `process_manager` value (`shell`, `pm2`).
    public var kind: String
    /// One line for help texts and the schema.
    public var summary: String
    /// Options besides `kind`.
    public var options: OptionSchema
    /// Makes the process manager from the manifest's options.
    public var make: @Sendable (AdapterOptions) throws -> any ProcessManager

    /// Declares a process manager adapter.
    public init(kind: String, summary: String, options: OptionSchema, make: @escaping @Sendable (AdapterOptions) throws -> any ProcessManager) {
        self.kind = kind
        self.summary = summary
        self.options = options
        self.make = make
    }
}

/// What an agent adapter declares: its name in `agent:` and the session options it adds.
public struct AgentDescriptor: Sendable {
    /// The `agent:` value (`claude`, `codex`, `command`).
    public var kind: String
    /// One line for help texts and the schema.
    public var summary: String
    /// Session keys this agent adds beside the common ones.
    public var sessionOptions: OptionSchema
    /// Whether a session of this agent must have a `prompt`.
    public var requiresPrompt: Bool
    /// Largest prompt in bytes the agent accepts (`nil`: no limit).
    public var maxPromptBytes: Int?
    /// What the agent puts before a session's name to make its process name (`cc-`).
    public var processNamePrefix: String
    /// Makes the agent.
    public var make: @Sendable () -> any Agent

    /// Declares an agent adapter.
    public init(
        kind: String, summary: String, sessionOptions: OptionSchema, requiresPrompt: Bool, maxPromptBytes: Int? = nil, processNamePrefix: String = "",
        make: @escaping @Sendable () -> any Agent
    ) {
        self.make = make
        self.processNamePrefix = processNamePrefix
        self.kind = kind
        self.summary = summary
        self.sessionOptions = sessionOptions
        self.requiresPrompt = requiresPrompt
        self.maxPromptBytes = maxPromptBytes
    }
}

/// Every adapter the program knows, by kind: their option schemas for the validator
/// and the schema printer, and their factories for ``runtime(for:environment:preview:)``.
/// RunjobKit's `Adapters.registry` is the one list of every adapter.
public struct AdapterRegistry: Sendable {
    /// Provider adapters, in help order.
    public var providers: [ProviderDescriptor]
    /// Process manager adapters, in help order.
    public var processManagers: [ProcessManagerDescriptor]
    /// Agent adapters, in help order.
    public var agents: [AgentDescriptor]
    /// Login adapters (`${auth:NAME}`), in help order.
    public var logins: [LoginSourceDescriptor]
    /// Resource adapters (`resources: {NAME: {kind: …}}`), in help order.
    public var resources: [ResourceDescriptor]

    /// A registry of the given adapters.
    public init(
        providers: [ProviderDescriptor], processManagers: [ProcessManagerDescriptor], agents: [AgentDescriptor], logins: [LoginSourceDescriptor] = [],
        resources: [ResourceDescriptor] = []
    ) {
        self.providers = providers
        self.processManagers = processManagers
        self.agents = agents
        self.logins = logins
        self.resources = resources
    }

    /// The resource adapter of kind `kind`.
    public func resource(_ kind: String) -> ResourceDescriptor? { resources.first { $0.kind == kind } }

    /// The provider of kind `kind`.
    public func provider(_ kind: String) -> ProviderDescriptor? { providers.first { $0.kind == kind } }
    /// The process manager of kind `kind`.
    public func processManager(_ kind: String) -> ProcessManagerDescriptor? { processManagers.first { $0.kind == kind } }
    /// The agent of kind `kind`.
    public func agent(_ kind: String) -> AgentDescriptor? { agents.first { $0.kind == kind } }
    /// The login named `name`.
    public func login(_ name: String) -> LoginSourceDescriptor? { logins.first { $0.name == name } }

    /// The adapters `plan` names, made by their factories: its provider (and the secrets that
    /// provider holds), its process manager, and every agent. Throws the adapter's error when
    /// one cannot be used here, or `*.unsupported` for a kind this registry does not have.
    /// With a `logger` at `debug` or below, every provider call and remote command is logged
    /// (``LoggedProvider``) and the provider gets a child logger for its own requests.
    public func runtime(for plan: Plan, environment: [String: String], preview: Bool = false, logger: Logger = .silent) throws -> Runtime {
        guard let providerAdapter = provider(plan.provider.kind) else {
            throw ProviderError(
                ErrorCode.Provider.unsupported, "the `\(plan.provider.kind)` provider cannot run jobs in this build",
                context: [.init("provider", plan.provider.kind)])
        }
        guard let managerAdapter = processManager(plan.processManager.kind) else {
            throw ProcessError(
                ErrorCode.Process.unsupported, "the `\(plan.processManager.kind)` process manager cannot run sessions in this build")
        }
        let made = try providerAdapter.make(
            ProviderContext(
                options: plan.provider.options, environment: environment, preview: preview, logger: logger.child(plan.provider.kind),
                machines: plan.machines))
        let provider: any VMProvider = logger.logLevel <= .debug ? LoggedProvider(made.provider, logger: logger) : made.provider
        let manager = try managerAdapter.make(plan.processManager.options)
        var madeAgents: [String: any Agent] = [:]
        for agent in agents { madeAgents[agent.kind] = agent.make() }
        return Runtime(
            provider: provider, processManager: manager, agents: madeAgents, secrets: made.secrets,
            locking: FileDeploymentLocking.standard(environment: environment),
            resources: try resourceAdapters(for: plan, environment: environment, preview: preview, logger: logger))
    }

    /// The adapter of each of `plan`'s resources, by resource name; `resource.unsupported`
    /// for a kind this registry does not have.
    public func resourceAdapters(
        for plan: Plan, environment: [String: String], preview: Bool = false, logger: Logger = .silent
    ) throws -> [String: any ResourceProvider] {
        var made: [String: any ResourceProvider] = [:]
        for spec in plan.resources {
            guard let adapter = resource(spec.kind) else {
                throw ResourceError(
                    ErrorCode.Resource.unsupported, "the `\(spec.kind)` resource cannot be created in this build", context: [.init("resource", spec.name)])
            }
            made[spec.name] = try adapter.make(
                ResourceContext(options: spec.options, environment: environment, preview: preview, logger: logger.child(spec.kind)))
        }
        return made
    }
}
