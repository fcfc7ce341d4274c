import Executor
import Foundation
import LocalAdapter
import TestSupport
import Testing

@Suite("Running plans on the local provider")
struct RunEngineTests {
    @Test("a plan runs end to end: machine info, credentials with modes, sessions in order, one exec per profile")
    func endToEnd() async throws {
        try await withRig { rig in
            let plan = try makePlan(
                """
                version: 1
                name: e2e
                provider: local
                machine: { info: { owner: tests } }
                credentials:
                  first:
                    dirs: [{ path: ~/.first, mode: "0700" }]
                    files:
                      - { path: ~/.first/a, mode: "0600", content: "${env:FIRST}" }
                      - { path: ~/.first/b, mode: "0640", content: "second file" }
                      - { path: ~/.first/deep/c, content: "third" }
                    verify: { argv: [test, -s, ~/.first/a] }
                  second:
                    files: [{ path: ~/.second, mode: "0400", content: "${env:SECOND}" }]
                sessions:
                  setup:
                    run: mkdir -p ~/work && echo "$GREETING" > ~/work/setup.txt
                    env: { GREETING: hello }
                  report:
                    cwd: ~/work
                    credentials: [first, second]
                    after: { setup: completed }
                    run: cat setup.txt ~/.first/a > report.txt
                """, env: ["FIRST": "first-secret-0123456789", "SECOND": "second-secret-0123456789"])
            let (outcome, events) = await rig.apply(plan)
            #expect(outcome.status == .ok, "\(outcome.firstError.map { "\($0.code) \($0.message)" } ?? "")")
            let home = try #require(try await rig.home(of: outcome))
            #expect(read(home + "/.first/a") == "first-secret-0123456789")
            #expect(read(home + "/.first/deep/c") == "third")
            #expect(mode(home + "/.first") == 0o700)
            #expect(mode(home + "/.first/a") == 0o600)
            #expect(mode(home + "/.first/b") == 0o640)
            #expect(mode(home + "/.second") == 0o400)
            #expect(mode(home + "/.machine.json") == 0o640)
            let info = try JSONValue.parse(Array(try #require(read(home + "/.machine.json")).utf8))
            #expect(info["instance"]?.stringValue == outcome.instances["main"])
            #expect(info["manifest"] == .string("e2e"))
            #expect(info["workspace"] == .string("default"))
            #expect(info["config"] == .string(plan.configDigest))
            #expect(info["info"]?["owner"] == .string("tests"))
            #expect(info["createdAt"]?.stringValue?.hasSuffix("Z") == true)
            // The report session ran after setup completed: wait for its end through the process manager.
            let steps = events.finishedSteps
            #expect(steps.values.allSatisfy { $0.status == .ok })
            #expect(steps["wait:setup"]?.status == .ok)
            let credentialExecs = rig.provider.recorded.filter { $0.operation == "exec" && ($0.label ?? "").hasPrefix("credentials:") }
            #expect(credentialExecs.compactMap(\.label).sorted() == ["credentials:first", "credentials:second"])
        }
    }

    @Test("independent steps run at the same time (each waits for the other's barrier file)")
    func overlap() async throws {
        try await withRig { rig in
            // Each verify command writes its barrier and waits (up to 20 s) for the other's:
            // they can only both succeed when the two credential steps run concurrently.
            let barrier = rig.folder.file("barriers")
            try FileManager.default.createDirectory(atPath: barrier, withIntermediateDirectories: true)
            let wait = { (mine: String, other: String) in
                "touch \(barrier)/\(mine); i=0; while [ ! -e \(barrier)/\(other) ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; test -e \(barrier)/\(other)"
            }
            let plan = try makePlan(
                """
                version: 1
                name: overlap
                provider: local
                machine: {}
                credentials:
                  a: { verify: { shell: "\(wait("a", "b"))" } }
                  b: { verify: { shell: "\(wait("b", "a"))" } }
                sessions:
                  s: { run: "true", credentials: [a, b] }
                """)
            let (outcome, events) = await rig.apply(plan, options: RunOptions(parallelism: 2, pollInterval: .milliseconds(50)))
            #expect(outcome.status == .ok, "\(outcome.firstError.map { "\($0.code) \($0.message)" } ?? "")")
            #expect(events.finishedSteps["credentials:a@main"]?.status == .ok)
            #expect(events.finishedSteps["credentials:b@main"]?.status == .ok)
            // Both started before either finished.
            var started: Set<String> = []
            for event in events {
                switch event.kind {
                case .stepStarted(let step, _): started.insert(step.description)
                case .stepFinished(let finished) where finished.step.kind == .credentials:
                    #expect(started.isSuperset(of: ["credentials:a@main", "credentials:b@main"]))
                default: break
                }
            }
        }
    }

    @Test("a failing step stops scheduling, skips its dependents with the reason, destroys only this run's instance")
    func failure() async throws {
        try await withRig { rig in
            // An instance of another manifest that must survive.
            let other = try await rig.local.boot(BootRequest(machine: MachineSpec(name: "main"), labels: ["runjob.name": "other"]))
            let plan = try makePlan(
                """
                version: 1
                name: failing
                provider: local
                machine: {}
                credentials:
                  broken: { verify: { argv: ["false"] } }
                sessions:
                  first: { run: "true", credentials: [broken] }
                  second: { run: "true", after: { first: started } }
                  third: { run: "sleep 0" }
                """)
            let (outcome, events) = await rig.apply(plan)
            #expect(outcome.status == .failed)
            #expect(outcome.exitCode == 1)
            let steps = events.finishedSteps
            #expect(steps["credentials:broken@main"]?.status == .failed)
            #expect(steps["credentials:broken@main"]?.error?.code == ErrorCode.Credentials.verifyFailed)
            #expect(steps["start:first"]?.status == .skipped)
            #expect(steps["start:first"]?.reason == "dependency credentials:broken@main failed")
            #expect(steps["start:second"]?.status == .skipped)
            #expect(steps["start:second"]?.reason == "dependency credentials:broken@main failed")
            #expect(events.count(where: { if case .stepFinished = $0.kind { true } else { false } }) == plan.steps.count)
            // This run's instance is gone, the other one is not.
            let remaining = try await rig.local.list(labels: [:])
            #expect(remaining.map(\.id) == [other.id])
            #expect(rig.provider.recorded.filter { $0.operation == "destroy" }.count == 1)
        }
    }

    @Test("a session whose cwd is missing fails its wait with process.cwd_missing and names the directory")
    func missingCwd() async throws {
        try await withRig { rig in
            let plan = try makePlan(
                """
                version: 1
                name: nocwd
                provider: local
                machine: {}
                sessions:
                  lost: { run: "true", cwd: ~/not/there }
                  next: { run: "true", after: { lost: completed } }
                """)
            let (outcome, events) = await rig.apply(plan)
            #expect(outcome.status == .failed)
            let wait = try #require(events.finishedSteps["wait:lost"])
            #expect(wait.error?.code == ErrorCode.Process.cwdMissing)
            #expect(wait.error?.message.contains("/not/there does not exist") == true, "\(wait.error?.message ?? "")")
            #expect(events.finishedSteps["start:next"]?.status == .skipped)
        }
    }

    @Test("re-apply: unchanged does nothing; a changed secret re-installs only that profile; a changed config is refused")
    func reapply() async throws {
        try await withRig { rig in
            let text = """
                version: 1
                name: again
                provider: local
                machine: {}
                credentials:
                  one: { files: [{ path: ~/.one, content: "${env:ONE}" }] }
                  two: { files: [{ path: ~/.two, content: "${env:TWO}" }] }
                sessions:
                  long: { run: "sleep 30", credentials: [one, two] }
                """
            let env = ["ONE": "one-secret-0123456789", "TWO": "two-secret-0123456789"]
            let (first, firstEvents) = await rig.apply(try makePlan(text, env: env))
            #expect(first.status == .ok)
            let firstPid = firstEvents.finishedSteps["start:long"]?.data.first { $0.key == "pid" }?.value

            rig.provider.reset()
            let (second, secondEvents) = await rig.apply(try makePlan(text, env: env))
            #expect(second.status == .ok)
            #expect(second.instances == first.instances)
            #expect(rig.provider.mutatingCalls == [])
            #expect(secondEvents.finishedSteps.values.allSatisfy { $0.data.contains { $0.key == "unchanged" } })
            #expect(firstPid != nil)

            // The session still runs with the pid the first apply started.
            let home = try #require(try await rig.home(of: second))
            let record = try await InstanceState.read(from: rig.local, instance: try #require(second.instances["main"])).sessions["long"]
            let target = ProcessTarget(
                provider: rig.local, instance: try #require(second.instances["main"]), home: home, run: try #require(record?.run))
            let status = try await rig.runtime.processManager.status("long", on: target)
            #expect(status?.status == .running)
            #expect(status?.pid.map(JSONValue.int) == firstPid)

            rig.provider.reset()
            var changed = env
            changed["TWO"] = "two-secret-ABCDEFGHIJ"
            let (third, thirdEvents) = await rig.apply(try makePlan(text, env: changed))
            #expect(third.status == .ok)
            #expect(third.instances == first.instances)
            #expect(rig.provider.mutatingCalls.map(\.label) == ["credentials:two"])
            #expect(thirdEvents.finishedSteps["credentials:one@main"]?.data.contains { $0.key == "unchanged" } == true)
            #expect(read(home + "/.two") == "two-secret-ABCDEFGHIJ")

            rig.provider.reset()
            let (fourth, _) = await rig.apply(try makePlan(text.replacing("sleep 30", with: "sleep 31"), env: changed))
            #expect(fourth.status == .failed)
            #expect(fourth.firstError?.code == ErrorCode.Orchestration.configChanged)
            #expect(fourth.configDifferences == ["sessions.long.run.shell: \"sleep 30\" → \"sleep 31\""])
            #expect(rig.provider.mutatingCalls == [])
        }
    }

    @Test("an interrupt stops the run, cancels what runs, destroys this run's instance and reports leftovers")
    func interrupt() async throws {
        try await withRig { rig in
            let marker = rig.folder.file("verify-started")
            let plan = try makePlan(
                """
                version: 1
                name: interrupted
                provider: local
                machine: {}
                credentials:
                  slow: { verify: { shell: "touch \(marker); sleep 30" } }
                sessions:
                  s: { run: "true", credentials: [slow] }
                """)
            let sink = CollectingSink()
            let engine = RunEngine(
                plan: plan, runtime: rig.runtime,
                options: RunOptions(pollInterval: .milliseconds(50), destroyCommand: "runjob destroy test.yaml --yes"),
                sink: sink, redactor: Redactor())
            let running = Task { await engine.run() }
            // Interrupt once the slow step is really running (its verify command has started).
            while !FileManager.default.fileExists(atPath: marker) { await Task.yield() }
            engine.interrupt(signal: "SIGINT")
            let outcome = await running.value
            #expect(outcome.status == .interrupted)
            #expect(outcome.exitCode == 130)
            let interrupted = sink.events.compactMap { if case .runInterrupted(let value) = $0.kind { value } else { nil } }
            #expect(interrupted.count == 1)
            #expect(interrupted.first?.leftovers == [])
            #expect(interrupted.first?.destroyCommand == "runjob destroy test.yaml --yes")
            #expect(sink.events.finishedSteps["credentials:slow@main"]?.status == .cancelled)
            #expect(sink.events.finishedSteps["start:s"]?.status == .cancelled)
            #expect(try await rig.local.list(labels: [:]).isEmpty)
        }
    }
}

@Suite("Orchestrator facade")
struct OrchestratorTests {
    let text = """
        version: 1
        name: facade
        provider: local
        machine: {}
        credentials:
          c: { files: [{ path: ~/.c, content: "${env:C}" }] }
        sessions:
          talk: { run: "printf 'one\\\\ntwo\\\\nthree %s\\\\n' \\"$C\\"; sleep 30", credentials: [c], env: { C: "${env:C}" } }
        """

    @Test("bootAndPrepare, startSession, logs and listProcesses work together and are idempotent")
    func actions() async throws {
        try await withRig { rig in
            let plan = try makePlan(text, env: ["C": "value-of-c-0123456789"])
            let orchestrator = Orchestrator(plan: plan, runtime: rig.runtime, options: RunOptions(pollInterval: .milliseconds(50)))
            let prepared = try await orchestrator.bootAndPrepare(machine: "main")
            #expect(read(prepared.home + "/.c") == "value-of-c-0123456789")
            #expect(FileManager.default.fileExists(atPath: prepared.home + "/.machine.json"))
            let again = try await orchestrator.bootAndPrepare(machine: "main")
            #expect(again == prepared)
            let info = try await orchestrator.startSession("talk")
            #expect(info.status == .running)
            let second = try await orchestrator.startSession("talk")
            #expect(second.pid == info.pid)
            var chunk = LogChunk(bytes: [], nextOffset: 0)
            for _ in 0..<200 where !String(decoding: chunk.bytes, as: UTF8.self).contains("three") {
                chunk = try await orchestrator.logs(session: "talk", tail: 2)
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(String(decoding: chunk.bytes, as: UTF8.self) == "two\nthree [redacted]\n")
            let processes = try await orchestrator.listProcesses(machine: "main")
            #expect(processes.map(\.name) == ["talk"])
            #expect(processes.first?.status == .running)
        }
    }

    @Test("unknown machines and sessions are errors with codes")
    func failures() async throws {
        try await withRig { rig in
            let plan = try makePlan(text, env: ["C": "value-of-c-0123456789"])
            let orchestrator = Orchestrator(plan: plan, runtime: rig.runtime)
            await #expect(throws: OrchestrationError.self) { _ = try await orchestrator.bootAndPrepare(machine: "nope") }
            await #expect(throws: OrchestrationError.self) { _ = try await orchestrator.startSession("nope") }
            await #expect(throws: OrchestrationError.self) { _ = try await orchestrator.listProcesses(machine: "main") }
        }
    }
}

@Suite("The core refuses a plan with unset secrets, for every caller")
struct PartialPlanTests {
    let text = """
        version: 1
        name: partial
        provider: local
        machine: {}
        credentials:
          c: { files: [{ path: ~/.c, content: "${env:UNSET_TOKEN}" }] }
        sessions:
          s: { run: "true", credentials: [c] }
        """

    @Test("RunEngine: orchestration.partial_plan before any provider call, naming the unset source")
    func engine() async throws {
        try await withRig { rig in
            let plan = try makePlan(text)
            #expect(plan.secrets.isPartial)
            let (outcome, events) = await rig.apply(plan)
            #expect(outcome.status == .failed)
            #expect(outcome.firstError?.code == ErrorCode.Orchestration.partialPlan)
            #expect(outcome.firstError?.message.contains("env:UNSET_TOKEN") == true)
            #expect(rig.provider.recorded.isEmpty, "\(rig.provider.recorded)")
            #expect(!events.contains { if case .stepStarted = $0.kind { true } else { false } })
        }
    }

    @Test("Orchestrator: every action that changes something throws orchestration.partial_plan first")
    func facade() async throws {
        try await withRig { rig in
            let orchestrator = Orchestrator(plan: try makePlan(text), runtime: rig.runtime)
            for action in ["boot", "start"] {
                let error = await #expect(throws: OrchestrationError.self) {
                    if action == "boot" { _ = try await orchestrator.bootAndPrepare(machine: "main") } else { _ = try await orchestrator.startSession("s") }
                }
                #expect(error?.code == ErrorCode.Orchestration.partialPlan)
            }
            #expect(rig.provider.recorded.isEmpty)
        }
    }

    @Test("a plan whose secrets are all set passes the check")
    func complete() throws {
        try makePlan(text, env: ["UNSET_TOKEN": "now-it-is-set-0123"]).requireEverySecret()
    }
}

@Suite("The engine masks the secrets its adapters hold")
struct RuntimeSecretsTests {
    @Test("a key the provider read from the environment (not named in the manifest) is masked in every output sharing the redactor")
    func runtimeSecrets() async throws {
        try await withRig { rig in
            let plan = try makePlan("version: 1\nname: keys\nprovider: local\nmachine: {}\nsessions:\n  s: { run: \"true\" }\n")
            var runtime = rig.runtime
            runtime.secrets = [Secret(source: .env("MORPH_API_KEY"), value: "morph-key-from-the-environment-42")]
            let redactor = Redactor(secrets: plan.allSecrets)
            #expect(redactor.redact("key morph-key-from-the-environment-42") == "key morph-key-from-the-environment-42")
            _ = RunEngine(plan: plan, runtime: runtime, options: RunOptions(), sink: CollectingSink(), redactor: redactor)
            #expect(redactor.redact("key morph-key-from-the-environment-42") == "key [redacted]")
        }
    }
}
