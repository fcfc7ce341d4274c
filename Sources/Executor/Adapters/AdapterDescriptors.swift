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

    /// Declares a provider adapter.
    public init(kind: String, summary: String, providerOptions: OptionSchema, machineOptions: OptionSchema, pathsStayInInstance: Bool = false) {
        self.kind = kind
        self.summary = summary
        self.providerOptions = providerOptions
        self.machineOptions = machineOptions
        self.pathsStayInInstance = pathsStayInInstance
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

    /// Declares a process manager adapter.
    public init(kind: String, summary: String, options: OptionSchema) {
        self.kind = kind
        self.summary = summary
        self.options = options
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

    /// Declares an agent adapter.
    public init(
        kind: String, summary: String, sessionOptions: OptionSchema, requiresPrompt: Bool, maxPromptBytes: Int? = nil, processNamePrefix: String = ""
    ) {
        self.processNamePrefix = processNamePrefix
        self.kind = kind
        self.summary = summary
        self.sessionOptions = sessionOptions
        self.requiresPrompt = requiresPrompt
        self.maxPromptBytes = maxPromptBytes
    }
}

/// Every adapter the program knows, by kind. Built by the CLI (the only place
/// that knows every adapter) and handed to the validator, the schema printer and
/// the executor.
public struct AdapterRegistry: Sendable {
    /// Provider adapters, in help order.
    public var providers: [ProviderDescriptor]
    /// Process manager adapters, in help order.
    public var processManagers: [ProcessManagerDescriptor]
    /// Agent adapters, in help order.
    public var agents: [AgentDescriptor]

    /// A registry of the given adapters.
    public init(providers: [ProviderDescriptor], processManagers: [ProcessManagerDescriptor], agents: [AgentDescriptor]) {
        self.providers = providers
        self.processManagers = processManagers
        self.agents = agents
    }

    /// The provider of kind `kind`.
    public func provider(_ kind: String) -> ProviderDescriptor? { providers.first { $0.kind == kind } }
    /// The process manager of kind `kind`.
    public func processManager(_ kind: String) -> ProcessManagerDescriptor? { processManagers.first { $0.kind == kind } }
    /// The agent of kind `kind`.
    public func agent(_ kind: String) -> AgentDescriptor? { agents.first { $0.kind == kind } }
}
