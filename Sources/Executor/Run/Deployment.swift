/// What already exists on the provider for a manifest in a workspace, found by
/// labels (so any machine sees the same), and what apply would do about it.
///
/// When two boots raced and a machine has several instances, the oldest one
/// (creation time, then boot token, then id: the same order for every reader)
/// is the machine's instance and the others are ``duplicates`` that apply removes.
public struct Deployment: Sendable {
    /// What apply would do with one machine.
    public enum Action: Sendable, Equatable {
        /// No instance: boot one.
        case create
        /// An instance booted for this config: reuse it (after waiting for it or resuming it when it is not ready).
        case reuse(Instance)
        /// An instance booted for another config: replace it (only with `--replace`).
        case replace(Instance)
        /// An instance that cannot be used (state `error`, a damaged record): replace it (only with `--replace`).
        case unusable(Instance, reason: String)

        /// Whether the instance cannot be used as it is.
        public var isUnusable: Bool {
            if case .unusable = self { true } else { false }
        }

        /// The instance the action is about, if any.
        public var instance: Instance? {
            switch self {
            case .create: nil
            case .reuse(let instance), .replace(let instance), .unusable(let instance, _): instance
            }
        }
    }

    /// The plan's machines, in order, with what to do.
    public var actions: [(machine: String, action: Action)]
    /// Extra instances of a machine (from boots that raced), by machine: apply removes them.
    public var duplicates: [String: [Instance]]
    /// Records read from reused or replaced instances that are ready, by instance id.
    public var states: [String: InstanceState]
    /// Every session process the process manager knows, by instance id (read with the states).
    public var processes: [String: [ProcessState]]
    /// Instances of this name and workspace for machines the manifest no longer has.
    public var strays: [Instance]
    /// Damaged instances of this name and workspace whose machine cannot be told.
    public var unattributed: [Instance]
    /// Boots of this name and workspace that died before their instance was ready and
    /// whose machine cannot be told: nothing ran in them, so apply removes them unasked.
    public var abandoned: [Instance]
    /// The labels that find this deployment.
    public var labels: [String: String]

    /// The labels of a manifest in a workspace.
    public static func labels(name: String, workspace: String) -> [String: String] {
        [InstanceLabel.name: name, InstanceLabel.workspace: workspace]
    }

    /// The order that picks a machine's instance among several: oldest first, the same for every reader.
    public static func precedes(_ lhs: Instance, _ rhs: Instance) -> Bool {
        let left = (lhs.createdAt ?? Int.max, lhs.labels[InstanceLabel.boot] ?? "~", lhs.id)
        let right = (rhs.createdAt ?? Int.max, rhs.labels[InstanceLabel.boot] ?? "~", rhs.id)
        return left < right
    }

    /// Finds the deployment of `plan` in `workspace`: one list call, plus, when
    /// `readState`, one read-only state read per ready instance and (with a
    /// `processManager`) one read-only list of its session processes.
    public static func discover(
        plan: Plan, workspace: String, provider: any VMProvider, processManager: (any ProcessManager)? = nil, readState: Bool = true
    ) async throws -> Deployment {
        let labels = labels(name: plan.name, workspace: workspace)
        let instances = try await provider.list(labels: labels)
        var byMachine: [String: [Instance]] = [:]
        var unattributed: [Instance] = []
        var abandoned: [Instance] = []
        for instance in instances {
            guard let machine = instance.labels[InstanceLabel.machine] else {
                if instance.neverReady { abandoned.append(instance) } else { unattributed.append(instance) }
                continue
            }
            byMachine[machine, default: []].append(instance)
        }
        var actions: [(String, Action)] = []
        var duplicates: [String: [Instance]] = [:]
        var states: [String: InstanceState] = [:]
        var processes: [String: [ProcessState]] = [:]
        for machine in plan.machines {
            let all = (byMachine[machine.name] ?? []).sorted(by: precedes)
            // Boots that died before their instance was ever ready are removed like duplicates, never chosen.
            let found = all.filter { !$0.neverReady }
            let abandoned = all.filter(\.neverReady)
            guard let chosen = found.first else {
                if !abandoned.isEmpty { duplicates[machine.name] = abandoned }
                actions.append((machine.name, .create))
                continue
            }
            if all.count > 1 { duplicates[machine.name] = Array(found.dropFirst()) + abandoned }
            let action: Action
            if let reason = unusableReason(chosen) {
                action = .unusable(chosen, reason: reason)
            } else {
                action = chosen.labels[InstanceLabel.config] == plan.configDigest ? .reuse(chosen) : .replace(chosen)
            }
            if readState, chosen.status == .ready, !action.isUnusable {
                let state = try await InstanceState.read(from: provider, instance: chosen.id)
                states[chosen.id] = state
                if let processManager, let home = chosen.home ?? state.home {
                    // Any run: the target's run only names where a start would go.
                    let target = ProcessTarget(provider: provider, instance: chosen.id, home: home, run: "-")
                    processes[chosen.id] = try await processManager.list(on: target)
                }
            }
            actions.append((machine.name, action))
        }
        let planned = Set(plan.machines.map(\.name))
        let strays = instances.filter { instance in
            guard let machine = instance.labels[InstanceLabel.machine] else { return false }
            return !planned.contains(machine)
        }.sorted { $0.id < $1.id }
        return Deployment(
            actions: actions, duplicates: duplicates, states: states, processes: processes, strays: strays,
            unattributed: unattributed.sorted { $0.id < $1.id }, abandoned: abandoned.sorted { $0.id < $1.id }, labels: labels)
    }

    /// Why an instance cannot be reused as it is, or `nil` when it can (possibly after waiting or resuming).
    static func unusableReason(_ instance: Instance) -> String? {
        switch instance.status {
        case .ready, .booting, .stopped: nil
        case .error: "the provider reports it in state `error`"
        case .incomplete: instance.problem ?? "its record is missing or damaged"
        case .stopping: "it is being paused or saved"
        case .unknown: "the provider reports a state runjob does not know"
        }
    }

    /// Creates a deployment view.
    public init(
        actions: [(machine: String, action: Action)], duplicates: [String: [Instance]] = [:], states: [String: InstanceState],
        processes: [String: [ProcessState]] = [:], strays: [Instance], unattributed: [Instance] = [], abandoned: [Instance] = [],
        labels: [String: String]
    ) {
        self.actions = actions
        self.duplicates = duplicates
        self.states = states
        self.processes = processes
        self.strays = strays
        self.unattributed = unattributed
        self.abandoned = abandoned
        self.labels = labels
    }

    /// The action for `machine`.
    public func action(for machine: String) -> Action? {
        actions.first { $0.machine == machine }?.action
    }

    /// The instance that stands for `machine` (whatever its state), if any.
    public func instance(for machine: String) -> Instance? {
        action(for: machine)?.instance
    }

    /// Whether some instance was booted for another config (or a machine was removed).
    public var configChanged: Bool {
        !strays.isEmpty || actions.contains { if case .replace = $0.action { true } else { false } }
    }

    /// Why apply needs `--replace` besides a changed config: unusable and damaged instances, one line each.
    public var unusable: [String] {
        actions.compactMap { entry -> String? in
            guard case .unusable(let instance, let reason) = entry.action else { return nil }
            return "machine \(entry.machine): instance \(instance.id) cannot be used: \(reason)"
        } + unattributed.map { "instance \($0.id) belongs to no machine runjob can tell: \($0.problem ?? "its record is damaged")" }
    }

    /// Whether apply refuses to run without `--replace`.
    public var needsReplace: Bool { configChanged || !unusable.isEmpty }

    /// Every instance that exists for this deployment.
    public var existingInstances: [Instance] {
        actions.compactMap(\.action.instance) + duplicates.keys.sorted().flatMap { duplicates[$0] ?? [] } + strays + unattributed + abandoned
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
}
