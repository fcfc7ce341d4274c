import Executor
import Foundation
import TestSupport
import Testing

/// The instance ids that boot steps reported in an apply's events.
func bootedInstances(_ events: String) -> [String] {
    events.split(separator: "\n").compactMap { line -> String? in
        guard let event = try? JSONValue.parse(String(line)), event["type"] == .string("step.finished"),
            event["kind"] == .string("boot"), let instance = event["data"]?["instance"]?.stringValue
        else { return nil }
        return instance
    }
}

/// The folder of the local instance `id` under `state` (`instances/<id>` or
/// `instances/<name>@<workspace>/<id>`), or `nil` when there is none.
func localInstanceFolder(_ state: String, _ id: String) -> String? {
    let instances = state + "/instances"
    let parents =
        [instances]
        + ((try? FileManager.default.contentsOfDirectory(atPath: instances)) ?? []).filter { $0.contains("@") }.map { instances + "/" + $0 }
    return parents.map { $0 + "/" + id }.first { FileManager.default.fileExists(atPath: $0) }
}

/// Validates event lines against `_reference/events.schema.json` with Python's jsonschema.
func expectValidEvents(_ events: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
    let folder = try TemporaryDirectory()
    defer { folder.remove() }
    try folder.write("events.jsonl", events)
    let check = try await CommandRunner.runDetached(
        "/usr/bin/env",
        ["python3", repo("Tests/Support/scripts/check_events.py"), repo("_reference/events.schema.json"), folder.file("events.jsonl")],
        environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
    #expect(check.status == 0, "\(check.out)\(check.err)", sourceLocation: sourceLocation)
}

@Suite("apply, status, logs and destroy through the CLI", .serialized)
struct ApplyLifecycleTests {
    @Test("the Quickstart's apply works on the local example; status, logs and destroy --yes clean up everything")
    func quickstart() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let apply = try await runjob(["apply", "examples/manifests/local.yaml"], home: home)
        #expect(apply.status == 0, "\(apply.err)")
        try await expectValidEvents(apply.out)
        let instances = bootedInstances(apply.out)
        #expect(instances.count == 1)
        let instance = try #require(instances.first)
        let instanceHome = try #require(localInstanceFolder(home.file("state/runjob"), instance)) + "/home"
        // The sessions really ran: wait for the report the second session writes.
        let report = instanceHome + "/work/report.txt"
        let deadline = Date().addingTimeInterval(20)
        while (FileManager.default.contents(atPath: report)?.count ?? 0) == 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let text = try #require(FileManager.default.contents(atPath: report).map { String(decoding: $0, as: UTF8.self) })
        #expect(text.hasPrefix("hello from "))
        #expect(text.contains("prepared at "))
        #expect(FileManager.default.fileExists(atPath: instanceHome + "/work/setup.txt"))

        let status = try await runjob(["status", "--output", "json", "examples/manifests/local.yaml"], home: home)
        #expect(status.status == 0, "\(status.err)")
        let document = try JSONValue.parse(status.stdout)
        #expect(document["change"] == .string("no changes"))
        let machine = try #require(document["machines"]?.arrayValue?.first)
        #expect(machine["instance"] == .string(instance))
        #expect(machine["sessions"]?.arrayValue?.map { $0["session"] } == [.string("setup"), .string("report")])
        #expect(machine["sessions"]?.arrayValue?.first?["status"] == .string("exited"))

        // `report` prints its report last: wait until it exited before reading its log.
        var reportStatus: JSONValue?
        while Date() < deadline {
            let poll = try await runjob(["status", "--output", "json", "examples/manifests/local.yaml"], home: home)
            reportStatus = try JSONValue.parse(poll.stdout)["machines"]?.arrayValue?.first?["sessions"]?.arrayValue?.last?["status"]
            if reportStatus == .string("exited") { break }
        }
        #expect(reportStatus == .string("exited"))
        let logs = try await runjob(["logs", "examples/manifests/local.yaml", "report"], home: home)
        #expect(logs.status == 0, "\(logs.err)")
        #expect(logs.out.hasPrefix("hello from "))
        let quiet = try await runjob(["logs", "examples/manifests/local.yaml", "setup"], home: home)
        #expect(quiet.status == 0, "\(quiet.err)")
        #expect(quiet.out.isEmpty)
        #expect(quiet.err.contains("session `setup` has written no output"))
        let tailZero = try await runjob(["logs", "--tail", "0", "examples/manifests/local.yaml", "report"], home: home)
        #expect(tailZero.status == 0 && tailZero.out.isEmpty && !tailZero.err.contains("no output"))
        let negative = try await runjob(["logs", "--tail", "-1", "examples/manifests/local.yaml", "report"], home: home)
        #expect(negative.status == 2)
        #expect(negative.err.contains("--tail must not be negative"))
        let misspelled = try await runjob(["logs", "examples/manifests/local.yaml", "reprot"], home: home)
        #expect(misspelled.status == 2)
        #expect(misspelled.err.contains("error[cli.usage]: local-demo has no session `reprot` (sessions: setup, report); did you mean `report`?"))
        let replan = try await runjob(["plan", "examples/manifests/local.yaml"], home: home)
        #expect(replan.out.contains("Plan: no changes; `apply` would do nothing (1 machine, 1 credential install, 2 sessions)."))
        #expect(!replan.out.contains("Will boot"))
        let all = try await runjob(["logs", "examples/manifests/local.yaml"], home: home)
        #expect(all.out.contains("==> setup <==\n(no output)\n==> report <==\nhello from "))
        let textStatus = try await runjob(["status", "examples/manifests/local.yaml"], home: home)
        #expect(textStatus.out.contains("session setup: exited (exit 0)"))

        let refused = try await runjob(["destroy", "examples/manifests/local.yaml"], home: home)
        #expect(refused.status == 2)
        #expect(refused.err.contains("cli.confirmation_required"))
        let destroy = try await runjob(["destroy", "--yes", "examples/manifests/local.yaml"], home: home)
        #expect(destroy.status == 0, "\(destroy.err)")
        #expect(destroy.err.contains("destroyed \(instance)"))
        #expect(localInstanceFolder(home.file("state/runjob"), instance) == nil)
        #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(instance)") == [])
        let after = try await runjob(["status", "examples/manifests/local.yaml"], home: home)
        #expect(after.out.contains("will create"))
        let logsAfter = try await runjob(["logs", "examples/manifests/local.yaml"], home: home)
        #expect(logsAfter.status == 1)
        #expect(logsAfter.out.isEmpty)
        #expect(logsAfter.err.contains("orchestration.instance_missing"))
    }

    @Test("a failing run's events validate, the exit code is 1 and the instance is gone")
    func failingRun() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let file = try home.write(
            "fail.yaml",
            """
            version: 1
            name: failing
            provider: local
            machine: {}
            credentials:
              broken: { verify: { shell: "echo 'the check says no' >&2; exit 3" } }
            sessions:
              s: { run: "true", credentials: [broken] }
            """)
        let apply = try await runjob(["apply", file], home: home)
        #expect(apply.status == 1)
        try await expectValidEvents(apply.out)
        #expect(apply.out.contains("\"code\":\"credentials.verify_failed\""))
        #expect(apply.out.contains("the check says no"))
        #expect(apply.err.contains("start:s skipped: dependency credentials:broken@main failed"))
        let instance = try #require(bootedInstances(apply.out).first)
        #expect(localInstanceFolder(home.file("state/runjob"), instance) == nil)
        #expect((apply.out + apply.err).contains("`apply --keep` keeps it after a failure, for `runjob logs`"))
    }

    @Test("a failed session is tainted: plan proposes running it again (exit 2), re-apply runs it again and says why")
    func reapplyAfterFailedSession() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let file = try home.write(
            "boom.yaml",
            """
            version: 1
            name: boom
            provider: local
            machine: {}
            sessions:
              boom: { run: "echo oops >&2; exit 3" }
              next: { run: "true", after: { boom: completed } }
            """)
        let first = try await runjob(["apply", "--keep", file], home: home)
        #expect(first.status == 1)
        #expect(!first.out.contains("ran in an earlier apply"))
        let logs = try await runjob(["logs", file, "boom"], home: home)
        #expect(logs.err.contains("oops"))
        let plan = try await runjob(["plan", "--detailed-exitcode", file], home: home)
        #expect(plan.status == 2, "\(plan.out)\(plan.err)")
        #expect(plan.out.contains("re-run boom (it failed (exit 3) in run"), "\(plan.out)")
        let second = try await runjob(["apply", "--keep", file], home: home)
        #expect(second.status == 1)
        try await expectValidEvents(second.out)
        #expect(second.out.contains("session boom: running it again: it failed (exit 3) in run"), "\(second.out)")
        let runs = second.out.split(separator: "\n").filter { $0.contains("\"step\":\"start:boom\"") && $0.contains("step.finished") }
        #expect(runs.count == 1 && runs[0].contains("\"reason\""))
        let destroy = try await runjob(["destroy", "--yes", file], home: home)
        #expect(destroy.status == 0, "\(destroy.err)")
    }

    @Test("SIGINT to a running apply: cleanup, run.interrupted with the destroy command, exit 130, nothing left")
    func interrupt() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let marker = home.file("session-started")
        let file = try home.write(
            "slow.yaml",
            """
            version: 1
            name: slow
            provider: local
            machine: {}
            sessions:
              slow: { run: "touch \(marker); sleep 60" }
              after-slow: { run: "true", after: { slow: completed } }
            """)
        let command = try BackgroundCommand(
            BuiltProducts.runjob, ["apply", file], environment: ["HOME": home.path, "XDG_STATE_HOME": home.file("state"), "NO_COLOR": "1"],
            directory: BuiltProducts.repositoryRoot)
        #expect(await command.eventually { FileManager.default.fileExists(atPath: marker) })
        command.send(SIGINT)
        let status = await command.exitStatus()
        #expect(status == 130)
        let out = command.out
        try await expectValidEvents(out)
        #expect(out.contains("\"type\":\"run.interrupted\""))
        #expect(out.contains("\"destroy_command\":\"runjob destroy \(file) --yes\""))
        #expect(out.contains("\"status\":\"interrupted\""))
        let instance = try #require(bootedInstances(out).first)
        #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(instance)") == [])
        #expect(localInstanceFolder(home.file("state/runjob"), instance) == nil)
    }

    @Test("re-apply: unchanged keeps instance and pids; a changed config is refused with the differences, exit 1")
    func reapply() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let text = """
            version: 1
            name: again
            provider: local
            machine: {}
            sessions:
              long: { run: "sleep 60" }
            """
        let file = try home.write("again.yaml", text)
        let first = try await runjob(["apply", file], home: home)
        #expect(first.status == 0, "\(first.err)")
        let firstStatus = try JSONValue.parse(try await runjob(["status", "--output", "json", file], home: home).stdout)
        let second = try await runjob(["apply", "--output", "text", file], home: home)
        #expect(second.status == 0)
        #expect(second.out.contains("boot:main ok (0 ms) instance=\(bootedInstances(first.out).first ?? "?") unchanged"))
        let secondStatus = try JSONValue.parse(try await runjob(["status", "--output", "json", file], home: home).stdout)
        #expect(firstStatus == secondStatus)
        #expect(firstStatus["machines"]?.arrayValue?.first?["sessions"]?.arrayValue?.first?["pid"]?.intValue != nil)

        try home.write("again.yaml", text.replacing("sleep 60", with: "sleep 61"))
        let changed = try await runjob(["apply", file], home: home)
        #expect(changed.status == 1)
        #expect(changed.err.contains("error[orchestration.config_changed]"))
        #expect(changed.err.contains("sessions.long.run.shell: \"sleep 60\" → \"sleep 61\""))
        let plan = try await runjob(["plan", "--detailed-exitcode", file], home: home)
        #expect(plan.status == 2)
        #expect(plan.out.contains("will replace"))
        let replaced = try await runjob(["apply", "--replace", file], home: home)
        #expect(replaced.status == 0, "\(replaced.err)")
        #expect(bootedInstances(replaced.out) != bootedInstances(first.out))
        let destroyed = try await runjob(["destroy", "--yes", file], home: home)
        #expect(destroyed.status == 0, "\(destroyed.err)")
    }
}
