/// The state of a deployment for `runjob status`: every machine's instance and
/// every session's process, read without changing anything.
public struct DeploymentStatus: Sendable {
    /// One session.
    public struct Session: Sendable {
        public var name: String
        public var machine: String
        /// Where it runs, when it was started.
        public var record: InstanceState.SessionRecord?
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
        public var sessions: [Session]
    }

    /// The manifest's name.
    public var name: String
    /// The workspace.
    public var workspace: String
    /// Machines in manifest order.
    public var machines: [Machine]
    /// What apply would do.
    public var change: ChangeSummary

    /// Reads the status of `plan`'s deployment in `workspace` (read-only calls only).
    public static func collect(plan: Plan, workspace: String, runtime: Runtime) async throws -> DeploymentStatus {
        let deployment = try await Deployment.discover(plan: plan, workspace: workspace, provider: runtime.provider)
        var machines: [Machine] = []
        for machine in plan.machines {
            var instance: Instance?
            var matches = false
            switch deployment.action(for: machine.name) {
            case .reuse(let found)?: instance = found; matches = true
            case .replace(let found)?: instance = found
            case .ambiguous(let found)?: instance = found.first
            case .create?, nil: break
            }
            var sessions: [Session] = []
            var home: String?
            for session in plan.sessions where session.machine == machine.name {
                var entry = Session(name: session.name, machine: machine.name, agent: session.agentKind)
                if let instance, let record = deployment.states[instance.id]?.sessions[session.name] {
                    entry.record = record
                    if home == nil { home = try await Self.home(of: instance, runtime: runtime) }
                    let target = ProcessTarget(provider: runtime.provider, instance: instance.id, home: home ?? "", run: record.run)
                    entry.process = try await runtime.processManager.status(record.process, on: target)
                    if let kind = session.agentKind, let agent = runtime.agents[kind], entry.process?.isFinished == true {
                        let output = try await runtime.processManager.logs(record.process, stream: .stdout, on: target, from: nil, tail: nil)
                        entry.result = agent.result(fromOutput: output.bytes)
                    }
                }
                sessions.append(entry)
            }
            machines.append(Machine(name: machine.name, instance: instance, configMatches: matches, sessions: sessions))
        }
        return DeploymentStatus(name: plan.name, workspace: workspace, machines: machines, change: deployment.summary(for: plan))
    }

    /// Where a recorded session's files are.
    static func locate(_ record: InstanceState.SessionRecord, instance: Instance, runtime: Runtime) async throws -> ProcessTarget {
        let home = try await home(of: instance, runtime: runtime)
        return ProcessTarget(provider: runtime.provider, instance: instance.id, home: home, run: record.run)
    }

    static func home(of instance: Instance, runtime: Runtime) async throws -> String {
        if let home = instance.home { return home }
        let result = try await runtime.provider.exec(
            instance.id, CommandSpec(.shell("printf '%s' \"$HOME\""), label: "home", readOnly: true), stdin: nil)
        return result.stdoutText.trimmingASCIIWhitespace()
    }

    /// The session's process target and name, for `runjob logs`.
    public static func locateSession(_ name: String, plan: Plan, workspace: String, runtime: Runtime) async throws -> (
        target: ProcessTarget, process: String
    ) {
        guard let session = plan.session(name) else {
            throw OrchestrationError(
                ErrorCode.Orchestration.sessionNotFound,
                "the manifest has no session `\(name)` (sessions: \(plan.sessions.map(\.name).joined(separator: ", ")))")
        }
        let deployment = try await Deployment.discover(plan: plan, workspace: workspace, provider: runtime.provider)
        let instance: Instance
        switch deployment.action(for: session.machine) {
        case .reuse(let found)?, .replace(let found)?: instance = found
        case .ambiguous(let found)?:
            guard let first = found.first else { fallthrough }
            instance = first
        default:
            throw OrchestrationError(
                ErrorCode.Orchestration.instanceMissing,
                "machine `\(session.machine)` of \(plan.name) has no instance in workspace `\(workspace)`; run `runjob apply` first",
                context: [.init("machine", session.machine)])
        }
        guard let record = deployment.states[instance.id]?.sessions[name] else {
            throw OrchestrationError(
                ErrorCode.Orchestration.sessionNotFound, "session `\(name)` has not been started on \(instance.id)",
                context: [.init("instance", instance.id)])
        }
        return (try await locate(record, instance: instance, runtime: runtime), record.process)
    }

    /// The status as a JSON document (`runjob status --output json`).
    public var json: JSONValue {
        let machineValues: [JSONValue] = machines.map(Self.json(machine:))
        return .object([
            "name": .string(name), "workspace": .string(workspace), "change": .string(change.sentence), "machines": .array(machineValues),
        ])
    }

    private static func json(machine: Machine) -> JSONValue {
        let instance: JSONValue = machine.instance.map { .string($0.id) } ?? .null
        let status: JSONValue = .string(machine.instance?.status.rawValue ?? "absent")
        let sessions: [JSONValue] = machine.sessions.map(json(session:))
        return .object([
            "machine": .string(machine.name), "instance": instance, "status": status, "config_matches": .bool(machine.configMatches),
            "sessions": .array(sessions),
        ])
    }

    private static func json(session: Session) -> JSONValue {
        let process: JSONValue = session.record.map { .string($0.process) } ?? .null
        let run: JSONValue = session.record.map { .string($0.run) } ?? .null
        let state = session.process?.status.rawValue ?? (session.record == nil ? "not started" : "unknown")
        let pid: JSONValue = session.process?.pid.map(JSONValue.int) ?? .null
        let exitCode: JSONValue = session.process?.exitCode.map(JSONValue.int) ?? .null
        var members: [JSONValue.Member] = [
            .init("session", .string(session.name)), .init("process", process), .init("run", run), .init("status", .string(state)),
            .init("pid", pid), .init("exit_code", exitCode),
        ]
        if let agent = session.agent { members.append(.init("agent", .string(agent))) }
        if let result = session.result {
            var fields: [JSONValue.Member] = [.init("is_error", .bool(result.isError))]
            if let cost = result.costUSD { fields.append(.init("cost_usd", .double(cost))) }
            if let turns = result.turns { fields.append(.init("turns", .int(turns))) }
            if let duration = result.durationMilliseconds { fields.append(.init("duration_ms", .int(duration))) }
            if let agentSession = result.agentSession { fields.append(.init("agent_session", .string(agentSession))) }
            members.append(.init("result", .object(fields)))
        }
        return .object(members)
    }
}
