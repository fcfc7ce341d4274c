import Executor
import Foundation
import LocalAdapter
import PM2Adapter
import TestSupport
import Testing

/// A local instance with the fake `pm2` in its `~/.local/bin`.
struct PM2Rig {
    let folder: TemporaryDirectory
    let provider: LocalProvider
    let instance: Instance
    let home: String
    let manager = PM2ProcessManager()

    static func start(installFake: Bool = true) async throws -> PM2Rig {
        let folder = try TemporaryDirectory(prefix: "runjob-pm2")
        let provider = LocalProvider(stateDirectory: folder.file("state"))
        let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "m"), labels: [:]))
        let home = try #require(instance.home)
        if installFake {
            let fake = try #require(FileManager.default.contents(atPath: BuiltProducts.repositoryRoot + "/Tests/Support/fakes/pm2"))
            try await provider.writeFiles(
                instance.id,
                FileBatch(label: "fake", files: [FileWrite(path: home + "/.local/bin/pm2", mode: .ownerOnlyDirectory, content: Array(fake))]))
        }
        return PM2Rig(folder: folder, provider: provider, instance: instance, home: home)
    }

    func target(run: String = "01RUNAAAAAAAAAAAAAAAAAAAAA") -> ProcessTarget {
        ProcessTarget(provider: provider, instance: instance.id, home: home, run: run)
    }

    /// `pm2 jlist` on the instance, parsed, and its raw text.
    func jlist() async throws -> ([PM2Entry], String) {
        let result = try await provider.exec(instance.id, .shell("export PATH=\"$HOME/.local/bin:$PATH\"; pm2 jlist"), stdin: nil)
        return (try #require(PM2JList.parse(result.stdoutText)), result.stdoutText)
    }

    func tearDown() async {
        try? await provider.destroy(instance.id)
        folder.remove()
    }
}

func withPM2Rig(installFake: Bool = true, _ body: (PM2Rig) async throws -> Void) async throws {
    let rig = try await PM2Rig.start(installFake: installFake)
    do { try await body(rig) } catch {
        await rig.tearDown()
        throw error
    }
    await rig.tearDown()
}

func spec(_ name: String, _ script: String, cwd: String, env: [EnvVar] = [], inputs: [ProcessSpec.InputFile] = [], stdin: ProcessSpec.Input = .none)
    -> ProcessSpec
{
    ProcessSpec(name: name, session: name, program: .shell(script), cwd: cwd, env: env, inputFiles: inputs, stdin: stdin, pathPrefix: [])
}

@Suite("PM2 process manager (fake pm2, real processes)")
struct PM2ProcessManagerTests {
    @Test("start under PM2: output in the run directory, the real exit code, one PM2 entry")
    func startAndExit() async throws {
        try await withPM2Rig { rig in
            let target = rig.target()
            let started = try await rig.manager.start(spec("job", "echo out; echo err >&2; exit 3", cwd: rig.home), on: target, records: [])
            #expect(started.status == .running && started.pid != nil)
            let finished = try await rig.manager.wait(for: "job", on: target, interval: .milliseconds(20))
            #expect(finished.status == .exited)
            #expect(finished.exitCode == 3)
            #expect(try await rig.manager.logs("job", stream: .stdout, on: target, from: nil, tail: nil).bytes == Array("out\n".utf8))
            #expect(try await rig.manager.logs("job", stream: .stderr, on: target, from: nil, tail: nil).bytes == Array("err\n".utf8))
            let (entries, _) = try await rig.jlist()
            #expect(entries.filter { $0.name == "job" }.count == 1)
            #expect(entries.first?.outLog == target.runDirectory + "/job.out")
            #expect(try await rig.manager.list(on: target).map(\.exitCode) == [3])
        }
    }

    @Test("starting a name again never makes a second PM2 entry")
    func duplicateName() async throws {
        try await withPM2Rig { rig in
            let target = rig.target()
            _ = try await rig.manager.start(spec("dup", "sleep 30", cwd: rig.home), on: target, records: [])
            _ = try await rig.manager.start(spec("dup", "sleep 30", cwd: rig.home), on: target, records: [])
            let (entries, _) = try await rig.jlist()
            #expect(entries.filter { $0.name == "dup" }.count == 1)
            try await rig.manager.stop("dup", on: target)
        }
    }

    @Test("a session killed by a signal reports its real status, never PM2's 0")
    func signals() async throws {
        try await withPM2Rig { rig in
            let target = rig.target()
            _ = try await rig.manager.start(spec("term", "kill -TERM $$", cwd: rig.home), on: target, records: [])
            let term = try await rig.manager.wait(for: "term", on: target, interval: .milliseconds(20))
            #expect(term.exitCode == 143)
            #expect(!term.succeeded)
            _ = try await rig.manager.start(spec("nine", "sleep 30", cwd: rig.home), on: target, records: [])
            let wrapper = try #require(try await rig.manager.status("nine", on: target)?.pid)
            _ = try await rig.provider.exec(rig.instance.id, .shell("kill -KILL \(wrapper)"), stdin: nil)
            let nine = try await rig.manager.wait(for: "nine", on: target, interval: .milliseconds(20))
            #expect(!nine.succeeded)
            // The wrapper died with its child before writing an exit file: the status is unknown, not a made-up 137.
            #expect(nine.exitCode == nil)
            #expect(nine.status == .stopped)
            let (entries, _) = try await rig.jlist()
            #expect(entries.first { $0.name == "nine" }?.exitCode == 0)  // what PM2 itself says
        }
    }

    @Test("a missing working directory fails the session with a clear message")
    func missingCwd() async throws {
        try await withPM2Rig { rig in
            let target = rig.target()
            _ = try await rig.manager.start(spec("nocwd", "true", cwd: rig.home + "/does/not/exist"), on: target, records: [])
            let finished = try await rig.manager.wait(for: "nocwd", on: target, interval: .milliseconds(20))
            #expect(finished.status == .failed)
            let err = try await rig.manager.logs("nocwd", stream: .stderr, on: target, from: nil, tail: nil)
            #expect(String(decoding: err.bytes, as: UTF8.self).contains("the working directory \(rig.home)/does/not/exist does not exist"))
        }
    }

    @Test("no secret in PM2's stored arguments or environment; the prompt arrives on stdin, even over 256 KiB")
    func secretsAndLargePrompt() async throws {
        try await withPM2Rig { rig in
            let target = rig.target()
            let canary = Canary(tag: "pm2")
            let secret = InterpolatedString(parts: [.secret(Secret(source: .env("TOKEN"), value: canary.value))])
            let prompt = String(repeating: "p", count: 300 * 1024) + canary.value
            let job = spec(
                "secret", "printf '%s' \"$TOKEN\" | wc -c; wc -c", cwd: rig.home, env: [EnvVar("TOKEN", secret)],
                inputs: [.init(name: "secret.prompt", content: InterpolatedString(parts: [.secret(Secret(source: .env("P"), value: prompt))]))],
                stdin: .file("secret.prompt"))
            _ = try await rig.manager.start(job, on: target, records: [])
            _ = try await rig.manager.wait(for: "secret", on: target, interval: .milliseconds(20))
            let out = String(decoding: try await rig.manager.logs("secret", stream: .stdout, on: target, from: nil, tail: nil).bytes, as: UTF8.self)
            #expect(out == "\(canary.value.utf8.count)\n\(prompt.utf8.count)\n")
            let (_, raw) = try await rig.jlist()
            #expect(canary.leaks(in: raw).isEmpty, "PM2 recorded the secret")
            let describe = try await rig.provider.exec(
                rig.instance.id, .shell("export PATH=\"$HOME/.local/bin:$PATH\"; pm2 describe secret"), stdin: nil)
            #expect(canary.leaks(in: describe.stdoutText).isEmpty)
        }
    }

    @Test("stop ends a running session (stopped, real status); stop of an unknown one is process.not_found")
    func stop() async throws {
        try await withPM2Rig { rig in
            let target = rig.target()
            _ = try await rig.manager.start(spec("long", "sleep 30", cwd: rig.home), on: target, records: [])
            try await rig.manager.stop("long", on: target)
            let state = try #require(try await rig.manager.status("long", on: target))
            #expect(state.status == .stopped)
            #expect(state.exitCode != nil && state.exitCode != 0)
            let missing = await #expect(throws: ProcessError.self) { try await rig.manager.stop("nobody", on: target) }
            #expect(missing?.code == ErrorCode.Process.notFound)
        }
    }

    @Test("a second run's session reads only its own output")
    func runsAreSeparate() async throws {
        try await withPM2Rig { rig in
            let first = rig.target(run: "01FIRSTAAAAAAAAAAAAAAAAAAA")
            let second = rig.target(run: "01SECONDAAAAAAAAAAAAAAAAAA")
            _ = try await rig.manager.start(spec("same", "echo first-run", cwd: rig.home), on: first, records: [])
            _ = try await rig.manager.wait(for: "same", on: first, interval: .milliseconds(20))
            _ = try await rig.manager.start(spec("same", "echo second-run", cwd: rig.home), on: second, records: [])
            _ = try await rig.manager.wait(for: "same", on: second, interval: .milliseconds(20))
            #expect(try await rig.manager.logs("same", stream: .stdout, on: second, from: nil, tail: nil).bytes == Array("second-run\n".utf8))
            #expect(try await rig.manager.logs("same", stream: .stdout, on: first, from: nil, tail: nil).bytes == Array("first-run\n".utf8))
        }
    }

    @Test("without pm2 on the instance: process.manager_missing, and the start records are not written")
    func managerMissing() async throws {
        try await withPM2Rig(installFake: false) { rig in
            let record = FileWrite(path: rig.home + "/.runjob/state/session-x.json", mode: .ownerOnly, content: Array("{}".utf8))
            let error = await #expect(throws: ProcessError.self) {
                try await rig.manager.start(spec("x", "true", cwd: rig.home), on: rig.target(), records: [record])
            }
            #expect(error?.code == ErrorCode.Process.managerMissing)
            #expect(error?.message.contains("`pm2` is not installed") == true)
            let written = try await rig.provider.readFile(rig.instance.id, path: record.path)
            #expect(written == nil)
        }
    }
}
