extension DeploymentStatus {
    /// The status as a JSON document (`runjob status --output json`).
    public var json: JSONValue {
        var members: [JSONValue.Member] = [
            .init("name", .string(name)), .init("workspace", .string(workspace)), .init("change", .string(change.sentence)),
            .init("machines", .array(machines.map(Self.json(machine:)))),
        ]
        if !change.notes.isEmpty { members.append(.init("notes", .array(change.notes.map(JSONValue.string)))) }
        if !others.isEmpty { members.append(.init("other_instances", .array(others.map(Self.json(instance:))))) }
        if !resources.isEmpty { members.append(.init("resources", .array(resources.map(Self.json(resource:))))) }
        return .object(members)
    }

    private static func json(resource: Resource) -> JSONValue {
        .object([
            .init("name", .string(resource.name)), .init("kind", resource.kind.map(JSONValue.string) ?? .null),
            .init("id", resource.id.map(JSONValue.string) ?? .null), .init("instance", resource.instance.map(JSONValue.string) ?? .null),
            .init("declared", .bool(resource.declared)),
            .init("outputs", .object(resource.outputs.sorted { $0.key < $1.key }.map { .init($0.key, .string($0.value)) })),
        ])
    }

    private static func json(instance: Instance) -> JSONValue {
        var members: [JSONValue.Member] = [
            .init("instance", .string(instance.id)), .init("status", .string(instance.status.rawValue)),
            .init("machine", instance.labels[InstanceLabel.machine].map(JSONValue.string) ?? .null),
        ]
        if let problem = instance.problem { members.append(.init("problem", .string(problem))) }
        return .object(members)
    }

    private static func json(machine: Machine) -> JSONValue {
        let instance: JSONValue = machine.instance.map { .string($0.id) } ?? .null
        let status: JSONValue = .string(machine.instance?.status.rawValue ?? "absent")
        var members: [JSONValue.Member] = [
            .init("machine", .string(machine.name)), .init("instance", instance), .init("status", status),
            .init("config_matches", .bool(machine.configMatches)),
        ]
        if let problem = machine.problem { members.append(.init("problem", .string(problem))) }
        if !machine.duplicates.isEmpty { members.append(.init("duplicates", .array(machine.duplicates.map { .string($0.id) }))) }
        members.append(.init("sessions", .array(machine.sessions.map(json(session:)))))
        return .object(members)
    }

    private static func json(session: Session) -> JSONValue {
        let process: JSONValue = (session.process?.name ?? session.record?.process).map { .string($0) } ?? .null
        let run: JSONValue = (session.process?.run ?? session.record?.run).map { .string($0) } ?? .null
        let pid: JSONValue = session.process?.pid.map(JSONValue.int) ?? .null
        let exitCode: JSONValue = session.process?.exitCode.map(JSONValue.int) ?? .null
        var members: [JSONValue.Member] = [
            .init("session", .string(session.name)), .init("process", process), .init("run", run), .init("status", .string(session.state)),
            .init("pid", pid), .init("exit_code", exitCode),
        ]
        if session.recordDamaged { members.append(.init("record", .string("damaged"))) }
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

extension DeploymentStatus.Session {
    /// `running`, `exited`, `stopped`, `failed`, `not started`, or `start incomplete`
    /// (a record whose launch never happened).
    public var state: String {
        if let process { return process.status.rawValue }
        if record != nil { return "start incomplete" }
        return recordDamaged ? "unknown (record damaged)" : "not started"
    }
}
