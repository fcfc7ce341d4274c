import Executor
import Foundation
import TestSupport
import Testing

@Suite("Concurrent applies and destroys of one deployment (local provider)", .serialized)
struct ConcurrentApplyTests {
    static let manifest = """
        version: 1
        name: twice
        provider: local
        machine: {}
        sessions:
          worker: { run: "exec sleep 300" }
          helper: { run: "exec sleep 301" }
        """

    /// Instance folders of the deployment (by their labels), read through `status`.
    func instances(_ file: String, home: TemporaryDirectory) async throws -> [String] {
        let status = try await runjob(["status", "--output", "json", file], home: home)
        let machines = try JSONValue.parse(status.stdout)["machines"]?.arrayValue ?? []
        let duplicates = machines.flatMap { $0["duplicates"]?.arrayValue ?? [] }.compactMap(\.stringValue)
        return machines.compactMap { $0["instance"]?.stringValue } + duplicates
    }

    @Test("four applies at once: every one exits 0, one instance, one process per session (the others wait for the lease)")
    func applyRace() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let file = try home.write("twice.yaml", Self.manifest)
        let results = try await withThrowingTaskGroup(of: CommandResult.self) { group in
            for _ in 0..<4 { group.addTask { try await runjob(["apply", file], home: home) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for result in results { #expect(result.status == 0, "\(result.err)") }
        let booted = Set(results.flatMap { bootedInstances($0.out) })
        #expect(booted.count == 1, "\(booted)")
        #expect(try await instances(file, home: home).count == 1)
        let instance = try #require(booted.first)
        #expect(processes(instance: instance, running: "sleep 300").count == 1)
        #expect(processes(instance: instance, running: "sleep 301").count == 1)
        // The ones that waited said whom they waited for.
        #expect(results.contains { $0.out.contains("waiting up to") })
        _ = try await runjob(["destroy", "--yes", file], home: home)
    }

    @Test("with --lock-timeout 0 a second apply refuses at once, naming the holder's run id (exit 1)")
    func refuses() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let file = try home.write("slow.yaml", """
            version: 1
            name: slow
            provider: local
            machine: {}
            sessions:
              gate: { run: "sleep 3" }
              after: { run: "true", after: { gate: completed } }
            """)
        let first = Task { try await runjob(["apply", file], home: home) }
        // The first holds the lease while it waits for `gate`; its run id is in the lease file.
        let locks = home.file("state/runjob/locks")
        var holder: String?
        let deadline = Date().addingTimeInterval(20)
        while holder == nil && Date() < deadline {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: locks)) ?? [] where name.hasPrefix("slow@default") {
                if let bytes = FileManager.default.contents(atPath: locks + "/" + name), let json = try? JSONValue.parse(Array(bytes)) {
                    holder = json["run"]?.stringValue
                }
            }
            if holder == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let run = try #require(holder)
        let second = try await runjob(["apply", "--lock-timeout", "0", file], home: home)
        #expect(second.status == 1)
        #expect(second.out.contains(ErrorCode.Orchestration.locked.rawValue))
        #expect(second.out.contains(run), "\(second.out)")
        let done = try await first.value
        #expect(done.status == 0, "\(done.err)")
        _ = try await runjob(["destroy", "--yes", file], home: home)
    }

    @Test("two destroys at once both succeed; nothing is left")
    func destroyRace() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let file = try home.write("twice.yaml", Self.manifest)
        #expect(try await runjob(["apply", file], home: home).status == 0)
        async let one = runjob(["destroy", "--yes", file], home: home)
        async let two = runjob(["destroy", "--yes", file], home: home)
        let results = try await [one, two]
        for result in results { #expect(result.status == 0, "\(result.err)") }
        #expect(try await instances(file, home: home).isEmpty)
    }
}
