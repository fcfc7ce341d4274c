/// The state of a deployment for `runjob status`: every machine's instance and
/// every session's process, read without changing anything — also instances that
/// are paused, still starting, in error, damaged or left over by a race.
public struct DeploymentStatus: Sendable {
    /// One session.
    public struct Session: Sendable {
        public var name: String
        public var machine: String
        /// Where it runs, when it was started.
        public var record: InstanceState.SessionRecord?
        /// Whether its record on the instance exists but cannot be read.
        public var recordDamaged: Bool = false
        /// What the process manager says, when it was started.
        public var process: ProcessState?
        /// For a finished agent session: the agent's own result (`nil` when it reported none).
        public var result: SessionResult?
        /// For an agent session: its kind.
        public var agent: String?
    }

    /// One machine.
    public struct Machine: Sendable {
        public var name: String
        /// Its instance, when one exists.
        public var instance: Instance?
        /// Whether the instance was booted for the manifest's current config.
        public var configMatches: Bool
        /// Why the instance cannot be used, or why its sessions were not read (paused, starting).
        public var problem: String?
        /// Further instances of the machine (left by boots that raced); apply removes them.
        public var duplicates: [Instance]
        public var sessions: [Session]
    }

    /// One resource: declared in the manifest, or named by an instance's label.
    public struct Resource: Sendable {
        public var name: String
        /// The adapter kind (`nil` for a resource the manifest no longer declares).
        public var kind: String?
        /// Its id, when an instance uses one.
        public var id: String?
        /// The non-secret outputs, from the record on the instance.
        public var outputs: [String: String]
        /// The instance whose label or record named it.
        public var instance: String?
        /// Whether the manifest still declares it.
        public var declared: Bool
    }

    /// The manifest's name.
    public var name: String
    /// The workspace.
    public var workspace: String
    /// Machines in manifest order.
    public var machines: [Machine]
    /// Instances of the deployment that belong to no machine of the manifest (removed
    /// machines, damaged folders): `destroy` removes them.
    public var others: [Instance]
    /// What apply would do.
    public var change: ChangeSummary
    /// Resources in manifest order, then those only labels name.
    public var resources: [Resource] = []
    /// The secret outputs of those resources (never printed): a redactor for this status
    /// must know them, since a session's result may quote its token.
    public var resourceSecrets: [Secret] = []

    /// Reads the status of `plan`'s deployment in `workspace` (read-only calls only:
    /// one list, and per ready instance one records read and one process list).
    public static func collect(plan: Plan, workspace: String, runtime: Runtime) async throws -> DeploymentStatus {
        let deployment = try await Deployment.discover(
            plan: plan, workspace: workspace, provider: runtime.provider, processManager: runtime.processManager)
        var machines: [Machine] = []
        for machine in plan.machines {
            let action = deployment.action(for: machine.name)
            let instance = action?.instance
            var entry = Machine(
                name: machine.name, instance: instance, configMatches: action.map { if case .reuse = $0 { true } else { false } } ?? false,
                duplicates: deployment.duplicates[machine.name] ?? [], sessions: [])
            if case .unusable(_, let reason)? = action { entry.problem = reason }
            if let instance, entry.problem == nil, instance.status != .ready {
                entry.problem = "\(instance.status.rawValue): its sessions are not read until `apply` \(instance.status == .stopped ? "resumes" : "waits for") it"
            }
            let state = instance.flatMap { deployment.states[$0.id] }
            let processes = instance.flatMap { deployment.processes[$0.id] } ?? []
            for session in plan.sessions where session.machine == machine.name {
                var item = Session(name: session.name, machine: machine.name, agent: session.agentKind)
                item.record = state?.sessions[session.name]
                item.recordDamaged = state?.unreadableSessions.contains(session.name) ?? false
                let process = item.record?.process ?? SessionProcesses.processName(for: session, agents: runtime.agents)
                item.process =
                    processes.first { $0.name == process && $0.status == .running }
                    ?? item.record.flatMap { record in processes.first { $0.name == process && $0.run == record.run } }
                if let instance, let ran = item.process, ran.isFinished, let kind = session.agentKind, let agent = runtime.agents[kind],
                    let home = instance.home ?? state?.home
                {
                    let target = ProcessTarget(provider: runtime.provider, instance: instance.id, home: home, run: ran.run)
                    item.result = agent.result(fromOutput: try await runtime.processManager.outputTail(ran.name, on: target))
                }
                entry.sessions.append(item)
            }
            machines.append(entry)
        }
        var status = DeploymentStatus(
            name: plan.name, workspace: workspace, machines: machines, others: deployment.strays + deployment.unattributed + deployment.abandoned,
            change: deployment.summary(for: plan, agents: runtime.agents))
        // What each adapter declares decides which outputs are shown (none of an undeclared one); the records only supply values.
        let found = await Teardown.resources(of: deployment.existingInstances, provider: runtime.provider, adapters: runtime.resources)
        status.resources = resources(plan: plan, found: found)
        status.resourceSecrets = found.flatMap { $0.values?.secrets(resource: $0.name) ?? [] }
        return status
    }

    /// The plan's resources with what the instances' labels and records say (non-secret outputs only).
    static func resources(plan: Plan, found: [Teardown.FoundResource]) -> [Resource] {
        var list: [Resource] = plan.resources.map { spec in
            let match = found.first { $0.name == spec.name }
            return Resource(
                name: spec.name, kind: spec.kind, id: match?.id, outputs: match?.values?.plainOutputs ?? [:], instance: match?.instance, declared: true)
        }
        for other in found where plan.resource(other.name) == nil {
            list.append(
                Resource(name: other.name, kind: other.values?.kind, id: other.id, outputs: other.values?.plainOutputs ?? [:], instance: other.instance, declared: false))
        }
        return list
    }

    /// The session's process target and name, for `runjob logs`: from `deployment`
    /// (discovered once for any number of sessions), a live process of the session
    /// first, else the recorded one.
    public static func locateSession(_ name: String, plan: Plan, deployment: Deployment, runtime: Runtime) throws -> (
        target: ProcessTarget, process: String
    ) {
        guard let session = plan.session(name) else {
            throw OrchestrationError(
                ErrorCode.Orchestration.sessionNotFound,
                "the manifest has no session `\(name)` (sessions: \(plan.sessions.map(\.name).joined(separator: ", ")))")
        }
        guard let instance = deployment.instance(for: session.machine) else {
            throw OrchestrationError(
                ErrorCode.Orchestration.instanceMissing,
                "machine `\(session.machine)` of \(plan.name) has no instance in workspace `\(deployment.labels[InstanceLabel.workspace] ?? "?")`; run `runjob apply` first",
                context: [.init("machine", session.machine)])
        }
        guard instance.status == .ready, let state = deployment.states[instance.id], let home = instance.home ?? state.home else {
            throw OrchestrationError(
                ErrorCode.Orchestration.instanceUnusable,
                "the instance \(instance.id) of machine `\(session.machine)` is \(instance.status.rawValue), so its logs cannot be read"
                    + (instance.status == .stopped ? "; `runjob apply` resumes it" : ""),
                context: [.init("instance", instance.id)])
        }
        let record = state.sessions[name]
        let process = record?.process ?? SessionProcesses.processName(for: session, agents: runtime.agents)
        let processes = deployment.processes[instance.id] ?? []
        let run =
            processes.first { $0.name == process && $0.status == .running }?.run
            ?? record?.run
            ?? processes.last { $0.name == process }?.run
        guard let run else {
            throw OrchestrationError(
                ErrorCode.Orchestration.sessionNotFound, "session `\(name)` has not been started on \(instance.id)",
                context: [.init("instance", instance.id)])
        }
        return (ProcessTarget(provider: runtime.provider, instance: instance.id, home: home, run: run), process)
    }

    /// The session's process target and name, for `runjob logs` of one session.
    public static func locateSession(_ name: String, plan: Plan, workspace: String, runtime: Runtime) async throws -> (
        target: ProcessTarget, process: String
    ) {
        let deployment = try await Deployment.discover(
            plan: plan, workspace: workspace, provider: runtime.provider, processManager: runtime.processManager)
        return try locateSession(name, plan: plan, deployment: deployment, runtime: runtime)
    }

    /// The home directory of `instance` (asked of the instance when the provider does not report it).
    public static func home(of instance: Instance, runtime: Runtime) async throws -> String {
        if let home = instance.home { return home }
        let result = try await runtime.provider.exec(
            instance.id, CommandSpec(.shell("printf '%s' \"$HOME\""), label: "home", readOnly: true), stdin: nil)
        return result.stdoutText.trimmingASCIIWhitespace()
    }
}
