/// One thing that happened in a run, as the JSON line it becomes on stdout
/// (closed schema v1: `_reference/events.schema.json`).
public struct RunEvent: Sendable, Equatable {
    /// The schema version of every event.
    public static let version = 1

    /// What happened.
    public enum Kind: Sendable, Equatable {
        /// The run began: what it will do.
        case runStarted(RunStarted)
        /// A step began.
        case stepStarted(step: StepID, machine: String)
        /// A step ended.
        case stepFinished(StepFinished)
        /// A session ended (its process exited), with the agent's result when there is one.
        case sessionFinished(SessionFinished)
        /// Ctrl-C or SIGTERM: what is left and how to remove it.
        case runInterrupted(RunInterrupted)
        /// The run ended.
        case runFinished(RunFinished)
        /// A message of runjob's own (warnings, cleanup).
        case log(level: LogLevel, message: String, step: StepID?)
    }

    /// Severity of a `log` event.
    public enum LogLevel: String, Sendable, Equatable, CaseIterable {
        case debug, info, warning, error
    }

    /// When, in epoch milliseconds.
    public var milliseconds: Int64
    /// The run id.
    public var run: String
    /// What happened.
    public var kind: Kind

    /// Creates an event.
    public init(run: String, milliseconds: Int64 = RunClock.nowMilliseconds(), _ kind: Kind) {
        self.run = run
        self.milliseconds = milliseconds
        self.kind = kind
    }

    /// The `type` field.
    public var type: String {
        switch kind {
        case .runStarted: "run.started"
        case .stepStarted: "step.started"
        case .stepFinished: "step.finished"
        case .sessionFinished: "session.finished"
        case .runInterrupted: "run.interrupted"
        case .runFinished: "run.finished"
        case .log: "log"
        }
    }

    /// The event as a JSON object (fields in a fixed order).
    public var json: JSONValue {
        var members: [JSONValue.Member] = [
            .init("v", .int(Self.version)), .init("ts", .string(RunClock.timestamp(milliseconds: milliseconds))),
            .init("run", .string(run)), .init("type", .string(type)),
        ]
        switch kind {
        case .runStarted(let started): members += started.members
        case .stepStarted(let step, let machine):
            members += [.init("step", .string(step.description)), .init("kind", .string(step.kind.rawValue))]
            if !machine.isEmpty { members.append(.init("machine", .string(machine))) }
        case .stepFinished(let finished): members += finished.members
        case .sessionFinished(let finished): members += finished.members
        case .runInterrupted(let interrupted): members += interrupted.members
        case .runFinished(let finished): members += finished.members
        case .log(let level, let message, let step):
            members += [.init("level", .string(level.rawValue)), .init("message", .string(message))]
            if let step { members.append(.init("step", .string(step.description))) }
        }
        return .object(members)
    }
}

/// `run.started`: the job, where, and how many steps.
public struct RunStarted: Sendable, Equatable {
    public var name: String
    public var workspace: String
    public var provider: String
    public var config: String
    public var steps: Int
    public var parallelism: Int

    /// Creates the payload.
    public init(name: String, workspace: String, provider: String, config: String, steps: Int, parallelism: Int) {
        self.name = name
        self.workspace = workspace
        self.provider = provider
        self.config = config
        self.steps = steps
        self.parallelism = parallelism
    }

    var members: [JSONValue.Member] {
        [
            .init("name", .string(name)), .init("workspace", .string(workspace)), .init("provider", .string(provider)),
            .init("config", .string(config)), .init("steps", .int(steps)), .init("parallelism", .int(parallelism)),
        ]
    }
}

/// How a step ended.
public enum StepStatus: String, Sendable, Equatable, CaseIterable {
    /// Done (or already done: `data.unchanged`).
    case ok
    /// Failed; `error` says why.
    case failed
    /// Not run because a dependency failed; `reason` names it.
    case skipped
    /// Not run (or stopped) because the run stopped or was interrupted.
    case cancelled
}

/// `step.finished`.
public struct StepFinished: Sendable, Equatable {
    public var step: StepID
    public var machine: String
    public var status: StepStatus
    public var milliseconds: Int
    /// Step outputs: instance id, pid, `unchanged`… (scalars only; never secrets).
    public var data: [JSONValue.Member]
    /// For `failed`: the error's code and message.
    public var error: (code: ErrorCode, message: String)?
    /// For `skipped` and `cancelled`: why.
    public var reason: String?

    /// Creates the payload.
    public init(
        step: StepID, machine: String, status: StepStatus, milliseconds: Int, data: [JSONValue.Member] = [],
        error: (code: ErrorCode, message: String)? = nil, reason: String? = nil
    ) {
        self.step = step
        self.machine = machine
        self.status = status
        self.milliseconds = milliseconds
        self.data = data
        self.error = error
        self.reason = reason
    }

    /// Compares every field.
    public static func == (lhs: StepFinished, rhs: StepFinished) -> Bool {
        lhs.step == rhs.step && lhs.machine == rhs.machine && lhs.status == rhs.status && lhs.milliseconds == rhs.milliseconds
            && lhs.data == rhs.data && lhs.error?.code == rhs.error?.code && lhs.error?.message == rhs.error?.message && lhs.reason == rhs.reason
    }

    var members: [JSONValue.Member] {
        var members: [JSONValue.Member] = [.init("step", .string(step.description)), .init("kind", .string(step.kind.rawValue))]
        if !machine.isEmpty { members.append(.init("machine", .string(machine))) }
        members += [.init("status", .string(status.rawValue)), .init("ms", .int(milliseconds))]
        if !data.isEmpty { members.append(.init("data", .object(data))) }
        if let error { members.append(.init("error", .object(["code": .string(error.code.rawValue), "message": .string(error.message)]))) }
        if let reason { members.append(.init("reason", .string(reason))) }
        return members
    }
}

/// `session.finished`: the process's exit and, for agents, their own result.
public struct SessionFinished: Sendable, Equatable {
    public var session: String
    public var machine: String
    /// `ok` when it exited 0 (and the agent reported no error).
    public var ok: Bool
    public var exitCode: Int?
    public var result: SessionResult?

    /// Creates the payload.
    public init(session: String, machine: String, ok: Bool, exitCode: Int?, result: SessionResult? = nil) {
        self.session = session
        self.machine = machine
        self.ok = ok
        self.exitCode = exitCode
        self.result = result
    }

    var members: [JSONValue.Member] {
        var members: [JSONValue.Member] = [
            .init("session", .string(session)), .init("machine", .string(machine)), .init("status", .string(ok ? "ok" : "failed")),
        ]
        members.append(.init("exit_code", exitCode.map(JSONValue.int) ?? .null))
        if let result {
            members.append(.init("is_error", .bool(result.isError)))
            if let cost = result.costUSD { members.append(.init("cost_usd", .double(cost))) }
            if let turns = result.turns { members.append(.init("turns", .int(turns))) }
            if let duration = result.durationMilliseconds { members.append(.init("duration_ms", .int(duration))) }
            if let agentSession = result.agentSession { members.append(.init("agent_session", .string(agentSession))) }
        }
        return members
    }
}

/// `run.interrupted`.
public struct RunInterrupted: Sendable, Equatable {
    /// One instance still there after the interrupted run's cleanup.
    public struct Leftover: Sendable, Equatable {
        public var machine: String
        public var instance: String

        /// Creates a leftover.
        public init(machine: String, instance: String) {
            self.machine = machine
            self.instance = instance
        }
    }

    public var signal: String
    public var leftovers: [Leftover]
    /// The exact command that removes them.
    public var destroyCommand: String

    /// Creates the payload.
    public init(signal: String, leftovers: [Leftover], destroyCommand: String) {
        self.signal = signal
        self.leftovers = leftovers
        self.destroyCommand = destroyCommand
    }

    var members: [JSONValue.Member] {
        [
            .init("signal", .string(signal)),
            .init(
                "leftovers",
                .array(leftovers.map { .object(["machine": .string($0.machine), "instance": .string($0.instance)]) })),
            .init("destroy_command", .string(destroyCommand)),
        ]
    }
}

/// `run.finished`.
public struct RunFinished: Sendable, Equatable {
    /// How the run ended.
    public enum Status: String, Sendable, Equatable {
        case ok, failed, interrupted
    }

    public var status: Status
    public var milliseconds: Int
    /// Steps per status.
    public var counts: [StepStatus: Int]
    /// Steps that failed without failing the run (`optional: true` resources), in plan order.
    public var optionalFailed: [StepID]

    /// Creates the payload.
    public init(status: Status, milliseconds: Int, counts: [StepStatus: Int], optionalFailed: [StepID] = []) {
        self.status = status
        self.milliseconds = milliseconds
        self.counts = counts
        self.optionalFailed = optionalFailed
    }

    var members: [JSONValue.Member] {
        var members: [JSONValue.Member] = [
            .init("status", .string(status.rawValue)), .init("ms", .int(milliseconds)),
            .init("counts", .object(StepStatus.allCases.map { .init($0.rawValue, .int(counts[$0] ?? 0)) })),
        ]
        if !optionalFailed.isEmpty { members.append(.init("optional_failed", .array(optionalFailed.map { .string($0.description) }))) }
        return members
    }
}
