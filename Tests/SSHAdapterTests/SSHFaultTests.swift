import Executor
import Foundation
import Testing
import TestSupport

@testable import SSHAdapter

/// Waits up to `seconds` for `condition`.
private func eventually(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// The code of the provider error `body` throws.
private func code(_ body: () async throws -> Void) async -> ErrorCode? {
    do {
        try await body()
        return nil
    } catch let error as ProviderError {
        return error.code
    } catch {
        return ErrorCode(rawValue: "other: \(error)")
    }
}

/// Whether `argv` is `sleep SECONDS`.
private func isSleep(_ argv: [String], _ seconds: String) -> Bool {
    argv.filter { !$0.isEmpty } == ["sleep", seconds]
}

@Suite("SSH provider faults against a real sshd", .enabled(if: SSHServer.isAvailable), .serialized)
struct SSHFaultTests {
    @Test("connection refused: provider.unreachable after the retry deadline, nothing booted")
    func refused() async throws {
        try await withSSH(retryDeadline: .seconds(1)) { rig in
            rig.servers[0].kill()
            let started = ContinuousClock.now
            let found = await code { _ = try await rig.provider.boot(BootRequest(machine: SSHRig.machine(1), labels: demo)) }
            #expect(found == ErrorCode.Provider.unreachable)
            #expect(ContinuousClock.now - started < .seconds(30), "gave up (a loaded machine spawns ssh slowly)")
            #expect(FileScan.tree(rig.servers[0].home).isEmpty)
        }
    }

    @Test("a host key that is not the known one: provider.host_key_mismatch at once (never retried), nothing booted")
    func wrongHostKey() async throws {
        try await withSSH(retryDeadline: .seconds(120)) { rig in
            let server = rig.servers[0]
            let stranger = try String(contentsOfFile: server.strangerKey + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
            try Data("[127.0.0.1]:\(server.port) \(stranger)\n".utf8).write(to: URL(fileURLWithPath: server.knownHosts))
            let started = ContinuousClock.now
            do {
                _ = try await rig.provider.boot(BootRequest(machine: SSHRig.machine(1), labels: demo))
                Issue.record("booted")
            } catch let error as ProviderError {
                #expect(error.code == ErrorCode.Provider.hostKeyMismatch)
                #expect(error.message.contains("not the one known_hosts has"))
                #expect(error.context.contains(ErrorContext("host", "box1")))
            }
            #expect(ContinuousClock.now - started < .seconds(60), "not retried for the 120 s deadline")
            // No key at all under `strict`: the same code, with what to do.
            try Data().write(to: URL(fileURLWithPath: server.knownHosts))
            #expect(await code { _ = try await rig.provider.boot(BootRequest(machine: SSHRig.machine(1), labels: demo)) } == ErrorCode.Provider.hostKeyMismatch)
            #expect(FileScan.tree(server.home).isEmpty)
        }
    }

    @Test("known_hosts: accept-new records a new host's key and connects")
    func acceptNew() async throws {
        try await withSSH(tweak: { $0.knownHosts = .acceptNew }) { rig in
            try Data().write(to: URL(fileURLWithPath: rig.servers[0].knownHosts))
            let instance = try await rig.provider.boot(BootRequest(machine: SSHRig.machine(1), labels: demo))
            #expect(FileScan.text(rig.servers[0].knownHosts)?.contains(rig.servers[0].hostKey) == true)
            try await rig.provider.destroy(instance.id)
        }
    }

    @Test("a user key the host does not accept: provider.auth_failed at once, nothing booted")
    func unknownUserKey() async throws {
        try await withSSH(retryDeadline: .seconds(120)) { rig in
            let server = rig.servers[0]
            try Data(SSHServer.clientConfig([server], key: { $0.strangerKey }).utf8).write(to: URL(fileURLWithPath: rig.configFile))
            let started = ContinuousClock.now
            #expect(await code { _ = try await rig.provider.boot(BootRequest(machine: SSHRig.machine(1), labels: demo)) } == ErrorCode.Provider.authFailed)
            #expect(ContinuousClock.now - started < .seconds(60), "not retried for the 120 s deadline")
            #expect(FileScan.tree(server.home).isEmpty)
        }
    }

    @Test("sshd killed in the middle of a file install: the file is old or new, never partial; no temporary file stays; a retry converges")
    func killedDuringInstall() async throws {
        try await withSSH(retryDeadline: .seconds(1)) { rig in
            let server = rig.servers[0]
            let instance = try await rig.provider.boot(BootRequest(machine: SSHRig.machine(1), labels: demo))
            let home = try #require(instance.home)
            let target = home + "/.config/app/token"
            let old = Array(repeating: UInt8(ascii: "o"), count: 1000)
            try await rig.provider.writeFiles(instance.id, FileBatch(label: "old", files: [FileWrite(path: target, mode: .ownerOnly, content: old)]))
            // 32 MiB take a while through ssh: long enough to cut the connection half-way.
            let new = (0..<(32 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let batch = FileBatch(label: "new", files: [FileWrite(path: target, mode: .ownerOnly, content: new)])
            let install = Task { try await rig.provider.writeFiles(instance.id, batch) }
            let tmp = server.home + "/.runjob/instances/\(instance.id)/tmp"
            let streaming = await eventually { ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).contains { $0.hasPrefix("runjob-payload.") } }
            #expect(streaming)
            server.kill()
            let failed = await code { try await install.value }
            #expect(failed == ErrorCode.Provider.unreachable || failed == ErrorCode.Provider.fileChecksumMismatch, "\(String(describing: failed))")
            let content = FileManager.default.contents(atPath: target).map(Array.init) ?? []
            #expect(content == old || content == new, "partial: \(content.count) bytes")
            // The remote script ends by itself (its input closed) and removes its temporary files.
            let clean = await eventually {
                FileScan.tree(tmp).isEmpty && !FileScan.tree(home + "/.config/app").contains { $0.hasPrefix(".runjob-write") }
            }
            #expect(clean, "left: \(FileScan.tree(tmp)) \(FileScan.tree(home + "/.config/app"))")

            try server.start()
            try await rig.provider.writeFiles(instance.id, batch)
            #expect(FileManager.default.contents(atPath: target).map(Array.init) == new)
        }
    }

    @Test("a read-only command is retried after a lost connection; sshd back within the deadline: it succeeds")
    func readRetried() async throws {
        try await withSSH(retryDeadline: .seconds(15)) { rig in
            let server = rig.servers[0]
            let instance = try await rig.provider.boot(BootRequest(machine: SSHRig.machine(1), labels: demo))
            server.kill()
            let restart = Task {
                try await Task.sleep(for: .milliseconds(800))
                try server.start()
            }
            let listed = try await rig.provider.list(labels: demo)
            #expect(listed.map(\.id) == [instance.id])
            try await restart.value
            // A command that changes the host and certainly never started is retried too.
            server.kill()
            let again = Task {
                try await Task.sleep(for: .milliseconds(800))
                try server.start()
            }
            let result = try await rig.provider.exec(instance.id, CommandSpec(.shell("echo made > made.txt")), stdin: nil)
            #expect(result.exitCode == 0)
            try await again.value
            #expect(FileScan.text((instance.home ?? "") + "/made.txt") == "made\n")
        }
    }

    @Test("a command that started and lost its connection is not retried unless read-only: provider.unreachable says it may have completed")
    func startedMutationNotRetried() async throws {
        try await withSSH(retryDeadline: .seconds(10)) { rig in
            let server = rig.servers[0]
            let instance = try await rig.provider.boot(BootRequest(machine: SSHRig.machine(1), labels: demo))
            let home = try #require(instance.home)
            let running = Task {
                try await rig.provider.exec(instance.id, CommandSpec(.shell("echo x >> count.txt; sleep 2; echo y >> count.txt")), stdin: nil)
            }
            #expect(await eventually { FileScan.text(home + "/count.txt") == "x\n" })
            server.kill()
            do {
                _ = try await running.value
                Issue.record("no error")
            } catch let error as ProviderError {
                #expect(error.code == ErrorCode.Provider.unreachable)
                #expect(error.message.contains("may or may not have completed"))
            }
            #expect(FileScan.text(home + "/count.txt")?.hasPrefix("x\n") == true)
            #expect(FileScan.text(home + "/count.txt")?.filter { $0 == "x" }.count == 1, "ran once")
            try server.start()
        }
    }

    @Test("two sshds are two hosts: instances land on their machine's host, list sees both, destroy finds each")
    func twoHosts() async throws {
        try await withSSH(servers: 2) { rig in
            let first = try await rig.provider.boot(BootRequest(machine: SSHRig.machine(1), labels: demo.merging(["runjob.machine": "box1"]) { $1 }))
            let second = try await rig.provider.boot(BootRequest(machine: SSHRig.machine(2), labels: demo.merging(["runjob.machine": "box2"]) { $1 }))
            #expect(FileManager.default.fileExists(atPath: rig.servers[0].home + "/.runjob/instances/\(first.id)/instance.json"))
            #expect(FileManager.default.fileExists(atPath: rig.servers[1].home + "/.runjob/instances/\(second.id)/instance.json"))
            // A fresh provider (another machine with access) finds both from the records alone.
            var configuration = rig.provider.configuration
            configuration.retryDeadline = .seconds(2)
            let other = SSHProvider(configuration: configuration)
            #expect(Set(try await other.list(labels: demo).map(\.id)) == [first.id, second.id])
            #expect(try await other.exec(second.id, CommandSpec(.shell("printf %s \"$RUNJOB_INSTANCE\"")), stdin: nil).stdoutText == second.id)
            try await other.destroy(first.id)
            try await other.destroy(second.id)
            await other.release()
            #expect(FileScan.tree(rig.servers[0].home).isEmpty && FileScan.tree(rig.servers[1].home).isEmpty)
        }
    }

    @Test("destroy stops every process of the instance, escaped ones too, and nothing else")
    func destroyKills() async throws {
        try await withSSH { rig in
            let instance = try await rig.provider.boot(BootRequest(machine: SSHRig.machine(1), labels: demo))
            let bystander = try await rig.provider.boot(BootRequest(machine: SSHRig.machine(1), labels: demo))
            // A detached process in a session of its own, and one that dropped the marker from its environment.
            _ = try await rig.provider.exec(
                instance.id, CommandSpec(.shell("setsid sleep 300 </dev/null >/dev/null 2>&1 & (exec env -u RUNJOB_INSTANCE sleep 301 </dev/null >/dev/null 2>&1 &)")),
                stdin: nil)
            _ = try await rig.provider.exec(bystander.id, CommandSpec(.shell("setsid sleep 302 </dev/null >/dev/null 2>&1 &")), stdin: nil)
            #expect(await eventually { ProcessScan.argv().contains { isSleep($0, "301") } })
            try await rig.provider.destroy(instance.id)
            #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(instance.id)").isEmpty)
            #expect(await eventually { !ProcessScan.argv().contains { isSleep($0, "300") || isSleep($0, "301") } })
            #expect(ProcessScan.argv().contains { isSleep($0, "302") }, "the other instance's process lives on")
            try await rig.provider.destroy(bystander.id)
            #expect(!ProcessScan.argv().contains { isSleep($0, "302") })
        }
    }
}
