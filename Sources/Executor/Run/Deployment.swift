/// What already exists on the provider for a manifest in a workspace, found by
/// labels (so any machine sees the same), and what apply would do about it.
public struct Deployment: Sendable {
    /// What apply would do with one machine.
    public enum Action: Sendable, Equatable {
        /// No instance: boot one.
        case create
        /// An instance booted for this config: reuse it.
        case reuse(Instance)
        /// An instance booted for another config: replace it (only with `--replace`).
        case replace(Instance)
        /// Several instances claim the machine.
        case ambiguous([Instance])
    }

    /// The plan's machines, in order, with what to do.
    public var actions: [(machine: String, action: Action)]
    /// Records read from reused instances, by instance id.
    public var states: [String: InstanceState]
    /// Instances of this name and workspace for machines the manifest no longer has.
    public var strays: [Instance]
    /// The labels that find this deployment.
    public var labels: [String: String]

    /// The labels of a manifest in a workspace.
    public static func labels(name: String, workspace: String) -> [String: String] {
        [InstanceLabel.name: name, InstanceLabel.workspace: workspace]
    }

    /// Finds the deployment of `plan` in `workspace`: one list call, plus one
    /// read-only state read per reused or replaced instance when `readState`.
    public static func discover(plan: Plan, workspace: String, provider: any VMProvider, readState: Bool = true) async throws -> Deployment {
        let labels = labels(name: plan.name, workspace: workspace)
        let instances = try await provider.list(labels: labels)
        var byMachine: [String: [Instance]] = [:]
        for instance in instances { byMachine[instance.labels[InstanceLabel.machine] ?? "", default: []].append(instance) }
        var actions: [(String, Action)] = []
        var states: [String: InstanceState] = [:]
        for machine in plan.machines {
            let found = (byMachine[machine.name] ?? []).sorted { $0.id < $1.id }
            let action: Action
            switch found.count {
            case 0: action = .create
            case 1: action = found[0].labels[InstanceLabel.config] == plan.configDigest ? .reuse(found[0]) : .replace(found[0])
            default: action = .ambiguous(found)
            }
            if readState {
                switch action {
                case .reuse(let instance), .replace(let instance):
                    states[instance.id] = try await InstanceState.read(from: provider, instance: instance.id)
                default: break
                }
            }
            actions.append((machine.name, action))
        }
        let planned = Set(plan.machines.map(\.name))
        let strays = instances.filter { !planned.contains($0.labels[InstanceLabel.machine] ?? "") }.sorted { $0.id < $1.id }
        return Deployment(actions: actions, states: states, strays: strays, labels: labels)
    }

    /// Creates a deployment view.
    public init(actions: [(machine: String, action: Action)], states: [String: InstanceState], strays: [Instance], labels: [String: String]) {
        self.actions = actions
        self.states = states
        self.strays = strays
        self.labels = labels
    }

    /// The action for `machine`.
    public func action(for machine: String) -> Action? {
        actions.first { $0.machine == machine }?.action
    }

    /// Whether some instance was booted for another config (or a machine was removed).
    public var configChanged: Bool {
        !strays.isEmpty || actions.contains { if case .replace = $0.action { true } else { false } }
    }

    /// Every instance that exists for this deployment.
    public var existingInstances: [Instance] {
        actions.flatMap { entry -> [Instance] in
            switch entry.action {
            case .create: []
            case .reuse(let instance), .replace(let instance): [instance]
            case .ambiguous(let instances): instances
            }
        } + strays
    }

    /// What changed in the config, field by field, from the first replaced instance's record.
    public func configDifferences(to plan: Plan, limit: Int = 20) -> [String] {
        var lines: [String] = []
        for entry in actions {
            guard case .replace(let instance) = entry.action else { continue }
            if let old = states[instance.id]?.configDocument {
                lines = ConfigDocument.differences(from: old, to: ConfigDocument.of(plan), limit: limit)
            } else {
                lines = ["config digest \(instance.labels[InstanceLabel.config] ?? "?") → \(plan.configDigest) (the old config is not recorded)"]
            }
            break
        }
        for stray in strays {
            lines.append("machines.\(stray.labels[InstanceLabel.machine] ?? "?"): present (\(stray.id)) → (absent)")
        }
        return lines
    }

    /// What apply would change, for `plan`.
    public func summary(for plan: Plan) -> ChangeSummary {
        if configChanged { return .replace }
        var creates = 0
        var updates: [String] = []
        for entry in actions {
            switch entry.action {
            case .create: creates += 1
            case .ambiguous: updates.append("machine \(entry.machine) has several instances")
            case .replace: break
            case .reuse(let instance):
                let state = states[instance.id] ?? InstanceState()
                if state.machineInfoConfig != plan.configDigest { updates.append("machine info of \(entry.machine)") }
                for step in plan.steps where step.machine == entry.machine {
                    switch step.action {
                    case .credentials(let profile):
                        if state.credentials[profile.name] != plan.secrets.scopes["credentials:\(profile.name)", default: ""] {
                            updates.append("credentials \(profile.name) on \(entry.machine)")
                        }
                    case .start(let session):
                        if state.sessions[session.name] == nil { updates.append("start \(session.name)") }
                    default: break
                    }
                }
            }
        }
        if creates == actions.count && creates > 0 { return .create }
        if creates > 0 { updates.insert("\(creates) machine\(creates == 1 ? "" : "s") to boot", at: 0) }
        return updates.isEmpty ? .noChanges : .update(updates)
    }
}

/// What apply would do to what exists.
public enum ChangeSummary: Sendable, Equatable {
    /// Everything is in place: apply is a no-op.
    case noChanges
    /// Nothing exists yet: apply creates everything.
    case create
    /// Some parts are missing or their secrets changed: apply completes them.
    case update([String])
    /// The config changed: apply refuses unless `--replace` (then replaces the instances).
    case replace

    /// Whether apply would change anything.
    public var hasChanges: Bool { self != .noChanges }

    /// One line for people.
    public var sentence: String {
        switch self {
        case .noChanges: "no changes"
        case .create: "will create"
        case .update(let parts): "will update: " + parts.joined(separator: ", ")
        case .replace: "will replace (the config changed; apply needs --replace)"
        }
    }
}
