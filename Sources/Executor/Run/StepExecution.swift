/// Runs one step's work and reports it the one way every caller does: `step.finished`
/// with its duration and data, or its error code and message with the error's context
/// (`instance=…, session=…`), redacted; a cancelled step as cancelled.
///
/// Used by the run engine (for every step the walker starts) and by the Orchestrator
/// facade (for the steps of one action), so their events cannot drift apart.
public struct StepExecution: Sendable {
    /// The work of a step: its data for `step.finished` (throws why it failed).
    public typealias Work = @Sendable (Step) async throws -> [JSONValue.Member]

    private let work: Work
    private let redactor: Redactor
    private let emit: @Sendable (RunEvent.Kind) -> Void
    private let interrupted: @Sendable () -> Bool

    /// An execution doing `work`, reporting through `emit`; `interrupted` tells a step cancelled
    /// by an interrupt from one that failed.
    public init(
        work: @escaping Work, redactor: Redactor, emit: @escaping @Sendable (RunEvent.Kind) -> Void,
        interrupted: @escaping @Sendable () -> Bool = { false }
    ) {
        self.work = work
        self.redactor = redactor
        self.emit = emit
        self.interrupted = interrupted
    }

    /// Emits `step.started` for `step`.
    public func start(_ step: Step) {
        emit(.stepStarted(step: step.id, machine: step.machine))
    }

    /// Runs `step`'s work, emits its `step.finished`, and returns how it ended with the error itself.
    public func run(_ step: Step) async -> (result: StepResult, error: (any Error)?) {
        let clock = ContinuousClock()
        let begin = clock.now
        var data: [JSONValue.Member] = []
        var result: StepResult
        var failure: (any Error)?
        do {
            try Task.checkCancellation()
            data = try await LogContext.inStep(step.id.description, machine: step.machine) { try await work(step) }
            result = StepResult(status: .ok)
        } catch is CancellationError {
            result = StepResult(status: .cancelled)
            failure = CancellationError()
        } catch {
            failure = error
            result =
                Task.isCancelled && interrupted()
                ? StepResult(status: .cancelled) : StepResult(status: .failed, error: describe(error), tolerated: step.isOptional)
        }
        emit(
            .stepFinished(
                StepFinished(
                    step: step.id, machine: step.machine, status: result.status, milliseconds: milliseconds(since: begin, clock: clock), data: data,
                    error: result.error, reason: result.status == .cancelled ? "interrupted while running" : nil)))
        return (result, failure)
    }

    /// `step.started`, the work, `step.finished`; rethrows the step's error.
    public func perform(_ step: Step) async throws {
        start(step)
        let (_, error) = await run(step)
        if let error { throw error }
    }

    /// The code and redacted message (with the error's context) of any error.
    public func describe(_ error: any Error) -> (code: ErrorCode, message: String) {
        Self.describe(error, redactor: redactor)
    }

    /// The code and message of `error` with its context (`instance=…, session=…`), redacted with `redactor`.
    public static func describe(_ error: any Error, redactor: Redactor) -> (code: ErrorCode, message: String) {
        if let error = error as? any RunjobError {
            let context = error.context.isEmpty ? "" : " (" + error.context.map(\.description).joined(separator: ", ") + ")"
            return (error.code, redactor.redact(error.message + context))
        }
        return (ErrorCode.Orchestration.stepFailed, redactor.redact(String(describing: error)))
    }
}
