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
    private let protectedIDs = Mutex<Set<String>>([])

    /// The resource ids instances that existed before this run are labelled with.
    private var protectedResourceIDs: Set<String> { protectedIDs.withLock { $0 } }
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
    /// The provider is released (``VMProvider/release()``) when the run ends, however it ends.
    public func run() async -> RunOutcome {
        let outcome = await LogContext.$run.withValue(options.runID) { await runLogged() }
        await runtime.provider.release()
        return outcome
    }

    private func runLogged() async -> RunOutcome {
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
        var optionalFailed: [StepID] = []
        func finish(_ status: RunFinished.Status) -> RunOutcome {
            outcome.status = status
            emit(
                .runFinished(
                    RunFinished(
                        status: status, milliseconds: milliseconds(since: started, clock: clock), counts: counts, optionalFailed: optionalFailed)))
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
        warnAboutUndeclaredResources(deployment)
        protectedIDs.withLock { ids in
            for instance in deployment.existingInstances { ids.formUnion(InstanceLabel.resources(in: instance.labels).values) }
        }
        for abandoned in deployment.abandoned {
            do {
                try await runtime.provider.destroy(abandoned.id)
                log(.info, "removed \(abandoned.id) (its boot was cut short before the instance was ready)")
            } catch {
                log(.warning, "could not remove \(abandoned.id): \(describe(error).message)")
            }
        }
        // Resources of instances about to be removed, read first: a renamed machine's app is found again, not orphaned.
        let salvaged =
            options.replace && !plan.resources.isEmpty
            ? await Teardown.resources(
                of: deployment.strays + deployment.unattributed, provider: runtime.provider, adapters: runtime.resources, makeReady: true) : []
        for found in salvaged {
            for secret in found.values?.secrets(resource: found.name) ?? [] { redactor.add(secret) }
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
        var configured = StepRunner(
            plan: plan, runtime: runtime, options: options, deployment: deployment, state: state, redactor: redactor,
            emit: { [weak self] kind in self?.emit(kind) })
        configured.salvaged = salvaged
        let runner = configured
        let (results, failures) = await cancellable { await self.schedule(runner) }
        for (_, result) in results { counts[result.status, default: 0] += 1 }
        outcome.firstError = failures.first.flatMap { results[$0]?.error }
        optionalFailed = plan.steps.map(\.id).filter { results[$0]?.status == .failed && results[$0]?.tolerated == true }
        for id in optionalFailed {
            log(.warning, "\(id) failed (\(results[id]?.error?.code.rawValue ?? "?")) but is optional: the sessions that use it started without its outputs", step: id)
        }

        var failed = results.values.contains { $0.status == .failed && !$0.tolerated }
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
        await deleteReplacedResources(state)
        return finish(.ok)
    }

    /// Resources the instances are labelled with that the manifest no longer declares: apply
    /// leaves them (its adapter and options are gone with the entry); said once each.
    private func warnAboutUndeclaredResources(_ deployment: Deployment) {
        let declared = Set(plan.resources.map(\.name))
        var said = Set<String>()
        for instance in deployment.existingInstances {
            for (name, id) in InstanceLabel.resources(in: instance.labels).sorted(by: { $0.key < $1.key }) {
                guard !declared.contains(name), said.insert(name + "=" + id).inserted else { continue }
                log(
                    .warning,
                    "resource \(name) (\(id)) is no longer in the manifest; runjob leaves it: delete it at the service, or put it back and run `destroy`")
            }
        }
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

    /// Runs the plan's steps through the one walker and the one step execution.
    private func schedule(_ runner: StepRunner) async -> (results: [StepID: StepResult], failures: [StepID]) {
        let execution = StepExecution(
            work: { step in try await runner.run(step).data }, redactor: redactor, emit: { [weak self] kind in self?.emit(kind) },
            interrupted: { [weak self] in self?.interruptedBy != nil })
        return await StepGraphWalker(steps: plan.steps, parallelism: options.parallelism).walk(
            execute: { step in await execution.run(step).result },
            started: { step in execution.start(step) },
            settled: { step, status, reason in
                emit(.stepFinished(StepFinished(step: step.id, machine: step.machine, status: status, milliseconds: 0, reason: reason)))
            },
            stopped: { interruptedBy })
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

    /// After a successful run: deletes the resources made for an older config (their
    /// replacements are in use now).
    private func deleteReplacedResources(_ state: RunState) async {
        for (name, old) in await state.replaced().sorted(by: { $0.key < $1.key }) {
            await deleteResource(name, old.values, why: "made for the old config")
        }
    }

    /// After a failed run: deletes the resources this run created that no instance keeps
    /// (their users were booted by this run and are gone), as the instances are; never one an
    /// instance that existed before the run is labelled with, nor a `keep: true` one.
    private func deleteUnusedCreatedResources(_ state: RunState) async {
        for name in await state.created().sorted() {
            var keptBy: String?
            for machine in plan.machines(using: name) where await state.isReused(machine) { keptBy = machine }
            guard keptBy == nil, let values = await state.resourceOutputs().resources[name], !protectedResourceIDs.contains(values.id) else { continue }
            await deleteResource(name, values, why: "which this run created and no instance uses")
        }
        // A resource made for the old config goes too once no instance holds it any more
        // (its instance was replaced); while its instance is there, it stays with it.
        for (name, old) in await state.replaced().sorted(by: { $0.key < $1.key }) where plan.resource(name)?.keep != true {
            let holder: Instance?
            do {
                holder = try await runtime.provider.get(old.instance)
            } catch {
                log(.warning, "resource \(name): \(old.values.id), made for the old config, stays: cannot tell whether \(old.instance) still uses it (\(describe(error).message))", step: .resource(name))
                continue
            }
            if holder != nil {
                log(.info, "resource \(name): \(old.values.id), made for the old config, stays with \(old.instance)", step: .resource(name))
                continue
            }
            await deleteResource(name, old.values, why: "made for the old config (its instance was replaced)")
        }
    }

    /// Deletes one resource the run no longer needs (never a `keep: true` one), saying so;
    /// a failure is a warning: the run's outcome stays as it is.
    private func deleteResource(_ name: String, _ values: ResourceValues, why: String) async {
        guard plan.resource(name)?.keep != true, let adapter = runtime.resources[name] else { return }
        do {
            _ = try await adapter.delete(values)
            log(.info, "resource \(name): deleted \(values.id), \(why)", step: .resource(name))
        } catch {
            let failure = describe(error)
            log(.warning, "resource \(name): could not delete \(values.id), \(why) (\(failure.code): \(failure.message)); delete it at the service", step: .resource(name))
        }
    }

    /// Destroys the instances this run booted, unless `keep`.
    private func cleanUp(_ state: RunState) async {
        guard !options.keep else {
            let kept = await state.bootedInstances()
            if !kept.isEmpty { log(.info, "keeping \(kept.values.sorted().joined(separator: ", ")) (--keep)") }
            let outputs = await state.resourceOutputs()
            for name in await state.created().sorted() {
                if let values = outputs.resources[name] { log(.info, "keeping resource \(name) (\(values.id)) with them (--keep)", step: .resource(name)) }
            }
            for (name, old) in await state.replaced().sorted(by: { $0.key < $1.key }) {
                log(.warning, "resource \(name): \(old.values.id), made for the old config, stays (--keep); delete it at the service once it is not needed", step: .resource(name))
            }
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
        await deleteUnusedCreatedResources(state)
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

    /// The code and redacted message of any error (the one description every step uses).
    private func describe(_ error: any Error) -> (code: ErrorCode, message: String) {
        StepExecution.describe(error, redactor: redactor)
    }
}

func milliseconds(since start: ContinuousClock.Instant, clock: ContinuousClock) -> Int {
    let elapsed = clock.now - start
    return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
}
