import Executor
import Foundation
import TestSupport
import Testing

/// The step.finished event of `step` in an apply's events.
func finishedEvent(_ events: String, step: String) -> JSONValue? {
    events.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }.last {
        $0["type"] == .string("step.finished") && $0["step"] == .string(step)
    }
}

/// Processes on this machine whose environment has `RUNJOB_INSTANCE=<instance>` and whose command line contains `needle`.
func processes(instance: String, running needle: String) -> [Int32] {
    let marker = Array("RUNJOB_INSTANCE=\(instance)".utf8)
    return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name -> Int32? in
        guard let pid = Int32(name), let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ"),
            environ.split(separator: 0).contains(where: { Array($0) == marker }),
            let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
        else { return nil }
        let text = String(decoding: cmdline.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        guard text.contains(needle) else { return nil }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.contains(") Z ") ? nil : pid
    }
}

@Suite("Re-apply tells the truth: changed secrets, --rerun, damaged records", .serialized)
struct ReapplyTruthTests {
    static let manifest = """
        version: 1
        name: truth
        provider: local
        machine: {}
        sessions:
          agent:
            run: { shell: "printf '%s\\\\n' \\"$TOKEN\\" > token.txt; exec sleep 300" }
            env: { TOKEN: "${env:TRUTH_TOKEN}" }
          once: { run: "date +%s%N > once.txt" }
        """

    @Test("a changed secret in a running session's env: plan says so (exit 2), apply restarts it with the new value")
    func changedSecret() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let file = try home.write("truth.yaml", Self.manifest)
        let first = try await runjob(["apply", file], env: ["TRUTH_TOKEN": "token-one-aaaaaaaa"], home: home)
        #expect(first.status == 0, "\(first.err)")
        let instance = try #require(bootedInstances(first.out).first)
        let same = try await runjob(["plan", "--detailed-exitcode", file], env: ["TRUTH_TOKEN": "token-one-aaaaaaaa"], home: home)
        #expect(same.status == 0, "\(same.out)")
        let changed = try await runjob(["plan", "--detailed-exitcode", file], env: ["TRUTH_TOKEN": "token-two-bbbbbbbb"], home: home)
        #expect(changed.status == 2, "\(changed.out)")
        #expect(changed.out.contains("re-run agent (its secret inputs changed"), "\(changed.out)")
        #expect(!changed.out.contains("token-two") && !changed.out.contains("token-one"))
        let second = try await runjob(["apply", file], env: ["TRUTH_TOKEN": "token-two-bbbbbbbb"], home: home)
        #expect(second.status == 0, "\(second.err)")
        let start = try #require(finishedEvent(second.out, step: "start:agent"))
        #expect(start["data"]?["unchanged"] == nil)
        #expect(start["data"]?["reason"]?.stringValue?.contains("secret inputs changed") == true)
        #expect(finishedEvent(second.out, step: "start:once")?["data"]?["unchanged"] == .bool(true))
        // One process, with the new value.
        let deadline = Date().addingTimeInterval(10)
        var live: [Int32] = []
        repeat {
            live = processes(instance: instance, running: "sleep 300")
            if live.count == 1 { break }
            try await Task.sleep(for: .milliseconds(20))
        } while Date() < deadline
        #expect(live.count == 1)
        let status = try await runjob(["status", "--output", "json", file], env: ["TRUTH_TOKEN": "token-two-bbbbbbbb"], home: home)
        #expect(try JSONValue.parse(status.stdout)["change"] == .string("no changes"), "\(status.out)")
        _ = try await runjob(["destroy", "--yes", file], env: ["TRUTH_TOKEN": "x"], home: home)
    }

    @Test("--rerun runs a finished session again; plan --rerun shows it; an unknown name is a usage error")
    func rerun() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let file = try home.write("truth.yaml", Self.manifest)
        let env = ["TRUTH_TOKEN": "token-one-aaaaaaaa"]
        let first = try await runjob(["apply", file], env: env, home: home)
        #expect(first.status == 0, "\(first.err)")
        let plan = try await runjob(["plan", "--rerun", "once", file], env: env, home: home)
        #expect(plan.out.contains("re-run once (requested (--rerun))"), "\(plan.out)")
        let again = try await runjob(["apply", "--rerun", "once", file], env: env, home: home)
        #expect(again.status == 0, "\(again.err)")
        #expect(finishedEvent(again.out, step: "start:once")?["data"]?["reason"] == .string("requested (--rerun)"))
        #expect(finishedEvent(again.out, step: "start:agent")?["data"]?["unchanged"] == .bool(true))
        let unknown = try await runjob(["apply", "--rerun", "onec", file], env: env, home: home)
        #expect(unknown.status == 2)
        #expect(unknown.err.contains("did you mean `once`?"))
        _ = try await runjob(["destroy", "--yes", file], env: env, home: home)
    }

    @Test("a damaged session record never leads to a second copy: apply adopts the live process and repairs the record")
    func damagedRecord() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let file = try home.write("truth.yaml", Self.manifest)
        let env = ["TRUTH_TOKEN": "token-one-aaaaaaaa"]
        let first = try await runjob(["apply", file], env: env, home: home)
        #expect(first.status == 0, "\(first.err)")
        let instance = try #require(bootedInstances(first.out).first)
        let instanceHome = try #require(finishedEvent(first.out, step: "boot:main")?["data"]?["home"]?.stringValue)
        try "{not json".write(toFile: instanceHome + "/.runjob/state/session-agent.json", atomically: true, encoding: .utf8)
        let status = try await runjob(["status", file], env: env, home: home)
        #expect(status.out.contains("session agent: running"), "\(status.out)")
        #expect(status.out.contains("record damaged"), "\(status.out)")
        let second = try await runjob(["apply", file], env: env, home: home)
        #expect(second.status == 0, "\(second.err)")
        #expect(processes(instance: instance, running: "sleep 300").count == 1)
        let repaired = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: instanceHome + "/.runjob/state/session-agent.json"))))
        #expect(repaired["run"]?.stringValue == first.out.split(separator: "\"run\":\"")[1].split(separator: "\"")[0].description)
        _ = try await runjob(["destroy", "--yes", file], env: env, home: home)
    }
}

@Suite("A boot that died before its instance was ready does not block the next apply", .serialized)
struct AbandonedBootTests {
    @Test("apply removes a half-made instance folder left by a killed boot and boots afresh, without --replace")
    func abandonedBoot() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let file = try home.write(
            "abandoned.yaml", "version: 1\nname: abandoned\nprovider: local\nmachine: {}\nsessions:\n  s: { run: \"exec sleep 300\" }\n")
        let plan = try await runjob(["plan", "--output", "json", file], home: home)
        let digest = try #require(try JSONValue.parse(Array(plan.out.utf8))["config_digest"]?.stringValue)
        let config = String(digest.dropFirst("sha256:".count))
        // What kill -9 in the first milliseconds of a boot leaves: a staging folder with its record, no lock holder.
        let staging = home.file("state/runjob/instances/abandoned@default/.boot-local-deadb00tdead")
        try FileManager.default.createDirectory(atPath: staging + "/home", withIntermediateDirectories: true)
        let record = JSONValue.object([
            "id": .string("local-deadb00tdead"), "created_at": .int(1),
            "labels": .object([
                "runjob.boot": .string("b1"), "runjob.config": .string(config), "runjob.machine": .string("main"),
                "runjob.name": .string("abandoned"), "runjob.run": .string("RUN0"), "runjob.workspace": .string("default"),
            ]),
        ])
        try record.compactText.write(toFile: staging + "/instance.json", atomically: true, encoding: .utf8)
        let status = try await runjob(["status", file], home: home)
        #expect(status.out.contains("local-deadb00tdead"), "status lists it: \(status.out)")
        let apply = try await runjob(["apply", file], home: home)
        #expect(apply.status == 0, "\(apply.out)\n\(apply.err)")
        #expect(apply.out.contains("died before the instance was ready"))
        #expect(!FileManager.default.fileExists(atPath: staging))
        #expect(bootedInstances(apply.out).count == 1)
        let destroy = try await runjob(["destroy", "--yes", file], home: home)
        #expect(destroy.status == 0)
    }

    @Test("a staging folder killed before its record was written (machine unknown) is removed too, without --replace")
    func abandonedBootWithoutRecord() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let file = try home.write(
            "abandoned.yaml", "version: 1\nname: abandoned\nprovider: local\nmachine: {}\nsessions:\n  s: { run: \"exec sleep 300\" }\n")
        let staging = home.file("state/runjob/instances/abandoned@default/.boot-local-deadb00tbeef")
        try FileManager.default.createDirectory(atPath: staging + "/home", withIntermediateDirectories: true)
        let status = try await runjob(["status", "--output", "json", file], home: home)
        let others = try JSONValue.parse(Array(status.out.utf8))["other_instances"]?.arrayValue ?? []
        #expect(others.first?["instance"] == .string("local-deadb00tbeef"), "status lists it: \(status.out)")
        #expect(others.first?["machine"] == .null)
        let plan = try await runjob(["plan", "--detailed-exitcode", file], home: home)
        #expect(!plan.out.contains("--replace"), "\(plan.out)")
        let apply = try await runjob(["apply", file], home: home)
        #expect(apply.status == 0, "\(apply.out)\n\(apply.err)")
        #expect(apply.out.contains("removed local-deadb00tbeef"), "\(apply.out)")
        #expect(!FileManager.default.fileExists(atPath: staging))
        #expect(bootedInstances(apply.out).count == 1)
        let destroy = try await runjob(["destroy", "--yes", file], home: home)
        #expect(destroy.status == 0)
    }
}
