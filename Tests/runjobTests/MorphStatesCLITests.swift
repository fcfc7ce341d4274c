import Executor
import Foundation
import TestSupport
import Testing

@Suite("Morph instances that are not ready, and boots that race (emulator process)", .serialized)
struct MorphStatesCLITests {
    static let key = Canary(value: "morph-states-key-canary-Yt71Pq09Lx")
    static let manifest = """
        version: 1
        name: states
        provider: { kind: morph, api_key: "${env:MORPH_API_KEY}", poll_interval: 100ms }
        machine: { snapshot: snapshot_states01 }
        sessions:
          worker: { run: "exec sleep 300" }
        """

    func setState(_ emulator: EmulatorProcess, _ instance: String, _ body: String) throws {
        _ = try emulator.control("POST", "instances/\(instance)/state", body: body)
    }

    @Test("paused: status shows it, apply resumes it and says so; pending: apply waits for it; error: apply refuses, --replace replaces it")
    func states() async throws {
        let emulator = try EmulatorProcess(arguments: ["--api-key", Self.key.value])
        defer { emulator.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let file = try home.write("states.yaml", Self.manifest)
        let env = try morphEnvironment(emulator, key: Self.key, token: Canary(tag: "unused"))
        let first = try await runjob(["apply", file], env: env, home: home)
        #expect(first.status == 0, "\(first.err)")
        let instance = try #require(bootedInstances(first.out).first)

        try setState(emulator, instance, #"{"status":"paused"}"#)
        let status = try await runjob(["status", file], env: env, home: home)
        #expect(status.status == 0, "\(status.err)")
        #expect(status.out.contains("\(instance) stopped"), "\(status.out)")
        let logs = try await runjob(["logs", file, "worker"], env: env, home: home)
        #expect(logs.status == 1)
        #expect(logs.err.contains("`runjob apply` resumes it"), "\(logs.err)")
        let plan = try await runjob(["plan", "--detailed-exitcode", file], env: env, home: home)
        #expect(plan.status == 2 && plan.out.contains("resume \(instance)"), "\(plan.out)")
        let resumed = try await runjob(["apply", file], env: env, home: home)
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(resumed.out.contains("resumed \(instance)"), "\(resumed.out)")
        #expect(bootedInstances(resumed.out) == [instance])

        try setState(emulator, instance, #"{"status":"pending","pending_reads":2}"#)
        let waited = try await runjob(["apply", file], env: env, home: home)
        #expect(waited.status == 0, "\(waited.err)")
        #expect(waited.out.contains("waited for \(instance)"), "\(waited.out)")

        try setState(emulator, instance, #"{"status":"error"}"#)
        let refused = try await runjob(["apply", file], env: env, home: home)
        #expect(refused.status == 1)
        #expect(refused.out.contains(ErrorCode.Orchestration.instanceUnusable.rawValue), "\(refused.out)")
        #expect(refused.out.contains("apply --replace"))
        let replaced = try await runjob(["apply", "--replace", file], env: env, home: home)
        #expect(replaced.status == 0, "\(replaced.err)")
        let fresh = try #require(bootedInstances(replaced.out).first)
        #expect(fresh != instance)
        let destroy = try await runjob(["destroy", "--yes", file], env: env, home: home)
        #expect(destroy.status == 0, "\(destroy.err)")
        #expect(try emulator.instances().allSatisfy { $0["deleted"] == .bool(true) })
        for output in [first, status, logs, plan, resumed, waited, refused, replaced, destroy].flatMap({ [$0.out, $0.err] }) {
            #expect(Self.key.leaks(in: output).isEmpty)
        }
    }

    @Test("two applies from two machines (no shared lease) at the same time converge to one instance and one session process")
    func raceConverges() async throws {
        let emulator = try EmulatorProcess(arguments: ["--api-key", Self.key.value, "--boot-delay-ms", "400"])
        defer { emulator.stop() }
        let homes = try (0..<2).map { _ in try TemporaryDirectory(prefix: "runjob-home") }
        defer { homes.forEach { $0.remove() } }
        let manifest = try homes[0].write("states.yaml", Self.manifest)
        let env = try morphEnvironment(emulator, key: Self.key, token: Canary(tag: "unused"))
        async let one = runjob(["apply", manifest], env: env, home: homes[0])
        async let two = runjob(["apply", manifest], env: env, home: homes[1])
        let results = try await [one, two]
        for result in results { #expect(result.status == 0, "\(result.err)") }
        let alive = try emulator.instances().filter { $0["deleted"] != .bool(true) }
        #expect(alive.count == 1, "\(alive)")
        let sandbox = try #require(alive.first?["sandbox_home"]?.stringValue)
        // One session process in the surviving instance (its pid files tell which runs launched).
        let runs = try FileManager.default.contentsOfDirectory(atPath: sandbox + "/.runjob").filter { $0 != "state" && $0 != "locks" }
        let live = runs.filter { run in
            guard let pid = (try? String(contentsOfFile: sandbox + "/.runjob/\(run)/worker.pid", encoding: .utf8)).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
            else { return false }
            return kill(pid, 0) == 0
        }
        #expect(live.count == 1, "\(runs)")
        #expect(results.contains { $0.out.contains("another run booted machine main at the same time") || $0.out.contains("already runs on") })
        let destroy = try await runjob(["destroy", "--yes", manifest], env: env, home: homes[0])
        #expect(destroy.status == 0, "\(destroy.err)")
    }
}
