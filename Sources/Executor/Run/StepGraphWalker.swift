/// How one step ended.
public struct StepResult: Sendable {
    /// ok, failed, skipped or cancelled.
    public var status: StepStatus
    /// The code and (redacted) message of a failure.
    public var error: (code: ErrorCode, message: String)?
    /// A failure that does not stop the run: the steps after it go on (an optional resource).
    public var tolerated: Bool

    /// Creates a result.
    public init(status: StepStatus, error: (code: ErrorCode, message: String)? = nil, tolerated: Bool = false) {
        self.status = status
        self.error = error
        self.tolerated = tolerated
    }

    /// Whether the steps after it may run: it succeeded, or failed in a way the run tolerates.
    public var letsDependentsRun: Bool { status == .ok || (status == .failed && tolerated) }
}

/// Walks a step graph: starts each step as soon as all its dependencies succeeded (or failed
/// in a way the run tolerates: ``StepResult/tolerated``), at most
/// `parallelism` at a time; after a failure, or once `stopped` says so (an interrupt), starts
/// nothing new and lets running steps finish; a step behind a failed one is skipped naming
/// the step that failed; a step that never started is cancelled with the reason.
///
/// Pure: no I/O, no clock. The work of a step is the `execute` closure; what the walker
/// decides without running a step goes to `settled`. One walker serves every caller.
public struct StepGraphWalker: Sendable {
    /// The steps, in plan order (ready steps start in this order).
    public let steps: [Step]
    /// Steps running at the same time at most (at least 1).
    public let parallelism: Int

    /// A walker over `steps`.
    public init(steps: [Step], parallelism: Int) {
        self.steps = steps
        self.parallelism = max(1, parallelism)
    }

    /// Walks the graph to the end.
    /// - Parameters:
    ///   - execute: runs one step (concurrently with others) and says how it ended.
    ///   - started: called, in plan order, for each step just before its `execute` starts.
    ///   - settled: called for each step decided without running it (skipped or cancelled), with the reason.
    ///   - stopped: the interrupt that stops the walk, if any (checked before each round of starts).
    /// - Returns: every step's result, and the steps that failed (not tolerated) in the order they failed.
    public func walk(
        execute: @escaping @Sendable (Step) async -> StepResult,
        started: (Step) -> Void,
        settled: (Step, StepStatus, String) -> Void,
        stopped: () -> String?
    ) async -> (results: [StepID: StepResult], failures: [StepID]) {
        var results: [StepID: StepResult] = [:]
        var failures: [StepID] = []
        var failedRoot: [StepID: StepID] = [:]
        var running: Set<StepID> = []
        var stoppedBy: StepID?

        func settle(_ step: Step, _ status: StepStatus, reason: String) {
            results[step.id] = StepResult(status: status)
            settled(step, status, reason)
        }

        await withTaskGroup(of: (StepID, StepResult).self) { group in
            while true {
                let stopping = stoppedBy != nil || stopped() != nil || Task.isCancelled
                // Steps whose dependency did not succeed: skipped (naming the failed step) or cancelled.
                var progressed = true
                while progressed {
                    progressed = false
                    for step in steps where results[step.id] == nil && !running.contains(step.id) {
                        guard let blocker = step.dependsOn.first(where: { results[$0].map { !$0.letsDependentsRun } ?? false }) else { continue }
                        let root = failedRoot[blocker] ?? blocker
                        failedRoot[step.id] = root
                        if results[blocker]?.status == .cancelled || (results[blocker]?.status == .skipped && results[root]?.status != .failed) {
                            settle(step, .cancelled, reason: "the run stopped before \(root) finished")
                        } else {
                            settle(step, .skipped, reason: "dependency \(root) failed")
                        }
                        progressed = true
                    }
                }
                if !stopping {
                    for step in steps where results[step.id] == nil && !running.contains(step.id) && running.count < parallelism {
                        guard step.dependsOn.allSatisfy({ results[$0]?.letsDependentsRun == true }) else { continue }
                        running.insert(step.id)
                        started(step)
                        group.addTask { (step.id, await execute(step)) }
                    }
                }
                guard let (id, result) = await group.next() else { break }
                running.remove(id)
                results[id] = result
                if result.status == .failed && !result.tolerated {
                    failures.append(id)
                    if stoppedBy == nil { stoppedBy = id }
                }
            }
        }
        // Steps never started because the walk stopped.
        let reason =
            stopped().map { "the run was interrupted (\($0))" } ?? stoppedBy.map { "the run stopped after \($0) failed" } ?? "the run stopped"
        for step in steps where results[step.id] == nil {
            settle(step, .cancelled, reason: reason)
        }
        return (results, failures)
    }
}
