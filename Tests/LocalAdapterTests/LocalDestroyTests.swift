import Executor
import Foundation
import LocalAdapter
import ShellAdapter
import TestSupport
import Testing

/// The pid a session wrote to `path`, once it is there.
private func recordedPid(_ path: String) async -> Int32? {
    _ = await eventually { read(path).flatMap { Int32($0.trimmingASCIIWhitespace()) } != nil }
    return read(path).flatMap { Int32($0.trimmingASCIIWhitespace()) }
}

@Suite("Local destroy")
struct LocalDestroyTests {
    @Test("destroy stops session processes that dropped the marker and left the folder: by session, by a dead recorded leader, as descendants")
    func escapedProcesses() async throws {
        try await withLocalInstance { provider, instance, home, folder in
            let target = ProcessTarget(provider: provider, instance: instance.id, home: home, run: "r1")
            let manager = ShellProcessManager(stopGrace: .seconds(1))
            let pids = folder.file("pids")
            try FileManager.default.createDirectory(atPath: pids, withIntermediateDirectories: true)
            let programs = [
                // No marker, cwd in the home: found by its working directory.
                "plain": "echo $$ > \(pids)/plain; exec env -i sleep 1000",
                // Marker kept, cwd elsewhere: found by its marker.
                "moved": "echo $$ > \(pids)/moved; cd / && exec sleep 1000",
                // Neither: found through the session of its (live, marked) wrapper.
                "hidden": "echo $$ > \(pids)/hidden; cd / && exec env -i sleep 1000",
                // Neither, and its wrapper is killed -9 below: found through the wrapper's recorded, dead pid.
                "orphan": "echo $$ > \(pids)/orphan; cd / && exec env -i sleep 1000",
                // Its own session, no marker, cwd elsewhere: found as a descendant of a marked process.
                "detached": "setsid -w env -i /bin/sh -c 'echo $$ > \(pids)/detached; cd / && exec sleep 1000'",
            ]
            for (name, program) in programs.sorted(by: { $0.key < $1.key }) {
                _ = try await manager.start(ProcessSpec(name: name, session: name, program: .shell(program), cwd: home), on: target, records: [])
            }
            var running: [String: Int32] = [:]
            for name in programs.keys { running[name] = await recordedPid(pids + "/" + name) }
            #expect(running.count == programs.count, "\(running)")
            let wrapper = try #require(await recordedPid(home + "/.runjob/r1/orphan.pid"))
            kill(wrapper, SIGKILL)
            #expect(await eventually { !isRunning(wrapper) })
            for (name, pid) in running { #expect(isRunning(pid), "\(name) does not run") }

            try await provider.destroy(instance.id)
            for (name, pid) in running { #expect(!isRunning(pid), "\(name) (\(pid)) survived destroy") }
            #expect(try await provider.get(instance.id) == nil)
        }
    }

    @Test("a process an exec left behind without marker and outside the folder is found through the exec's recorded session")
    func execLeftovers() async throws {
        try await withLocalInstance { provider, instance, _, folder in
            let pidFile = folder.file("left")
            let left = try await provider.exec(
                instance.id, .shell("(cd / && exec env -i /bin/sh -c 'echo $$ > \"$0\"; exec sleep 1000' \(pidFile) < /dev/null > /dev/null 2>&1 &)"),
                stdin: nil)
            #expect(left.exitCode == 0)
            let pid = try #require(await recordedPid(pidFile))
            #expect(isRunning(pid))
            try await provider.destroy(instance.id)
            #expect(!isRunning(pid), "\(pid) survived destroy")
        }
    }

    @Test("a recorded pid that now belongs to an unrelated process (pid reuse) is not used as a session to kill")
    func reusedPid() async throws {
        try await withLocalInstance { provider, instance, home, folder in
            // An unrelated session leader (not started on the instance) and one process in its session.
            let leaderFile = folder.file("leader")
            let unrelated = Process()
            unrelated.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            unrelated.arguments = ["/bin/sh", "-c", "echo $$ > \"$0\"; sleep 1000 & wait", leaderFile]
            unrelated.environment = ["PATH": "/usr/bin:/bin"]
            unrelated.currentDirectoryURL = URL(fileURLWithPath: "/")
            unrelated.standardOutput = FileHandle.nullDevice
            unrelated.standardError = FileHandle.nullDevice
            try withUnblockedSignals { try unrelated.run() }
            let leader = try #require(await recordedPid(leaderFile))
            defer { kill(-leader, SIGKILL) }
            try FileManager.default.createDirectory(atPath: home + "/.runjob/old", withIntermediateDirectories: true)
            try Data("\(leader)\n".utf8).write(to: URL(fileURLWithPath: home + "/.runjob/old/gone.pid"))
            #expect(isRunning(leader))
            try await provider.destroy(instance.id)
            #expect(isRunning(leader))
        }
    }

    @Test("two destroys at the same time both succeed; so does destroying what is gone, even with processes still running")
    func concurrentDestroys() async throws {
        try await withLocalProvider { provider, _ in
            for _ in 0..<4 {
                let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "main"), labels: demo))
                let script =
                    "setsid sleep 300 < /dev/null > /dev/null 2>&1 & for d in $(seq 1 40); do mkdir -p ~/t/$d; for f in $(seq 1 25); do : > ~/t/$d/$f; done; done"
                _ = try await provider.exec(instance.id, .shell(script), stdin: nil)
                async let first: Void = provider.destroy(instance.id)
                async let second: Void = provider.destroy(instance.id)
                _ = try await (first, second)
                #expect(try await provider.get(instance.id) == nil)
                #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(instance.id)") == [])
            }
            // The folder removed behind the provider's back: its processes are still found by their marker.
            let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "main"), labels: demo))
            _ = try await provider.exec(instance.id, .shell("setsid sleep 300 < /dev/null > /dev/null 2>&1 &"), stdin: nil)
            try FileManager.default.removeItem(atPath: String(try #require(instance.home).dropLast("/home".count)))
            try await provider.destroy(instance.id)
            #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(instance.id)") == [])
            try await provider.destroy("local-neverexisted")
        }
    }

    @Test("destroy removes folders a session made unwritable and names with bytes that are not UTF-8")
    func awkwardTree() async throws {
        try await withLocalProvider { provider, _ in
            let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "main"), labels: demo))
            let script =
                "mkdir -p ~/locked/inner && : > ~/locked/inner/f && : > ~/$'\\xff\\xfe' && ln -s / ~/root && chmod 000 ~/locked/inner && chmod 500 ~/locked"
            let made = try await provider.exec(instance.id, .shell(script), stdin: nil)
            #expect(made.exitCode == 0, "\(made.stderrText)")
            try await provider.destroy(instance.id)
            #expect(try await provider.get(instance.id) == nil)
            #expect(FileManager.default.fileExists(atPath: "/bin/sh"))
        }
    }
}
