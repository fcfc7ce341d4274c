import AdapterKit
import Executor
import Foundation
import LocalAdapter
import ShellAdapter
import Testing
import TestSupport

/// The session-launch rules every process manager shares (``SessionLaunch``), through
/// the shell manager on real processes.
@Suite("One live process per session name: adopt, replace, concurrent launches, intent records")
struct SessionLaunchTests {
    func spec(_ name: String, _ script: String, cwd: String) -> ProcessSpec {
        ProcessSpec(name: name, session: name, program: .shell(script), cwd: cwd)
    }

    func target(_ rig: ShellRig, run: String) -> ProcessTarget {
        ProcessTarget(provider: rig.provider, instance: rig.target.instance, home: rig.target.home, run: run)
    }

    /// Live wrappers of `name` on the instance, by the run-directory states.
    func live(_ rig: ShellRig, _ name: String) async throws -> [ProcessState] {
        try await rig.manager.list(on: rig.target).filter { $0.name == name && $0.status == .running }
    }

    @Test("a second start in another run adopts the live process instead of starting a copy")
    func adopts() async throws {
        try await withShellRig { rig in
            let first = try await rig.manager.start(spec("job", "sleep 30", cwd: rig.target.home), on: target(rig, run: "run-a"))
            let second = try await rig.manager.start(spec("job", "sleep 30", cwd: rig.target.home), on: target(rig, run: "run-b"))
            #expect(second.run == "run-a")
            #expect(second.pid == first.pid)
            #expect(try await live(rig, "job").count == 1)
            try await rig.manager.stop("job", on: target(rig, run: "run-a"))
        }
    }

    @Test("replace stops the live process first, then starts the new one")
    func replaces() async throws {
        try await withShellRig { rig in
            let first = try await rig.manager.start(spec("job", "sleep 30", cwd: rig.target.home), on: target(rig, run: "run-a"))
            let second = try await rig.manager.start(
                spec("job", "sleep 30", cwd: rig.target.home), on: target(rig, run: "run-b"), records: [], ifRunning: .replace)
            #expect(second.run == "run-b")
            #expect(second.pid != first.pid)
            let running = try await live(rig, "job")
            #expect(running.map(\.run) == ["run-b"])
            let old = try await rig.manager.status("job", on: target(rig, run: "run-a"))
            #expect(old?.isFinished == true)
            try await rig.manager.stop("job", on: target(rig, run: "run-b"))
        }
    }

    @Test("twelve launches of one session at the same time give one process; the others adopt it")
    func concurrentLaunches() async throws {
        try await withShellRig { rig in
            let results = try await withThrowingTaskGroup(of: ProcessState.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        try await rig.manager.start(spec("race", "sleep 30", cwd: rig.target.home), on: target(rig, run: "run-\(index)"))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.map(\.run)).count == 1, "\(results.map(\.run))")
            #expect(Set(results.compactMap(\.pid)).count == 1)
            #expect(try await live(rig, "race").count == 1)
            try await rig.manager.stop("race", on: target(rig, run: results[0].run))
        }
    }

    @Test("the intent record is in place before the program starts; an adopted start writes none")
    func intentFirst() async throws {
        try await withShellRig { rig in
            let record = FileWrite(path: rig.target.home + "/.runjob/state/session-job.json", mode: .ownerOnly, content: Array("{\"run\":\"run-a\"}".utf8))
            let check = "test -f \(ShellQuoting.quote(record.path)) && echo recorded-before-start; sleep 30"
            _ = try await rig.manager.start(spec("job", check, cwd: rig.target.home), on: target(rig, run: "run-a"), records: [record], ifRunning: .adopt)
            let deadline = ContinuousClock.now + .seconds(10)
            var out = ""
            while !out.contains("recorded-before-start") && ContinuousClock.now < deadline {
                out = String(decoding: try await rig.manager.logs("job", stream: .stdout, on: target(rig, run: "run-a"), from: nil, tail: nil).bytes, as: UTF8.self)
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(out.contains("recorded-before-start"))
            let other = FileWrite(path: rig.target.home + "/.runjob/state/other.json", mode: .ownerOnly, content: Array("{}".utf8))
            let adopted = try await rig.manager.start(spec("job", check, cwd: rig.target.home), on: target(rig, run: "run-b"), records: [other], ifRunning: .adopt)
            #expect(adopted.run == "run-a")
            #expect(!FileManager.default.fileExists(atPath: other.path))
            try await rig.manager.stop("job", on: target(rig, run: "run-a"))
        }
    }

    @Test("a pid file naming a live process that is not the session's wrapper (a reused pid) is not taken for the session")
    func reusedPid() async throws {
        try await withShellRig { rig in
            let stranger = try await rig.manager.start(spec("stranger", "sleep 30", cwd: rig.target.home), on: target(rig, run: "run-x"))
            let fake = rig.target.home + "/.runjob/run-old"
            try FileManager.default.createDirectory(atPath: fake, withIntermediateDirectories: true)
            try "\(stranger.pid ?? 1)\n".write(toFile: fake + "/job.pid", atomically: true, encoding: .utf8)
            let status = try await rig.manager.status("job", on: target(rig, run: "run-old"))
            #expect(status?.status != .running)
            let started = try await rig.manager.start(spec("job", "sleep 30", cwd: rig.target.home), on: target(rig, run: "run-new"))
            #expect(started.run == "run-new")
            try await rig.manager.stop("job", on: target(rig, run: "run-new"))
            try await rig.manager.stop("stranger", on: target(rig, run: "run-x"))
        }
    }
}


@Suite("Logs larger than one exec may carry")
struct LargeLogTests {
    @Test("a 260 MiB stdout streams through bounded reads; the agent result at its end is read from the tail alone")
    func overTheExecLimit() async throws {
        try await withShellRig { rig in
            let size = 260 << 20
            let spec = ProcessSpec(
                name: "big", session: "big", program: .shell("head -c \(size) /dev/zero | tr '\\0' 'x'; printf '\\n{\"type\":\"result\"}\\n'"),
                cwd: rig.target.home)
            _ = try await rig.manager.start(spec, on: rig.target)
            let finished = try await rig.waitFinished("big")
            #expect(finished.exitCode == 0)
            let tail = try await rig.manager.outputTail("big", on: rig.target, bytes: 1 << 20)
            #expect(String(decoding: tail, as: UTF8.self) == "{\"type\":\"result\"}\n")
            let all = try await rig.manager.logs("big", stream: .stdout, on: rig.target, from: nil, tail: nil)
            #expect(all.bytes.count == size + 19)
            #expect(all.nextOffset == size + 19 && !all.hasMore)
        }
    }
}
