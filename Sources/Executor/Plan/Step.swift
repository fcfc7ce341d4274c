/// What a step does, with the spec it needs to do it.
public enum StepAction: Sendable, Equatable {
    /// Create the resource, or find the one the deployment already uses.
    case resource(ResourceSpec)
    /// Boot (or find) the machine's instance.
    case boot(MachineSpec)
    /// Write `~/.machine.json` on the machine.
    case machineInfo(MachineSpec)
    /// Install the profile on the machine named in the step id.
    case credentials(CredentialProfileSpec)
    /// Start the session.
    case start(SessionSpec)
    /// Wait for the session to complete.
    case wait(SessionSpec)
}

/// One node of the plan's dependency graph.
public struct Step: Sendable, Equatable {
    /// The step's identity.
    public var id: StepID
    /// Steps that must finish successfully first, sorted.
    public var dependsOn: [StepID]
    /// The machine the step acts on (empty for a resource: it lives outside every machine).
    public var machine: String
    /// What it does.
    public var action: StepAction

    /// Creates a step.
    public init(id: StepID, dependsOn: [StepID], machine: String, action: StepAction) {
        self.id = id
        self.dependsOn = dependsOn
        self.machine = machine
        self.action = action
    }

    /// The kind of step.
    public var kind: StepKind { id.kind }

    /// Whether a failure of this step lets the run go on (an `optional: true` resource).
    public var isOptional: Bool {
        if case .resource(let resource) = action { resource.optional } else { false }
    }

    /// The step's inputs as the plan shows them: non-secret values, secrets as placeholders.
    public var inputs: JSONValue {
        switch action {
        case .resource(let resource): resource.json()
        case .boot(let machine): machine.json()
        case .machineInfo(let machine):
            .object(["info": machine.info, "mode": .string(FileMode.ownerWriteGroupRead.description), "path": .string("~/.machine.json")])
        case .credentials(let profile): profile.json()
        case .start(let session): session.json()
        case .wait(let session): .object(["condition": .string("completed"), "session": .string(session.name)])
        }
    }
}
