import Synchronization

/// Runs a plan: ready steps concurrently up to the parallelism, every step's start
/// and end as events; on failure it stops scheduling, lets running steps finish,
/// and destroys the instances this run booted (unless `keep`); an interrupt does
/// the same and reports what is left.
public final class RunEngine: Sendable {
    private let plan: Plan
    private let runtime: Runtime
    private let options: RunOptions
    private let sink: any EventSink
    private let redactor: Redactor
    private let interruption = Mutex<String?>(nil)
    private let cancelRunning = Mutex<(@Sendable () -> Void)?>(nil)

    /// An engine for `plan`; events go to `sink`, redacted by `redactor` where they carry outside
    /// text. The secrets the runtime's adapters hold (an API key from the environment) are added
    /// to `redactor`, so every output that shares it masks them too.
    public init(plan: Plan, runtime: Runtime, options: RunOptions, sink: any EventSink, redactor: Redactor) {
        self.plan = plan
        self.runtime = runtime
        self.options = options
        self.sink = sink
        self.redactor = redactor
        for secret in runtime.secrets { redactor.add(secret) }
    }

    /// Stops the run as if a step had failed, and reports it as interrupted by `signal`.
    /// Safe to call from a signal handler's queue, at any time.
    public func interrupt(signal: String) {
        let cancel = interruption.withLock { current -> (@Sendable () -> Void)? in
            if current == nil { current = signal }
            return cancelRunning.withLock { $0 }
        }
        cancel?()
    }

    private var interruptedBy: String? { interruption.withLock { $0 } }

    private func emit(_ kind: RunEvent.Kind) {
        sink.emit(RunEvent(run: options.runID, kind))
    }

    private func log(_ level: RunEvent.LogLevel, _ message: String, step: StepID? = nil) {
        emit(.log(level: level, message: redactor.redact(message), step: step))
    }

    /// Runs the plan to the end and says how it went.
    public func run() async -> RunOutcome {
        let clock = ContinuousClock()
        let started = clock.now
        emit(
            .runStarted(
                RunStarted(
                    name: plan.name, workspace: options.workspace, provider: plan.provider.kind, config: plan.configDigest, steps: plan.steps.count,
                    parallelism: options.parallelism)))
        for session in plan.sessions {
            guard let kind = session.agentKind, let agent = runtime.agents[kind] else { continue }
            for warning in agent.warnings(for: session) { log(.warning, "session \(session.name): \(warning)") }
        }
        var outcome = RunOutcome(status: .ok, instances: [:], leftovers: [], configDifferences: [], firstError: nil)
        var counts: [StepStatus: Int] = [:]
        func finish(_ status: RunFinished.Status) -> RunOutcome {
            outcome.status = status
            emit(.runFinished(RunFinished(status: status, milliseconds: milliseconds(since: started, clock: clock), counts: counts)))
            return outcome
        }

        do {
            try plan.requireEverySecret()
        } catch {
            outcome.firstError = (error.code, error.message)
            log(.error, "\(error.code): \(error.message)")
            return finish(.failed)
        }
        if let signal = interruptedBy {
            // Interrupted before anything happened: nothing to clean up.
            emit(.runInterrupted(RunInterrupted(signal: signal, leftovers: [], destroyCommand: options.destroyCommand)))
            return finish(.interrupted)
        }
        // At most one run changes a deployment at a time; the lease goes with this run (or its process).
        let key = runtime.leaseKey(for: plan, workspace: options.workspace)
        let holder = LeaseHolder.current(run: options.runID, command: "apply")
        let locking = runtime.locking
        let timeout = options.lockTimeout
        let leased = await cancellable { () -> Result<DeploymentLease, any Error> in
            do {
                return .success(
                    try await locking.acquire(key, holder: holder, timeout: timeout) { [weak self] other in
                        self?.log(.info, "waiting up to \(timeout) for \(other?.description ?? "another run") to finish changing \(key.name) (workspace \(key.workspace))")
                    })
            } catch {
                return .failure(error)
            }
        }
        let lease: DeploymentLease
        switch leased {
        case .success(let held): lease = held
        case .failure(let error):
            if interruptedBy != nil || error is CancellationError {
                emit(.runInterrupted(RunInterrupted(signal: interruptedBy ?? "SIGINT", leftovers: [], destroyCommand: options.destroyCommand)))
                return finish(.interrupted)
            }
            let failure = describe(error)
            outcome.firstError = failure
            log(.error, "\(failure.code): \(failure.message)")
            return finish(.failed)
        }
        defer { lease.release() }

        let deployment: Deployment
        do {
            deployment = try await Deployment.discover(
                plan: plan, workspace: options.workspace, provider: runtime.provider, processManager: runtime.processManager)
        } catch {
            let failure = describe(error)
            outcome.firstError = failure
            log(.error, "cannot look up existing instances: \(failure.code): \(failure.message)")
            return finish(interruptedBy == nil ? .failed : .interrupted)
        }
        if deployment.configChanged && !options.replace {
            let differences = deployment.configDifferences(to: plan)
            outcome.configDifferences = differences
            let message =
                "the manifest changed since its instances were booted; run `apply --replace` to replace them, or `destroy` first. Differences: "
                + differences.joined(separator: "; ")
            outcome.firstError = (ErrorCode.Orchestration.configChanged, message)
            log(.error, "\(ErrorCode.Orchestration.configChanged): \(message)")
            return finish(.failed)
        }
        if !deployment.unusable.isEmpty && !options.replace {
            let message =
                deployment.unusable.joined(separator: "; ")
                + "; run `apply --replace` to replace them, or `destroy` to remove them"
            outcome.firstError = (ErrorCode.Orchestration.instanceUnusable, message)
            log(.error, "\(ErrorCode.Orchestration.instanceUnusable): \(message)")
            return finish(.failed)
        }
        if options.replace {
            for stray in deployment.strays + deployment.unattributed {
                do {
                    try await runtime.provider.destroy(stray.id)
                    let why =
                        stray.labels[InstanceLabel.machine].map { "machine \($0) is no longer in the manifest" }
                        ?? "it belongs to no machine runjob can tell"
                    log(.info, "destroyed \(stray.id) (\(why))")
                } catch {
                    log(.warning, "could not destroy \(stray.id): \(describe(error).message)")
                }
            }
        }

        let state = RunState()
        let runner = StepRunner(
            plan: plan, runtime: runtime, options: options, deployment: deployment, state: state, redactor: redactor,
            emit: { [weak self] kind in self?.emit(kind) })
        let results = await cancellable { await self.schedule(runner) }
        for (_, result) in results { counts[result.status, default: 0] += 1 }
        outcome.firstError = results.values.compactMap(\.error).first

        var failed = results.values.contains { $0.status == .failed }
        if !failed, interruptedBy == nil, options.waitForSessions {
            failed = !(await cancellable { await self.followSessions(runner) })
        }
        outcome.instances = await state.instanceIDs()
        if let signal = interruptedBy {
            await cleanUp(state)
            outcome.leftovers = await leftovers(state)
            emit(.runInterrupted(RunInterrupted(signal: signal, leftovers: outcome.leftovers, destroyCommand: options.destroyCommand)))
            return finish(.interrupted)
        }
        if failed {
            await cleanUp(state)
            outcome.leftovers = await leftovers(state)
            return finish(.failed)
        }
        return finish(.ok)
    }

    /// Runs `work` in a task that ``interrupt(signal:)`` cancels (its child tasks with it).
    private func cancellable<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
        let task = Task { await work() }
        let alreadyInterrupted = interruption.withLock { current -> Bool in
            cancelRunning.withLock { $0 = { task.cancel() } }
            return current != nil
        }
        if alreadyInterrupted { task.cancel() }
        let value = await task.value
        cancelRunning.withLock { $0 = nil }
        return value
    }

    private struct StepResult: Sendable {
        var status: StepStatus
        var error: (code: ErrorCode, message: String)?
    }

    /// Runs ready steps up to the parallelism until every step has a result.
    private func schedule(_ runner: StepRunner) async -> [StepID: StepResult] {
        let steps = plan.steps
        var results: [StepID: StepResult] = [:]
        var failedRoot: [StepID: StepID] = [:]
        var running: Set<StepID> = []
        var stoppedBy: StepID?
        let clock = ContinuousClock()

        func finishWithoutRunning(_ step: Step, _ status: StepStatus, reason: String) {
            results[step.id] = StepResult(status: status)
            emit(.stepFinished(StepFinished(step: step.id, machine: step.machine, status: status, milliseconds: 0, reason: reason)))
        }

        await withTaskGroup(of: (StepID, StepResult).self) { group in
            while true {
                let stopping = stoppedBy != nil || interruptedBy != nil || Task.isCancelled
                // Skip steps whose dependency failed or was skipped, naming the failed step.
                var progressed = true
                while progressed {
                    progressed = false
                    for step in steps where results[step.id] == nil && !running.contains(step.id) {
                        guard let blocker = step.dependsOn.first(where: { results[$0].map { $0.status != .ok } ?? false }) else { continue }
                        let root = failedRoot[blocker] ?? blocker
                        failedRoot[step.id] = root
                        if results[blocker]?.status == .cancelled || (results[blocker]?.status == .skipped && results[root]?.status != .failed) {
                            finishWithoutRunning(step, .cancelled, reason: "the run stopped before \(root) finished")
                        } else {
                            finishWithoutRunning(step, .skipped, reason: "dependency \(root) failed")
                        }
                        progressed = true
                    }
                }
                if !stopping {
                    for step in steps where results[step.id] == nil && !running.contains(step.id) && running.count < options.parallelism {
                        guard step.dependsOn.allSatisfy({ results[$0]?.status == .ok }) else { continue }
                        running.insert(step.id)
                        emit(.stepStarted(step: step.id, machine: step.machine))
                        group.addTask { [self] in
                            let begin = clock.now
                            let result = await execute(step, runner)
                            emitFinished(step, result, milliseconds(since: begin, clock: clock))
                            return (step.id, result)
                        }
                    }
                }
                guard let (id, result) = await group.next() else { break }
                running.remove(id)
                results[id] = result
                if result.status == .failed, stoppedBy == nil { stoppedBy = id }
            }
        }
        // Steps never started because the run stopped.
        let reason =
            interruptedBy.map { "the run was interrupted (\($0))" } ?? stoppedBy.map { "the run stopped after \($0) failed" } ?? "the run stopped"
        for step in steps where results[step.id] == nil {
            finishWithoutRunning(step, .cancelled, reason: reason)
        }
        return results
    }

    private func execute(_ step: Step, _ runner: StepRunner) async -> StepResult {
        do {
            try Task.checkCancellation()
            let outcome = try await runner.run(step)
            pendingData.withLock { $0[step.id] = outcome.data }
            return StepResult(status: .ok)
        } catch is CancellationError {
            return StepResult(status: .cancelled)
        } catch {
            if Task.isCancelled, interruptedBy != nil { return StepResult(status: .cancelled) }
            return StepResult(status: .failed, error: describe(error))
        }
    }

    private let pendingData = Mutex<[StepID: [JSONValue.Member]]>([:])

    private func emitFinished(_ step: Step, _ result: StepResult, _ milliseconds: Int) {
        let data = pendingData.withLock { $0.removeValue(forKey: step.id) } ?? []
        let reason = result.status == .cancelled ? "interrupted while running" : nil
        emit(
            .stepFinished(
                StepFinished(
                    step: step.id, machine: step.machine, status: result.status, milliseconds: milliseconds, data: data, error: result.error,
                    reason: reason)))
    }

    /// `--wait`: follows every session to its end; whether all succeeded.
    private func followSessions(_ runner: StepRunner) async -> Bool {
        let waited = Set(plan.steps.filter { $0.kind == .wait }.map(\.id.subject))
        var allOK = true
        for session in plan.sessions where !waited.contains(session.name) {
            if interruptedBy != nil { return false }
            do {
                let finished = try await runner.follow(session)
                allOK = allOK && finished.ok
                try await runner.check(finished, session)
            } catch {
                if interruptedBy != nil { return false }
                let failure = describe(error)
                if error is ProcessError || error is AgentError {
                    log(.error, "\(failure.code): \(failure.message)")
                } else {
                    log(.error, "cannot follow session \(session.name): \(failure.code): \(failure.message)")
                }
                allOK = false
            }
        }
        // Sessions with a wait step already reported through it.
        return allOK
    }

    /// Destroys the instances this run booted, unless `keep`.
    private func cleanUp(_ state: RunState) async {
        guard !options.keep else {
            let kept = await state.bootedInstances()
            if !kept.isEmpty { log(.info, "keeping \(kept.values.sorted().joined(separator: ", ")) (--keep)") }
            return
        }
        for (machine, instance) in await state.bootedInstances().sorted(by: { $0.key < $1.key }) {
            do {
                try await runtime.provider.destroy(instance)
                await state.forgetBooted(machine)
                log(
                    .info,
                    "destroyed \(instance) (machine \(machine)), which this run booted; `apply --keep` keeps it after a failure, for `runjob logs`")
            } catch {
                log(.warning, "could not destroy \(instance): \(describe(error).message)")
            }
        }
        await sweepUnfinishedBoots(state)
    }

    /// Destroys instances that carry this run's label but whose boot step never
    /// finished (interrupted while the provider was starting them), so an
    /// interrupt leaves nothing behind; those that cannot be destroyed become leftovers.
    private func sweepUnfinishedBoots(_ state: RunState) async {
        let labels = [InstanceLabel.name: plan.name, InstanceLabel.workspace: options.workspace, InstanceLabel.run: options.runID]
        let known = Set(await state.bootedInstances().values)
        let found: [Instance]
        do {
            found = try await runtime.provider.list(labels: labels)
        } catch {
            log(.warning, "could not check for instances this run started but did not finish booting: \(describe(error).message)")
            return
        }
        for instance in found where !known.contains(instance.id) {
            let machine = instance.labels[InstanceLabel.machine] ?? "?"
            do {
                try await runtime.provider.destroy(instance.id)
                log(.info, "destroyed \(instance.id) (machine \(machine)), which this run started but did not finish booting")
            } catch {
                await state.addLeftover(machine, id: instance.id)
                log(.warning, "could not destroy \(instance.id): \(describe(error).message)")
            }
        }
    }

    private func leftovers(_ state: RunState) async -> [RunInterrupted.Leftover] {
        await state.bootedInstances().sorted { $0.key < $1.key }.map { RunInterrupted.Leftover(machine: $0.key, instance: $0.value) }
    }

    /// The code and redacted message of any error.
    private func describe(_ error: any Error) -> (code: ErrorCode, message: String) {
        if let error = error as? any RunjobError {
            let context = error.context.isEmpty ? "" : " (" + error.context.map(\.description).joined(separator: ", ") + ")"
            return (error.code, redactor.redact(error.message + context))
        }
        return (ErrorCode.Orchestration.stepFailed, redactor.redact(String(describing: error)))
    }
}

func milliseconds(since start: ContinuousClock.Instant, clock: ContinuousClock) -> Int {
    let elapsed = clock.now - start
    return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
}
