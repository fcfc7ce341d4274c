/// Carries out one step of a plan against the runtime's adapters. Knows what
/// already exists (the ``Deployment``) so that a re-apply changes nothing that
/// is in place.
struct StepRunner: Sendable {
    let plan: Plan
    let runtime: Runtime
    let options: RunOptions
    let deployment: Deployment
    let state: RunState
    let redactor: Redactor
    let emit: @Sendable (RunEvent.Kind) -> Void
    /// Resources (with their records) of instances this apply removed before its steps.
    var salvaged: [Teardown.FoundResource] = []

    /// What a finished step reports.
    struct Outcome: Sendable {
        var data: [JSONValue.Member] = []
    }

    func run(_ step: Step) async throws -> Outcome {
        switch step.action {
        case .resource(let spec): return try await resource(spec)
        case .boot(let machine): return try await boot(machine)
        case .machineInfo(let machine): return try await machineInfo(machine)
        case .credentials(let profile): return try await credentials(profile, on: step.machine)
        case .start(let session): return try await start(session)
        case .wait(let session): return try await wait(session)
        }
    }

    private func target(_ machine: String) async throws -> InstanceTarget {
        guard let instance = await state.instance(of: machine) else {
            throw OrchestrationError(
                ErrorCode.Orchestration.invalidPlan, "machine `\(machine)` has no instance (its boot step did not run)",
                context: [.init("machine", machine)])
        }
        return InstanceTarget(provider: runtime.provider, instance: instance.id, home: instance.home)
    }

    private func recordedState(_ machine: String) async -> InstanceState? {
        await state.records(of: machine)
    }

    /// A `log` event for people, redacted.
    func log(_ level: RunEvent.LogLevel, _ message: String, step: StepID? = nil) {
        emit(.log(level: level, message: redactor.redact(message), step: step))
    }

    // MARK: boot

    private func boot(_ machine: MachineSpec) async throws -> Outcome {
        var data: [JSONValue.Member] = []
        for duplicate in deployment.duplicates[machine.name] ?? [] {
            // A boot that raced another left a second instance (the oldest one is the machine's),
            // or a boot died before its instance was ready (nothing ran there).
            try await runtime.provider.destroy(duplicate.id)
            let why =
                duplicate.neverReady
                ? "left by a boot of machine \(machine.name) that died before the instance was ready"
                : "a second instance of machine \(machine.name) left by two boots that raced"
            log(.info, "destroyed \(duplicate.id), \(why)", step: .boot(machine.name))
            data.append(.init("removed_duplicate", .string(duplicate.id)))
        }
        switch deployment.action(for: machine.name) {
        case .reuse(let found)?:
            var instance = found
            var records = deployment.states[found.id]
            var processes = deployment.processes[found.id]
            if found.status != .ready {
                // The resource step may have made it ready already (to read a record on it).
                if let ready = await state.readied(found.id) { instance = ready } else { instance = try await runtime.provider.makeReady(found) }
                let verb = found.status == .stopped ? "resumed" : "waited for"
                log(.info, "\(verb) \(found.id) (machine \(machine.name)), which was \(found.status == .stopped ? "paused" : "still starting")", step: .boot(machine.name))
                data.append(.init(found.status == .stopped ? "resumed" : "waited", .bool(true)))
                records = try await InstanceState.read(from: runtime.provider, instance: instance.id)
                processes = nil
            }
            let home = try await homeOf(instance, known: records?.home)
            if processes == nil, records != nil {
                let target = ProcessTarget(provider: runtime.provider, instance: instance.id, home: home, run: options.runID)
                processes = try await runtime.processManager.list(on: target)
            }
            await state.setRecords(machine.name, state: records, processes: processes)
            await state.setInstance(machine.name, id: instance.id, home: home, bootedHere: false)
            try await recordNewResources(on: instance, home: home, machine: machine.name)
            return Outcome(data: [.init("instance", .string(instance.id)), .init("unchanged", .bool(data.isEmpty))] + data)
        case .replace(let old)?, .unusable(let old, _)?:
            try await runtime.provider.destroy(old.id)
            var outcome = try await bootNew(machine)
            outcome.data.append(.init("replaced", .string(old.id)))
            return outcome
        case .create?, nil:
            var outcome = try await bootNew(machine)
            outcome.data += data
            return outcome
        }
    }

    private func bootNew(_ machine: MachineSpec) async throws -> Outcome {
        var labels: [String: String] = [:]
        for (key, value) in machine.labels { labels[key] = value }
        labels[InstanceLabel.name] = plan.name
        labels[InstanceLabel.workspace] = options.workspace
        labels[InstanceLabel.machine] = machine.name
        labels[InstanceLabel.config] = plan.configDigest
        labels[InstanceLabel.run] = options.runID
        labels[InstanceLabel.boot] = RunClock.newRunID()
        let resources = await resourceRecords(for: machine.name)
        for (name, values) in resources { labels[InstanceLabel.resource(name)] = values.id }
        let instance = try await runtime.provider.boot(BootRequest(machine: machine, labels: labels))
        await state.setBooted(machine.name, id: instance.id)
        // The race check and the boot record go together (one request less on the critical
        // path): a record written into an instance that then loses the race goes with it.
        async let winner = raceWinner(against: instance, machine: machine.name)
        let recorded: Result<String, any Error>
        do {
            recorded = .success(try await recordBoot(instance, machine: machine, resources: resources))
        } catch {
            recorded = .failure(error)
        }
        if let winner = try await winner {
            return try await yield(instance, to: winner, machine: machine)
        }
        let home = try recorded.get()
        await state.setInstance(machine.name, id: instance.id, home: home, bootedHere: true)
        return Outcome(data: [.init("instance", .string(instance.id)), .init("home", .string(home))])
    }

    /// After a boot: the older instance of the same machine that another run booted at
    /// the same time, if there is one (the same rule for both runs, so they converge).
    private func raceWinner(against mine: Instance, machine: String) async throws -> Instance? {
        let labels = Deployment.labels(name: plan.name, workspace: options.workspace).merging([InstanceLabel.machine: machine]) { $1 }
        let siblings = try await runtime.provider.list(labels: labels)
        guard siblings.count > 1, let own = siblings.first(where: { $0.id == mine.id }) else { return nil }
        let candidates = siblings.filter { $0.id == own.id || Deployment.unusableReason($0) == nil }
        guard let winner = candidates.sorted(by: Deployment.precedes).first, winner.id != own.id else { return nil }
        return winner
    }

    /// Gives up this run's instance for the older one another run booted: removes its
    /// own and carries on with the winner's (whose sessions a launch then adopts).
    private func yield(_ mine: Instance, to winner: Instance, machine: MachineSpec) async throws -> Outcome {
        try await runtime.provider.destroy(mine.id)
        await state.forgetBooted(machine.name)
        log(
            .warning,
            "another run booted machine \(machine.name) at the same time: keeping the older instance \(winner.id) and removing this run's \(mine.id)",
            step: .boot(machine.name))
        let ready = try await runtime.provider.makeReady(winner)
        let home = try await homeOf(ready, known: nil)
        await state.setRecords(machine.name, state: nil, processes: nil)
        await state.setInstance(machine.name, id: ready.id, home: home, bootedHere: false)
        return Outcome(data: [.init("instance", .string(ready.id)), .init("home", .string(home)), .init("removed_duplicate", .string(mine.id))])
    }

    /// Writes the boot record and returns the instance's home. When the home is not
    /// known yet, one exec does both: the record goes to `~/…` and the same command
    /// prints `$HOME`.
    private func recordBoot(_ instance: Instance, machine: MachineSpec, resources: [(String, ResourceValues)]) async throws -> String {
        func records(home: String) -> [FileWrite] {
            let boot = InstanceState.bootRecord(home: home, plan: plan, machine: machine.name, workspace: options.workspace, run: options.runID)
            return [boot]
                + resources.compactMap { name, values in
                    plan.resource(name).map { ResourceRecord.file(home: home, spec: $0, values: values) }
                }
        }
        var known: String?
        if case .absolute(let path)? = machine.home { known = path }
        if let home = known ?? instance.home {
            try await runtime.provider.writeFiles(instance.id, FileBatch(label: "state:boot", files: records(home: home)))
            return home
        }
        let batch = FileBatch(label: "state:boot", files: records(home: "~"))
        let (command, stdin) = FileInstallScript.build(batch, then: "printf '%s' \"$HOME\"")
        let result = try await runtime.provider.exec(instance.id, command, stdin: stdin)
        if let error = FileInstallScript.error(for: result, batch: batch, instance: instance.id) { throw error }
        let home = result.stdoutText.trimmingASCIIWhitespace()
        guard home.hasPrefix("/") else {
            throw ProviderError(
                ErrorCode.Provider.execFailed, "cannot read the home directory of the instance; set `home:` on the machine",
                context: [.init("instance", instance.id)])
        }
        return home
    }

    /// The instance's home: the manifest's override, what the provider reported, what the
    /// records' reader saw, or `$HOME` asked with one read-only exec.
    private func homeOf(_ instance: Instance, known: String?) async throws -> String {
        if case .absolute(let path)? = plan.machine(instance.labels[InstanceLabel.machine] ?? "")?.home { return path }
        if let home = instance.home ?? known { return home }
        let result = try await runtime.provider.exec(
            instance.id, CommandSpec(.shell("printf '%s' \"$HOME\""), label: "home", readOnly: true), stdin: nil)
        let home = result.stdoutText.trimmingASCIIWhitespace()
        guard result.exitCode == 0, home.hasPrefix("/") else {
            throw ProviderError(
                ErrorCode.Provider.execFailed, "cannot read the home directory of the instance; set `home:` on the machine",
                context: [.init("instance", instance.id)])
        }
        return home
    }

    // MARK: machine info

    private func machineInfo(_ machine: MachineSpec) async throws -> Outcome {
        let target = try await target(machine.name)
        if let recorded = await recordedState(machine.name), recorded.machineInfoConfig == plan.configDigest {
            return Outcome(data: [.init("unchanged", .bool(true))])
        }
        let document = JSONValue.object([
            "createdAt": .string(RunClock.timestamp()), "instance": .string(target.instance), "manifest": .string(plan.name),
            "machine": .string(machine.name), "workspace": .string(options.workspace), "config": .string(plan.configDigest),
            "run": .string(options.runID), "info": machine.info,
        ])
        let path = target.home + "/.machine.json"
        try await runtime.provider.writeFiles(
            target.instance,
            FileBatch(
                label: "machine-info:\(machine.name)",
                files: [
                    FileWrite(path: path, mode: .ownerWriteGroupRead, content: Array((document.prettyText + "\n").utf8)),
                    InstanceState.machineInfoRecord(home: target.home, config: plan.configDigest, run: options.runID),
                ]))
        return Outcome(data: [.init("path", .string(path))])
    }

    // MARK: credentials

    private func credentials(_ profile: CredentialProfileSpec, on machine: String) async throws -> Outcome {
        let target = try await target(machine)
        let digest = plan.credentialsDigest(profile, resourceIDs: await resourceIDs(on: machine))
        if let recorded = await recordedState(machine), recorded.credentials[profile.name] == digest {
            return Outcome(data: [.init("unchanged", .bool(true))])
        }
        let record = InstanceState.credentialsRecord(home: target.home, profile: profile.name, secrets: digest, run: options.runID)
        try await runtime.credentials.install(try profile.bound(to: await state.resourceOutputs()), on: target, extraFiles: [record])
        return Outcome(data: [.init("files", .int(profile.files.count))])
    }

    // MARK: sessions

    private func start(_ session: SessionSpec) async throws -> Outcome {
        let target = try await target(session.machine)
        let secrets = SessionProcesses.secretsDigest(for: session, plan: plan, resourceIDs: await resourceIDs(on: session.machine))
        let records = await recordedState(session.machine)
        let decision = SessionDecision.decide(
            session, process: SessionProcesses.processName(for: session, agents: runtime.agents), secrets: secrets, state: records,
            processes: await state.processes(of: session.machine), rerun: options.rerun.contains(session.name))
        let reason: String?
        switch decision {
        case .keep(let record, let note):
            await state.setSession(session.name, record)
            if let note { log(.info, "session \(session.name): \(note)", step: .start(session.name)) }
            if records?.sessions[session.name] != record {
                // The record was damaged or named another run: the live process is the truth, and the record says so again.
                try await runtime.provider.writeFiles(
                    target.instance,
                    FileBatch(
                        label: "state:session:\(session.name)",
                        files: [InstanceState.sessionRecord(home: target.home, session: session.name, record: record)]))
                log(.info, "session \(session.name): its record on \(target.instance) was damaged; rewrote it for run \(record.run)", step: .start(session.name))
                return Outcome(data: [.init("process", .string(record.process)), .init("run", .string(record.run)), .init("repaired", .bool(true))])
            }
            return Outcome(data: [.init("process", .string(record.process)), .init("run", .string(record.run)), .init("unchanged", .bool(true))])
        case .start(let why): reason = why
        case .rerun(let why): reason = why
        }
        if let reason { log(.info, "session \(session.name): \(decision.startsAgain ? "running it again" : "starting it"): \(reason)", step: .start(session.name)) }
        let processTarget = ProcessTarget(provider: runtime.provider, instance: target.instance, home: target.home, run: options.runID)
        let spec = try SessionProcesses.spec(
            for: try session.bound(to: await state.resourceOutputs()), plan: plan, agents: runtime.agents, home: target.home, runDirectory: processTarget.runDirectory)
        for variable in spec.env { redactor.add(variable.value) }
        let record = InstanceState.SessionRecord(
            run: options.runID, process: spec.name, startedAt: RunClock.timestamp(), config: plan.configDigest, secrets: secrets)
        let info = try await runtime.processManager.start(
            spec, on: processTarget, records: [InstanceState.sessionRecord(home: target.home, session: session.name, record: record)],
            ifRunning: decision.startsAgain ? .replace : .adopt)
        var data: [JSONValue.Member] = [.init("process", .string(spec.name))]
        if let pid = info.pid { data.append(.init("pid", .int(pid))) }
        if let reason { data.append(.init("reason", .string(reason))) }
        guard info.run != options.runID else {
            await state.setSession(session.name, record)
            return Outcome(data: data)
        }
        // A live process of the session was already there (another run started it): keep it, and make the record say so.
        let known = records?.sessions[session.name]
        let adopted =
            known?.run == info.run
            ? known ?? record
            : InstanceState.SessionRecord(run: info.run, process: spec.name, startedAt: RunClock.timestamp(), config: plan.configDigest)
        if known?.run != info.run {
            try await runtime.provider.writeFiles(
                target.instance,
                FileBatch(
                    label: "state:session:\(session.name)",
                    files: [InstanceState.sessionRecord(home: target.home, session: session.name, record: adopted)]))
        }
        log(.info, "session \(session.name) already runs on \(target.instance) (run \(info.run)): kept it, started nothing", step: .start(session.name))
        await state.setSession(session.name, adopted)
        data.append(.init("adopted", .string(info.run)))
        return Outcome(data: data)
    }

    private func wait(_ session: SessionSpec) async throws -> Outcome {
        let finished = try await follow(session)
        try await check(finished, session)
        return Outcome(data: [.init("exit_code", .int(finished.exitCode ?? 0))])
    }

    /// Throws the error of a session that did not complete successfully: `process.cwd_missing`
    /// when its working directory was missing, `agent.failed` for an agent's error, else
    /// `process.exited_non_zero`.
    func check(_ finished: SessionFinished, _ session: SessionSpec) async throws {
        guard !finished.ok else { return }
        if finished.exitCode == Int(RemoteExitStatus.missingDirectory.code), let detail = await missingDirectory(session) {
            throw ProcessError(ErrorCode.Process.cwdMissing, detail, context: [.init("session", session.name)])
        }
        let code = finished.result != nil ? ErrorCode.Agent.failed : ErrorCode.Process.exitedNonZero
        let detail =
            finished.result?.isError == true
            ? "the agent reported an error"
            : finished.exitCode.map { "exit status \($0)" }
                ?? "exit status unknown: it was killed, or its exit status could not be recorded (a full disk?)"
        var message = "session `\(session.name)` did not complete successfully (\(detail))"
        if let record = await state.session(session.name), record.run != options.runID {
            message += "; it ran in an earlier apply (run \(record.run)); the next apply runs it again (it failed), or `apply --rerun \(session.name)`"
        }
        throw ProcessError(code, message, context: [.init("session", session.name)])
    }

    /// The wrapper's message when the session failed because its working directory is missing.
    private func missingDirectory(_ session: SessionSpec) async -> String? {
        guard let target = try? await target(session.machine), let record = await state.session(session.name) else { return nil }
        let processTarget = ProcessTarget(provider: runtime.provider, instance: target.instance, home: target.home, run: record.run)
        guard let chunk = try? await runtime.processManager.logs(record.process, stream: .stderr, on: processTarget, from: nil, tail: 5) else {
            return nil
        }
        let lines = String(decoding: chunk.bytes, as: UTF8.self).split(separator: "\n")
        guard let line = lines.last(where: { $0.hasPrefix("runjob: the working directory") }) else { return nil }
        return "session `\(session.name)` could not start: " + String(line.dropFirst("runjob: ".count))
    }

    /// Waits for the session's process to finish, reads the agent's result, and emits `session.finished`.
    func follow(_ session: SessionSpec) async throws -> SessionFinished {
        let target = try await target(session.machine)
        guard let record = await state.session(session.name) else {
            throw OrchestrationError(
                ErrorCode.Orchestration.sessionNotFound, "session `\(session.name)` was not started", context: [.init("session", session.name)])
        }
        let processTarget = ProcessTarget(provider: runtime.provider, instance: target.instance, home: target.home, run: record.run)
        let info = try await runtime.processManager.wait(for: record.process, on: processTarget, interval: options.pollInterval)
        var result: SessionResult?
        if let kind = session.agentKind, let agent = runtime.agents[kind] {
            result = agent.result(fromOutput: try await runtime.processManager.outputTail(record.process, on: processTarget))
        }
        let ok = info.succeeded && !(result?.isError ?? false)
        let finished = SessionFinished(session: session.name, machine: session.machine, ok: ok, exitCode: info.exitCode, result: result)
        emit(.sessionFinished(finished))
        return finished
    }
}
