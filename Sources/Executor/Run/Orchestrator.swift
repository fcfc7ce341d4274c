/// The seed's orchestrator actions — boot and prepare a machine, start a session,
/// read logs, list processes — as a small API over the same machinery as
/// `runjob apply`, for Swift programs that drive runs themselves (`RunjobKit`).
///
/// Every action is idempotent the way apply is: a machine already booted for the
/// plan's config is reused, a profile already installed with the same secrets is
/// left alone, a session already started is not started twice.
public struct Orchestrator: Sendable {
    /// The compiled manifest.
    public let plan: Plan
    /// The adapters.
    public let runtime: Runtime
    /// Run options (workspace, run id, poll interval).
    public let options: RunOptions
    /// Where step events go.
    public let sink: any EventSink
    private let redactor: Redactor

    /// An orchestrator for `plan` on `runtime`.
    public init(plan: Plan, runtime: Runtime, options: RunOptions = RunOptions(), sink: any EventSink = CollectingSink()) {
        self.plan = plan
        self.runtime = runtime
        self.options = options
        self.sink = sink
        self.redactor = Redactor(secrets: plan.allSecrets + runtime.secrets)
    }

    /// The instance of a machine: its id and home.
    public struct PreparedMachine: Sendable, Equatable {
        /// The instance id.
        public var instance: String
        /// Its home directory.
        public var home: String
    }

    /// Boots (or finds) `machine`, writes its machine info and installs every
    /// credential profile its sessions use. Throws the first step's error.
    public func bootAndPrepare(machine: String) async throws -> PreparedMachine {
        let (runner, state) = try await runner()
        let steps = plan.steps.filter { $0.machine == machine && ($0.kind == .boot || $0.kind == .machineInfo || $0.kind == .credentials) }
        guard !steps.isEmpty else {
            throw OrchestrationError(
                ErrorCode.Orchestration.invalidPlan, "the plan has no machine `\(machine)`", context: [.init("machine", machine)])
        }
        for step in steps { try await perform(step, runner) }
        guard let instance = await state.instance(of: machine) else {
            throw OrchestrationError(
                ErrorCode.Orchestration.instanceMissing, "machine `\(machine)` has no instance", context: [.init("machine", machine)])
        }
        return PreparedMachine(instance: instance.id, home: instance.home)
    }

    /// Starts the session `name` (booting and preparing its machine first when needed).
    public func startSession(_ name: String) async throws -> ProcessState {
        guard let session = plan.session(name) else {
            throw OrchestrationError(ErrorCode.Orchestration.sessionNotFound, "the plan has no session `\(name)`")
        }
        let (runner, state) = try await runner()
        for step in plan.steps where step.machine == session.machine && step.kind != .start && step.kind != .wait {
            if step.kind == .credentials, !session.credentials.contains(step.id.subject) { continue }
            try await perform(step, runner)
        }
        try await perform(Step(id: .start(name), dependsOn: [], machine: session.machine, action: .start(session)), runner)
        guard let record = await state.session(name), let instance = await state.instance(of: session.machine) else {
            throw OrchestrationError(ErrorCode.Orchestration.sessionNotFound, "session `\(name)` did not start")
        }
        let target = ProcessTarget(provider: runtime.provider, instance: instance.id, home: instance.home, run: record.run)
        return try await runtime.processManager.status(record.process, on: target)
            ?? ProcessState(name: record.process, run: record.run, status: .unknown)
    }

    /// The last `tail` lines (all when `nil`) of a session's `stream`, redacted (a secret's
    /// piece where the chunk was cut — its start with `tail`, its end always — included).
    public func logs(session: String, stream: LogStream = .stdout, tail: Int? = nil) async throws -> LogChunk {
        let located = try await DeploymentStatus.locateSession(session, plan: plan, workspace: options.workspace, runtime: runtime)
        var chunk = try await runtime.processManager.logs(located.process, stream: stream, on: located.target, from: nil, tail: tail)
        chunk.bytes = redactor.redact(bytes: chunk.bytes, cut: tail == nil ? .end : [.start, .end])
        return chunk
    }

    /// Every process the process manager knows on `machine`'s instance.
    public func listProcesses(machine: String) async throws -> [ProcessState] {
        let deployment = try await Deployment.discover(plan: plan, workspace: options.workspace, provider: runtime.provider, readState: false)
        guard case .reuse(let instance)? = deployment.action(for: machine), instance.status == .ready else {
            throw OrchestrationError(
                ErrorCode.Orchestration.instanceMissing, "machine `\(machine)` has no instance for this plan in workspace `\(options.workspace)`",
                context: [.init("machine", machine)])
        }
        let home = try await DeploymentStatus.home(of: instance, runtime: runtime)
        return try await runtime.processManager.list(
            on: ProcessTarget(provider: runtime.provider, instance: instance.id, home: home, run: options.runID))
    }

    private func runner() async throws -> (StepRunner, RunState) {
        try plan.requireEverySecret()
        let deployment = try await Deployment.discover(
            plan: plan, workspace: options.workspace, provider: runtime.provider, processManager: runtime.processManager)
        if deployment.configChanged && !options.replace {
            throw OrchestrationError(
                ErrorCode.Orchestration.configChanged,
                "the plan's instances were booted for another config: " + deployment.configDifferences(to: plan).joined(separator: "; "))
        }
        let state = RunState()
        let sink = sink
        let runID = options.runID
        let runner = StepRunner(
            plan: plan, runtime: runtime, options: options, deployment: deployment, state: state, redactor: redactor,
            emit: { kind in sink.emit(RunEvent(run: runID, kind)) })
        return (runner, state)
    }

    /// One step through the same execution as apply (events, timing, error code with context, redaction).
    private func perform(_ step: Step, _ runner: StepRunner) async throws {
        let sink = sink
        let runID = options.runID
        try await StepExecution(
            work: { step in try await runner.run(step).data }, redactor: redactor, emit: { kind in sink.emit(RunEvent(run: runID, kind)) }
        ).perform(step)
    }
}
