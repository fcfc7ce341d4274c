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

    /// What a finished step reports.
    struct Outcome: Sendable {
        var data: [JSONValue.Member] = []
    }

    func run(_ step: Step) async throws -> Outcome {
        switch step.action {
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
        guard case .reuse(let instance)? = deployment.action(for: machine) else { return nil }
        return deployment.states[instance.id]
    }

    // MARK: boot

    private func boot(_ machine: MachineSpec) async throws -> Outcome {
        switch deployment.action(for: machine.name) {
        case .reuse(let instance)?:
            let home = try await homeOf(instance)
            await state.setInstance(machine.name, id: instance.id, home: home, bootedHere: false)
            return Outcome(data: [.init("instance", .string(instance.id)), .init("unchanged", .bool(true))])
        case .replace(let old)?:
            try await runtime.provider.destroy(old.id)
            var outcome = try await bootNew(machine)
            outcome.data.append(.init("replaced", .string(old.id)))
            return outcome
        case .ambiguous(let instances)?:
            throw OrchestrationError(
                ErrorCode.Orchestration.ambiguousInstances,
                "\(instances.count) instances carry the labels of machine `\(machine.name)` (\(instances.map(\.id).joined(separator: ", "))); remove the extra ones with `runjob destroy`",
                context: [.init("machine", machine.name)])
        case .create?, nil:
            return try await bootNew(machine)
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
        let instance = try await runtime.provider.boot(BootRequest(machine: machine, labels: labels))
        await state.setBooted(machine.name, id: instance.id)
        let home = try await recordBoot(instance, machine: machine)
        await state.setInstance(machine.name, id: instance.id, home: home, bootedHere: true)
        return Outcome(data: [.init("instance", .string(instance.id)), .init("home", .string(home))])
    }

    /// Writes the boot record and returns the instance's home. When the home is not
    /// known yet, one exec does both: the record goes to `~/…` and the same command
    /// prints `$HOME`.
    private func recordBoot(_ instance: Instance, machine: MachineSpec) async throws -> String {
        func record(home: String) -> FileWrite {
            InstanceState.bootRecord(home: home, plan: plan, machine: machine.name, workspace: options.workspace, run: options.runID)
        }
        var known: String?
        if case .absolute(let path)? = machine.home { known = path }
        if let home = known ?? instance.home {
            try await runtime.provider.writeFiles(instance.id, FileBatch(label: "state:boot", files: [record(home: home)]))
            return home
        }
        let batch = FileBatch(label: "state:boot", files: [record(home: "~")])
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

    /// The instance's home: the manifest's override, what the provider reported, or `$HOME` asked with one read-only exec.
    private func homeOf(_ instance: Instance, override: RemotePath? = nil) async throws -> String {
        if case .absolute(let path)? = override { return path }
        if let home = instance.home { return home }
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
        let digest = plan.secrets.scopes["credentials:\(profile.name)"] ?? ""
        if let recorded = await recordedState(machine), recorded.credentials[profile.name] == digest {
            return Outcome(data: [.init("unchanged", .bool(true))])
        }
        let record = InstanceState.credentialsRecord(home: target.home, profile: profile.name, secrets: digest, run: options.runID)
        try await runtime.credentials.install(profile, on: target, extraFiles: [record])
        return Outcome(data: [.init("files", .int(profile.files.count))])
    }

    // MARK: sessions

    private func start(_ session: SessionSpec) async throws -> Outcome {
        let target = try await target(session.machine)
        if let recorded = await recordedState(session.machine), let existing = recorded.sessions[session.name] {
            await state.setSession(session.name, existing)
            return Outcome(data: [.init("process", .string(existing.process)), .init("run", .string(existing.run)), .init("unchanged", .bool(true))])
        }
        let processTarget = ProcessTarget(provider: runtime.provider, instance: target.instance, home: target.home, run: options.runID)
        let spec = try SessionProcesses.spec(
            for: session, plan: plan, agents: runtime.agents, home: target.home, runDirectory: processTarget.runDirectory)
        for variable in spec.env { redactor.add(variable.value) }
        let record = InstanceState.SessionRecord(run: options.runID, process: spec.name, startedAt: RunClock.timestamp(), config: plan.configDigest)
        let info = try await runtime.processManager.start(
            spec, on: processTarget, records: [InstanceState.sessionRecord(home: target.home, session: session.name, record: record)])
        await state.setSession(session.name, record)
        var data: [JSONValue.Member] = [.init("process", .string(spec.name))]
        if let pid = info.pid { data.append(.init("pid", .int(pid))) }
        return Outcome(data: data)
    }

    private func wait(_ session: SessionSpec) async throws -> Outcome {
        let finished = try await follow(session)
        if !finished.ok, finished.exitCode == Int(ShellScript.missingDirectoryStatus), let detail = await missingDirectory(session) {
            throw ProcessError(ErrorCode.Process.cwdMissing, detail, context: [.init("session", session.name)])
        }
        guard finished.ok else {
            let code = finished.result != nil ? ErrorCode.Agent.failed : ErrorCode.Process.exitedNonZero
            let detail =
                finished.result?.isError == true ? "the agent reported an error" : "exit status \(finished.exitCode.map(String.init) ?? "unknown")"
            var message = "session `\(session.name)` did not complete successfully (\(detail))"
            if let record = await state.session(session.name), record.run != options.runID {
                // A re-apply reuses a finished session as it is; say how to run it again.
                message +=
                    "; it ran in an earlier apply (run \(record.run)), and re-apply does not run a finished session again:"
                    + " `runjob destroy` and apply again to re-run it"
            }
            throw ProcessError(code, message, context: [.init("session", session.name)])
        }
        return Outcome(data: [.init("exit_code", .int(finished.exitCode ?? 0))])
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
            let output = try await runtime.processManager.logs(record.process, stream: .stdout, on: processTarget, from: 0, tail: nil)
            result = agent.result(fromOutput: output.bytes)
        }
        let ok = info.succeeded && !(result?.isError ?? false)
        let finished = SessionFinished(session: session.name, machine: session.machine, ok: ok, exitCode: info.exitCode, result: result)
        emit(.sessionFinished(finished))
        return finished
    }
}
