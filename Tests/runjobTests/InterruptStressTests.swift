import Executor
import Foundation
import TestSupport
import Testing

/// Ctrl-C, SIGTERM and kill -9 at random moments of real applies (issue [5]), on the
/// local provider and on the Morph emulator: every interrupted run exits 130 and leaves
/// nothing; after a kill -9, the next apply ends with exactly one recorded process per
/// session, never two copies and never one that `status` does not know.
@Suite("Interrupts and crashes at random moments (local and Morph emulator)", .serialized)
struct InterruptStressTests {
    static let key = Canary(value: "stress-morph-key-Wq41Nb77Tz")

    /// Every step kind: boot, machine-info, credentials (a file fed on stdin and a check),
    /// start (a prompt fed on stdin too), wait; `hold` keeps apply waiting until interrupted.
    static func manifest(provider: String, waitForHold: Bool = true) -> String {
        """
        version: 1
        name: stress
        provider: \(provider)
        machine: { \(provider.contains("morph") ? "snapshot: snapshot_stress01, " : "")info: { purpose: stress } }
        credentials:
          token:
            files: [{ path: ~/.token, mode: "0600", content: "${env:TOKEN}" }]
            verify: { shell: "sleep 0.05; test -s ~/.token" }
        sessions:
          first:
            credentials: [token]
            run: "sleep 0.2"
          second:
            after: { first: completed }
            agent: command
            argv: [bash, -c, "cat > /dev/null; exec sleep 3001"]
            prompt: "${env:TOKEN}"
          hold:
            run: "exec sleep 3002"
        \(waitForHold ? "  last: { after: { hold: completed }, run: \"true\" }" : "")
        """
    }

    /// Where a random signal lands: right away, or a few milliseconds after a step of a kind started.
    static let moments = ["now", "boot", "machine-info", "credentials", "start", "wait"]

    /// The pids of live processes whose HOME lies under `root` (the run's instances).
    static func processes(under root: String) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        let prefix = Array("HOME=\(root)".utf8)
        return names.compactMap(Int32.init).filter { pid in
            guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            guard environ.split(separator: 0).contains(where: { Array($0).starts(with: prefix) }) else { return false }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            guard let close = stat.lastIndex(of: ")") else { return true }
            return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
        }
    }

    /// The pids of live programs of `session` whose HOME lies under `root`: `sleep SECONDS`, or
    /// the `bash <run>/<session>.cmd` or `bash -c "…; exec sleep SECONDS"` that becomes it (a
    /// check right after apply may see any of them; at any moment there is one).
    /// A child that bash forked (for `cat > /dev/null`, say) shows its parent's command line
    /// until it execs: one of those whose parent is also a match is that fork, not a second process.
    static func sleepers(_ seconds: String, session: String, under root: String) -> [Int32] {
        let matched = processes(under: root).filter { pid in
            let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline").map { Array($0) } ?? []
            let argv = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return argv == ["sleep", seconds] || (argv.count == 2 && argv[0] == "bash" && argv[1].hasSuffix("/\(session).cmd"))
                || (argv.first == "bash" && argv.last?.hasSuffix("exec sleep \(seconds)") == true)
        }
        return matched.filter { pid in parent(of: pid).map { !matched.contains($0) } ?? true }
    }

    /// The parent pid of `pid` (field 4 of `/proc/PID/stat`, after the command name's `)`).
    static func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// Whether `pid` runs runjob already and catches SIGINT and SIGTERM. Between fork and
    /// exec the child still shows the test runner's handlers, which the exec then resets;
    /// a signal that is only blocked (a mask inherited from the launching thread) would be
    /// taken by the first thread that leaves it unblocked, before runjob's handler exists:
    /// only a caught signal counts.
    static func handlesInterrupts(_ pid: Int32) -> Bool {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
        guard executable.hasSuffix("/runjob"),
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else { return false }
        var mask: UInt64 = 0
        for line in status.split(separator: "\n") where line.hasPrefix("SigCgt:") {
            mask |= UInt64(line.split(separator: "\t").last.map(String.init) ?? "", radix: 16) ?? 0
        }
        let wanted: UInt64 = 1 << UInt64(SIGINT - 1) | 1 << UInt64(SIGTERM - 1)
        return mask & wanted == wanted
    }

    /// Starts `apply`, waits for `moment` (plus 0–`jitter` ms), sends `signal`; the exit status and output.
    static func interruptedApply(
        file: String, workspace: String, environment: [String: String], moment: String, jitter: Int, signal: Int32,
        generator: inout SplitMix64
    ) async throws -> (status: Int32, out: String, err: String) {
        let command = try BackgroundCommand(
            BuiltProducts.runjob, ["apply", "--workspace", workspace, file], environment: environment, directory: BuiltProducts.repositoryRoot)
        if moment == "now" {
            // As soon as the process takes the signals (it ignores their default action, see /proc/PID/status).
            _ = await command.eventually(seconds: 60) { Self.handlesInterrupts(command.process.processIdentifier) }
        } else {
            let needle = "\"type\":\"step.started\",\"step\":\"\(moment)"
            _ = await command.eventually(seconds: 60) { command.out.contains(needle) }
        }
        let delay = Int(generator.next() % UInt64(jitter + 1))
        if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
        command.send(signal)
        // A run that ignores the signal must fail the test, not hang it.
        if !(await command.eventually(seconds: 90) { !command.process.isRunning }) {
            Issue.record("apply did not end within 90 s of signal \(signal) at \(moment)\n\(command.out)\n\(command.err)")
            command.send(SIGKILL)
        }
        let status = await command.exitStatus()
        return (status, command.out, command.err)
    }

    @Test("started with SIGINT and SIGTERM blocked (a mask inherited from the parent), apply unblocks them and still exits 130")
    func inheritedBlockedMask() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-stress")
        defer { home.remove() }
        let file = try home.write("stress.yaml", Self.manifest(provider: "local"))
        let environment = ["HOME": home.path, "XDG_STATE_HOME": home.file("state"), "NO_COLOR": "1", "TOKEN": "stress-token-Kp20Xz93Lq"]
        for signal in [SIGTERM, SIGINT] {
            let command = try BackgroundCommand(
                BuiltProducts.runjob, ["apply", file], environment: environment, directory: BuiltProducts.repositoryRoot, blocked: [SIGINT, SIGTERM])
            let needle = "\"type\":\"step.started\",\"step\":\"start:hold"
            #expect(await command.eventually(seconds: 60) { command.out.contains(needle) }, "\(command.out)\n\(command.err)")
            let status = try String(contentsOfFile: "/proc/\(command.process.processIdentifier)/status", encoding: .utf8)
            let blocked = status.split(separator: "\n").first { $0.hasPrefix("SigBlk:") }.flatMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) } ?? 0
            let interrupts: UInt64 = 1 << UInt64(SIGINT - 1) | 1 << UInt64(SIGTERM - 1)
            #expect(blocked & interrupts == 0, "runjob left SIGINT/SIGTERM blocked: SigBlk \(String(blocked, radix: 16))")
            command.send(signal)
            #expect(await command.eventually(seconds: 60) { !command.process.isRunning })
            #expect(await command.exitStatus() == 130, "\(command.err)")
        }
        #expect(Self.processes(under: home.path).isEmpty)
    }

    @Test("200 SIGINT/SIGTERM at random moments of local applies: each exits 130 and leaves no folder and no process")
    func localInterrupts() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-stress")
        defer { home.remove() }
        let file = try home.write("stress.yaml", Self.manifest(provider: "local"))
        let state = home.file("state")
        let environment = ["HOME": home.path, "XDG_STATE_HOME": state, "NO_COLOR": "1", "TOKEN": "stress-token-Kp20Xz93Lq"]
        try await Self.stress(runs: 200, lanes: 4, seed: 5) { index, generator in
            let moment = Self.moments[index % Self.moments.count]
            let signal = generator.next() % 2 == 0 ? SIGINT : SIGTERM
            let workspace = "w\(index % 4)"
            let (status, out, err) = try await Self.interruptedApply(
                file: file, workspace: workspace, environment: environment, moment: moment, jitter: 40, signal: signal, generator: &generator)
            let label = "run \(index) (\(moment), signal \(signal))"
            #expect(status == 130, "\(label): exit \(status)\n\(out)\n\(err)")
            if index % 25 == 0 && !out.isEmpty { try await expectValidEvents(out) }
            if out.contains("\"type\":\"run.started\"") {
                #expect(out.contains("\"type\":\"run.interrupted\""), "\(label): no run.interrupted\n\(out)")
            }
            let folder = state + "/runjob/instances/stress@\(workspace)"
            let left = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }
            #expect(left.isEmpty, "\(label): instance folders left: \(left)\n\(out)\n\(err)")
        }
        #expect(Self.processes(under: state).isEmpty, "processes left: \(Self.processes(under: state))")
    }

    @Test("200 SIGINT/SIGTERM at random moments of applies on the Morph emulator: each exits 130, every instance is deleted")
    func morphInterrupts() async throws {
        let emulator = try EmulatorProcess(arguments: ["--api-key", Self.key.value, "--boot-delay-ms", "60"])
        defer { emulator.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-stress")
        defer { home.remove() }
        let file = try home.write(
            "stress.yaml", Self.manifest(provider: "{ kind: morph, api_key: \"${env:MORPH_API_KEY}\", poll_interval: 50ms }"))
        let environment = [
            "HOME": home.path, "XDG_STATE_HOME": home.file("state"), "NO_COLOR": "1", "TOKEN": "stress-token-Kp20Xz93Lq",
            "MORPH_API_KEY": Self.key.value, "MORPH_BASE_URL": emulator.baseURL,
        ]
        try await Self.stress(runs: 200, lanes: 4, seed: 9) { index, generator in
            let moment = Self.moments[index % Self.moments.count]
            let signal = generator.next() % 2 == 0 ? SIGINT : SIGTERM
            let (status, out, err) = try await Self.interruptedApply(
                file: file, workspace: "w\(index % 4)", environment: environment, moment: moment, jitter: 40, signal: signal,
                generator: &generator)
            #expect(status == 130, "run \(index) (\(moment), signal \(signal)): exit \(status)\n\(out)\n\(err)")
            if out.contains("\"type\":\"run.started\"") {
                #expect(out.contains("\"type\":\"run.interrupted\""), "run \(index): no run.interrupted\n\(out)")
            }
        }
        let alive = try emulator.instances().filter { $0["deleted"] != .bool(true) }
        #expect(alive.isEmpty, "instances left: \(alive.compactMap { $0["id"]?.stringValue })")
        let sandboxes = try emulator.instances().compactMap { $0["sandbox_home"]?.stringValue }
        for sandbox in sandboxes { #expect(Self.processes(under: sandbox).isEmpty, "processes left in \(sandbox)") }
    }

    @Test("kill -9 at random moments of local applies, then apply again: one recorded process per session, never two")
    func localKillAndReapply() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-stress")
        defer { home.remove() }
        let file = try home.write("stress.yaml", Self.manifest(provider: "local", waitForHold: false))
        let state = home.file("state")
        let environment = ["HOME": home.path, "XDG_STATE_HOME": state, "NO_COLOR": "1", "TOKEN": "stress-token-Kp20Xz93Lq"]
        try await Self.killAndReapply(runs: 40, file: file, environment: environment, seed: 11) { [state] }
    }

    @Test("kill -9 at random moments of applies on the Morph emulator, then apply again: one recorded process per session, never two")
    func morphKillAndReapply() async throws {
        let emulator = try EmulatorProcess(arguments: ["--api-key", Self.key.value, "--boot-delay-ms", "60"])
        defer { emulator.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-stress")
        defer { home.remove() }
        let file = try home.write(
            "stress.yaml",
            Self.manifest(provider: "{ kind: morph, api_key: \"${env:MORPH_API_KEY}\", poll_interval: 50ms }", waitForHold: false))
        let environment = [
            "HOME": home.path, "XDG_STATE_HOME": home.file("state"), "NO_COLOR": "1", "TOKEN": "stress-token-Kp20Xz93Lq",
            "MORPH_API_KEY": Self.key.value, "MORPH_BASE_URL": emulator.baseURL,
        ]
        try await Self.killAndReapply(runs: 40, file: file, environment: environment, seed: 13) {
            try emulator.instances().filter { $0["deleted"] != .bool(true) }.compactMap { $0["sandbox_home"]?.stringValue }
        }
        #expect(try emulator.instances().allSatisfy { $0["deleted"] == .bool(true) })
    }

    /// Each run: kill -9 an apply at a random moment, apply again to the end of its
    /// starts, check one live process per long session and that `status` knows it, destroy.
    static func killAndReapply(
        runs: Int, file: String, environment: [String: String], seed: UInt64, roots: () throws -> [String]
    ) async throws {
        var generator = SplitMix64(seed: seed)
        for index in 0..<runs {
            let moment = moments[index % moments.count]
            let workspace = "k\(index % 3)"
            let killed = try await interruptedApply(
                file: file, workspace: workspace, environment: environment, moment: moment, jitter: 60, signal: SIGKILL,
                generator: &generator)
            let label = "run \(index) (killed at \(moment))"
            let killedStatus: Int32 = 128 + SIGKILL
            #expect(killed.status == killedStatus || killed.status == 0, "\(label): exit \(killed.status)\n\(killed.err)")
            let again = try await CommandRunner.runDetached(
                BuiltProducts.runjob, ["apply", "--workspace", workspace, "--lock-timeout", "30", file], environment: environment,
                directory: BuiltProducts.repositoryRoot)
            #expect(again.status == 0, "\(label): the apply after the kill failed\n\(again.out)\n\(again.err)")
            let folders = try roots()
            for (seconds, session) in [("3001", "second"), ("3002", "hold")] {
                // Apply returns once the wrapper runs; its child may take a moment to appear (never to become two).
                var live = folders.flatMap { sleepers(seconds, session: session, under: $0) }
                let deadline = Date().addingTimeInterval(5)
                while live.isEmpty && Date() < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                    live = folders.flatMap { sleepers(seconds, session: session, under: $0) }
                }
                let seen = folders.flatMap { processes(under: $0) }.map { pid in
                    String(decoding: FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data(), as: UTF8.self)
                }
                #expect(live.count == 1, "\(label): \(live.count) live processes of \(session); processes: \(seen)\n\(again.out)")
            }
            let status = try await CommandRunner.runDetached(
                BuiltProducts.runjob, ["status", "--output", "json", "--workspace", workspace, file], environment: environment,
                directory: BuiltProducts.repositoryRoot)
            #expect(status.status == 0, "\(label): \(status.err)")
            let sessions = (try? JSONValue.parse(Array(status.out.utf8)))?["machines"]?.arrayValue?.first?["sessions"]?.arrayValue ?? []
            for session in ["second", "hold"] {
                let entry = sessions.first { $0["session"]?.stringValue == session }
                #expect(
                    entry?["status"]?.stringValue == "running" && entry?["pid"]?.intValue != nil,
                    "\(label): status does not record \(session) as running\n\(status.out)")
            }
            let destroy = try await CommandRunner.runDetached(
                BuiltProducts.runjob, ["destroy", "--yes", "--workspace", workspace, file], environment: environment,
                directory: BuiltProducts.repositoryRoot)
            #expect(destroy.status == 0, "\(label): \(destroy.err)")
        }
    }

    /// Runs `body` `runs` times, `lanes` at a time, each lane with its own random generator.
    static func stress(
        runs: Int, lanes: Int, seed: UInt64, _ body: @escaping @Sendable (Int, inout SplitMix64) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var generator = SplitMix64(seed: seed &+ UInt64(lane))
                    for index in stride(from: lane, to: runs, by: lanes) { try await body(index, &generator) }
                }
            }
            try await group.waitForAll()
        }
    }
}
