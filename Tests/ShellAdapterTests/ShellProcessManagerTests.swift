import Executor
import Foundation
import LocalAdapter
import ShellAdapter
import TestSupport
import Testing

/// A local instance and a shell process manager on it.
struct ShellRig {
    let folder: TemporaryDirectory
    let provider: LocalProvider
    let manager = ShellProcessManager(stopGrace: .seconds(2))
    let target: ProcessTarget

    static func make(run: String = "run-1") async throws -> ShellRig {
        let folder = try TemporaryDirectory(prefix: "runjob-shell")
        let provider = LocalProvider(stateDirectory: folder.file("state"))
        let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "m"), labels: [:]))
        let target = ProcessTarget(provider: provider, instance: instance.id, home: instance.home ?? "", run: run)
        return ShellRig(folder: folder, provider: provider, target: target)
    }

    func done() async {
        try? await provider.destroy(target.instance)
        folder.remove()
    }

    func waitFinished(_ name: String) async throws -> ProcessState {
        try await manager.wait(for: name, on: target, interval: .milliseconds(20), timeout: .seconds(30))
    }
}

@Suite("Shell process manager")
struct ShellProcessManagerTests {
    @Test("start runs the program detached in its cwd, with plain and secret env, stdin from the prompt file, and records the exit code")
    func startAndExit() async throws {
        try await withShellRig { rig in
            let prompt = String(repeating: "p", count: 300 * 1024) + "\nEND"
            try FileManager.default.createDirectory(atPath: rig.target.home + "/work", withIntermediateDirectories: true)
            let spec = ProcessSpec(
                name: "job", session: "job", program: .shell("pwd; echo \"$PLAIN $SECRET\"; wc -c; echo warn >&2; exit 3"),
                cwd: rig.target.home + "/work",
                env: [
                    EnvVar("PLAIN", "plain-value"),
                    EnvVar("SECRET", InterpolatedString(secret: Secret(source: .env("S"), value: "secret-value-123"))),
                ],
                inputFiles: [.init(name: "job.prompt", content: InterpolatedString(prompt))], stdin: .file("job.prompt"))
            let started = try await rig.manager.start(spec, on: rig.target)
            #expect(started.status == .running)
            #expect(started.pid != nil)
            let finished = try await rig.waitFinished("job")
            #expect(finished.status == .exited)
            #expect(finished.exitCode == 3)
            let out = try await rig.manager.logs("job", stream: .stdout, on: rig.target, from: nil, tail: nil)
            #expect(String(decoding: out.bytes, as: UTF8.self) == "\(rig.target.home)/work\nplain-value secret-value-123\n\(prompt.utf8.count)\n")
            let err = try await rig.manager.logs("job", stream: .stderr, on: rig.target, from: nil, tail: nil)
            #expect(String(decoding: err.bytes, as: UTF8.self) == "warn\n")
            // The secret is only in the 0600 env file, not in the wrapper or the program.
            let directory = rig.target.runDirectory
            #expect(!(read(directory + "/job.sh") ?? "").contains("secret-value-123"))
            #expect(!(read(directory + "/job.cmd") ?? "").contains("secret-value-123"))
            #expect((read(directory + "/job.env") ?? "").contains("secret-value-123"))
            #expect(mode(directory + "/job.env") == 0o600)
            #expect(mode(directory) == 0o700)
        }
    }

    @Test("a missing working directory fails loudly")
    func missingCwd() async throws {
        try await withShellRig { rig in
            _ = try await rig.manager.start(
                ProcessSpec(name: "lost", session: "lost", program: .shell("true"), cwd: "/nonexistent/dir"), on: rig.target)
            let finished = try await rig.waitFinished("lost")
            #expect(finished.status == .failed)
            #expect(finished.exitCode == 97)
            let err = try await rig.manager.logs("lost", stream: .stderr, on: rig.target, from: nil, tail: nil)
            #expect(String(decoding: err.bytes, as: UTF8.self).contains("the working directory /nonexistent/dir does not exist"))
        }
    }

    @Test("stop sends TERM to the whole group: the real status is 128+15, the session is stopped")
    func stop() async throws {
        try await withShellRig { rig in
            _ = try await rig.manager.start(
                ProcessSpec(name: "long", session: "long", program: .shell("sleep 300 & sleep 300"), cwd: rig.target.home), on: rig.target)
            #expect(try await rig.manager.status("long", on: rig.target)?.status == .running)
            try await rig.manager.stop("long", on: rig.target)
            let info = try await rig.manager.status("long", on: rig.target)
            #expect(info?.status == .stopped)
            #expect(info?.exitCode == 143)
            #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(rig.target.instance)") == [])
            await #expect(throws: ProcessError.self) { try await rig.manager.stop("nope", on: rig.target) }
        }
    }

    @Test("a session killed by a signal reports 128+n")
    func killed() async throws {
        try await withShellRig { rig in
            _ = try await rig.manager.start(
                ProcessSpec(name: "self", session: "self", program: .shell("kill -KILL $$"), cwd: rig.target.home), on: rig.target)
            let info = try await rig.waitFinished("self")
            #expect(info.exitCode == 137)
        }
    }

    @Test("logs: the last N lines, then only what is new from an offset")
    func logs() async throws {
        try await withShellRig { rig in
            _ = try await rig.manager.start(
                ProcessSpec(name: "out", session: "out", program: .shell("printf 'a\\nb\\nc\\n'"), cwd: rig.target.home), on: rig.target)
            _ = try await rig.waitFinished("out")
            let tail = try await rig.manager.logs("out", stream: .stdout, on: rig.target, from: nil, tail: 2)
            #expect(String(decoding: tail.bytes, as: UTF8.self) == "b\nc\n")
            #expect(tail.nextOffset == 6)
            let rest = try await rig.manager.logs("out", stream: .stdout, on: rig.target, from: 2, tail: nil)
            #expect(String(decoding: rest.bytes, as: UTF8.self) == "b\nc\n")
            let none = try await rig.manager.logs("out", stream: .stdout, on: rig.target, from: 6, tail: nil)
            #expect(none.bytes.isEmpty)
            let missing = try await rig.manager.logs("nope", stream: .stdout, on: rig.target, from: nil, tail: nil)
            #expect(missing.bytes.isEmpty)
        }
    }

    @Test("list finds the sessions of every run; a restart policy is refused, never dropped")
    func listAndUnsupported() async throws {
        try await withShellRig { rig in
            _ = try await rig.manager.start(ProcessSpec(name: "one", session: "one", program: .shell("true"), cwd: rig.target.home), on: rig.target)
            var other = rig.target
            other.run = "run-2"
            _ = try await rig.manager.start(ProcessSpec(name: "two", session: "two", program: .shell("sleep 30"), cwd: rig.target.home), on: other)
            let listed = try await rig.manager.list(on: rig.target).map { "\($0.run)/\($0.name)" }.sorted()
            #expect(listed == ["run-1/one", "run-2/two"])
            await #expect {
                _ = try await rig.manager.start(
                    ProcessSpec(name: "r", session: "r", program: .shell("true"), cwd: rig.target.home, restart: .onFailure(maxRestarts: 3)),
                    on: rig.target)
            } throws: { error in
                (error as? ProcessError)?.code == ErrorCode.Process.unsupported
            }
        }
    }
}

func read(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}

func mode(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
}

/// Runs `body` with a fresh rig and always cleans it up.
func withShellRig(_ body: (ShellRig) async throws -> Void) async throws {
    let rig = try await ShellRig.make()
    do {
        try await body(rig)
    } catch {
        await rig.done()
        throw error
    }
    await rig.done()
}
