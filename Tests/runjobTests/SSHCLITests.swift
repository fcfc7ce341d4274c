import Executor
import Foundation
import Synchronization
import TestSupport
import Testing

/// A client configuration reaching `server` as `runjob-box` (the example's host alias).
private func exampleClient(_ server: SSHServer) throws -> String {
    let path = server.directory.file("client_config")
    let text = SSHServer.clientConfig([server]).replacingOccurrences(of: "Host \(server.alias)\n", with: "Host runjob-box\n")
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

/// The built runjob started in the background with `home` as HOME (and its state folder) and `env`.
private func background(_ arguments: [String], env: [String: String], home: TemporaryDirectory) throws -> BackgroundCommand {
    try BackgroundCommand(
        BuiltProducts.runjob, arguments, environment: ["HOME": home.path, "XDG_STATE_HOME": home.file("state")].merging(env) { $1 })
}

/// Processes of ssh clients (masters included) that use `config`.
private func sshClients(using config: String) -> [[String]] {
    ProcessScan.argv().filter { $0.first?.hasSuffix("ssh") == true && $0.contains(config) }
}

/// Waits until every session of the example has exited (`status --output json`).
private func waitForSessions(_ manifest: String, env: [String: String], home: TemporaryDirectory) async throws -> JSONValue? {
    let deadline = Date().addingTimeInterval(30)
    var document: JSONValue?
    while Date() < deadline {
        let poll = try await runjob(["status", "--output", "json", manifest], env: env, home: home)
        document = try? JSONValue.parse(poll.stdout)
        let states = document?["machines"]?.arrayValue?.first?["sessions"]?.arrayValue?.map { $0["status"] } ?? []
        if !states.isEmpty && states.allSatisfy({ $0 == .string("exited") }) { return document }
        try await Task.sleep(for: .milliseconds(100))
    }
    return document
}

@Suite("runjob over ssh: the example against a real sshd", .enabled(if: SSHServer.isAvailable), .serialized)
struct SSHCLITests {
    @Test("examples/manifests/ssh.yaml: apply, status, logs, re-apply no-op, destroy; nothing of runjob's left on the host, no master left")
    func exampleInstanceHome() async throws {
        let server = try SSHServer(alias: "box")
        defer { server.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let env = ["RUNJOB_SSH_CONFIG": try exampleClient(server), "DEMO_TOKEN": "canary-ssh-token-0c41f2"]
        let manifest = "examples/manifests/ssh.yaml"

        let apply = try await runjob(["apply", manifest], env: env, home: home)
        #expect(apply.status == 0, "\(apply.err)")
        try await expectValidEvents(apply.out)
        let instance = try #require(bootedInstances(apply.out).first)
        #expect(instance.hasPrefix("ssh-"))
        let instanceHome = server.home + "/.runjob/instances/\(instance)/home"
        let status = try #require(try await waitForSessions(manifest, env: env, home: home))
        #expect(status["machines"]?.arrayValue?.first?["instance"] == .string(instance))
        let report = try String(contentsOfFile: instanceHome + "/work/report.txt", encoding: .utf8)
        #expect(report.hasPrefix("hello from "))
        #expect(report.contains("prepared at "))
        #expect(FileScan.mode(instanceHome + "/.config/demo/token") == 0o600)

        let logs = try await runjob(["logs", manifest, "report"], env: env, home: home)
        #expect(logs.status == 0, "\(logs.err)")
        #expect(logs.out.hasPrefix("hello from "))
        let plan = try await runjob(["plan", manifest], env: env, home: home)
        #expect(plan.out.contains("Plan: no changes"), "\(plan.out)\(plan.err)")
        let again = try await runjob(["apply", manifest], env: env, home: home)
        #expect(again.status == 0, "\(again.err)")
        #expect(bootedInstances(again.out) == [instance])
        #expect(again.out.contains("\"unchanged\":true"))
        #expect(!again.out.contains("\"kind\":\"credentials\",\"status\":\"ok\"") || again.out.contains("unchanged"))
        for output in [apply, logs, plan, again] { #expect(!(output.out + output.err).contains("canary-ssh-token-0c41f2")) }

        let destroy = try await runjob(["destroy", "--yes", manifest], env: env, home: home)
        #expect(destroy.status == 0, "\(destroy.err)")
        #expect(FileScan.tree(server.home) == [])
        #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(instance)") == [])
        #expect(sshClients(using: env["RUNJOB_SSH_CONFIG"] ?? "").isEmpty)
    }

    @Test("home: user: sessions use the account's home; destroy removes exactly what runjob installed and puts back what it replaced")
    func exampleUserHome() async throws {
        let server = try SSHServer(alias: "box")
        defer { server.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let text = try String(contentsOfFile: repo("examples/manifests/ssh.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "  home: instance ", with: "  home: user     ")
        let manifest = try home.write("ssh-user.yaml", text)
        let env = ["RUNJOB_SSH_CONFIG": try exampleClient(server), "DEMO_TOKEN": "canary-ssh-token-77ab90"]
        // The account already has a token at the profile's path, and files of its own.
        try FileManager.default.createDirectory(atPath: server.home + "/.config/demo", withIntermediateDirectories: true)
        try Data("the user's own token\n".utf8).write(to: URL(fileURLWithPath: server.home + "/.config/demo/token"))
        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: server.home + "/notes.txt"))

        let plan = try await runjob(["plan", manifest], env: env, home: home)
        #expect(plan.out.contains("home: user"), "\(plan.out)")
        let apply = try await runjob(["apply", manifest], env: env, home: home)
        #expect(apply.status == 0, "\(apply.err)")
        let instance = try #require(bootedInstances(apply.out).first)
        _ = try await waitForSessions(manifest, env: env, home: home)
        #expect(FileScan.text(server.home + "/.config/demo/token") == "canary-ssh-token-77ab90")
        #expect(FileScan.text(server.home + "/work/report.txt")?.hasPrefix("hello from ") == true)
        #expect(FileManager.default.fileExists(atPath: server.home + "/.machine.json"))

        // A second deployment cannot take the same home while this one holds it.
        let other = try home.write("other.yaml", text.replacingOccurrences(of: "name: ssh-demo", with: "name: ssh-other"))
        let refused = try await runjob(["apply", other], env: env, home: home)
        #expect(refused.status == 1)
        #expect(refused.out.contains("provider.home_in_use"))
        #expect(refused.err.contains("already uses the home folder"))

        let destroy = try await runjob(["destroy", "--yes", manifest], env: env, home: home)
        #expect(destroy.status == 0, "\(destroy.err)")
        #expect(FileScan.text(server.home + "/.config/demo/token") == "the user's own token\n")
        // What is left is the account's own files and what the sessions made; nothing of runjob's.
        #expect(FileScan.tree(server.home) == [".config", ".config/demo", ".config/demo/token", "notes.txt", "work", "work/report.txt", "work/setup.txt"])
        #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(instance)") == [])
    }
}


@Suite("runjob over ssh: faults and secrets against a real sshd", .enabled(if: SSHServer.isAvailable), .serialized)
struct SSHCLIFaultTests {
    /// A manifest for `server` (alias `runjob-box`) with `sessions` and `extra` top-level YAML.
    private func manifest(_ home: TemporaryDirectory, sessions: String, provider: String = "", extra: String = "") throws -> String {
        try home.write(
            "m.yaml",
            """
            version: 1
            name: ssh-faults
            provider: { kind: ssh\(provider) }
            machines:
              box: { host: runjob-box }
            \(extra)
            sessions:
            \(sessions)
            """)
    }

    @Test("sshd killed while apply waits for a session: back in time, the wait goes on and apply succeeds; gone for good, provider.unreachable (exit 1), and destroy cleans up once it is back")
    func killedWhileWaiting() async throws {
        let server = try SSHServer(alias: "box")
        defer { server.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let env = ["RUNJOB_SSH_CONFIG": try exampleClient(server)]
        let file = try manifest(home, sessions: "  nap: { run: \"sleep 6; echo rested\" }", provider: ", retry_deadline: 8s")

        let apply = try background(["apply", "--wait", file], env: env, home: home)
        #expect(await apply.eventually(seconds: 90) { apply.err.contains("start:nap ok") }, "\(apply.err)")
        server.kill()
        try await Task.sleep(for: .milliseconds(700))
        try server.start()
        #expect(await apply.exitStatus() == 0, "\(apply.err)")
        #expect(apply.out.contains("\"type\":\"session.exited\"") || apply.err.contains("nap"), "\(apply.err)")

        // Again, and the host stays away longer than the retry deadline.
        let second = try background(["apply", "--wait", "--rerun", "nap", file], env: env, home: home)
        #expect(await second.eventually(seconds: 90) { second.err.contains("start:nap ok") }, "\(second.err)")
        server.kill()
        #expect(await second.exitStatus() == 1)
        #expect(second.out.contains("provider.unreachable"), "\(second.out)")
        #expect(sshClients(using: env["RUNJOB_SSH_CONFIG"] ?? "").isEmpty, "the master went with the run")
        try server.start()
        let destroy = try await runjob(["destroy", "--yes", file], env: env, home: home)
        #expect(destroy.status == 0, "\(destroy.err)")
        #expect(FileScan.tree(server.home) == [])
    }

    @Test("Ctrl-C mid-apply: exit 130, the shared connection closed, its folder gone; destroy leaves nothing")
    func interrupted() async throws {
        let server = try SSHServer(alias: "box")
        defer { server.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let env = ["RUNJOB_SSH_CONFIG": try exampleClient(server)]
        let file = try manifest(home, sessions: "  long: { run: \"sleep 61\" }")
        let tmp = try TemporaryDirectory(prefix: "runjob-tmp")
        defer { tmp.remove() }
        let apply = try background(["apply", "--wait", file], env: env.merging(["TMPDIR": tmp.path]) { $1 }, home: home)
        #expect(await apply.eventually(seconds: 20) { ProcessScan.argv().contains { $0.filter { !$0.isEmpty } == ["sleep", "61"] } })
        #expect(FileScan.tree(tmp.path).contains { $0.hasPrefix("runjob-ssh.") })
        apply.send(SIGINT)
        #expect(await apply.exitStatus() == 130, "\(apply.err)")
        #expect(sshClients(using: env["RUNJOB_SSH_CONFIG"] ?? "").isEmpty)
        #expect(FileScan.tree(tmp.path).isEmpty, "the private folder of the control sockets is gone: \(FileScan.tree(tmp.path))")
        let destroy = try await runjob(["destroy", "--yes", file], env: env, home: home)
        #expect(destroy.status == 0, "\(destroy.err)")
        #expect(FileScan.tree(server.home) == [])
        #expect(!ProcessScan.argv().contains { $0.filter { !$0.isEmpty } == ["sleep", "61"] })
    }

    // CPU-heavy (a 1 MiB secret makes the debug build's redactor work for ~20 s), which starves the timing-sensitive tests
    // that run beside it in `swift test`: run it alone with RUNJOB_SSH_1MIB=1 swift test --filter largeProfileNeverInArgv.
    @Test(
        "a 1 MiB credential profile: no process on the host ever shows a piece of it in its argv; it lands whole, 0600",
        .enabled(if: ProcessInfo.processInfo.environment["RUNJOB_SSH_1MIB"] == "1"))
    func largeProfileNeverInArgv() async throws {
        let server = try SSHServer(alias: "box")
        defer { server.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let env = ["RUNJOB_SSH_CONFIG": try exampleClient(server)]
        let marker = "k7Qx9Zp3Lm-canary-\(UInt64.random(in: 0...UInt64.max))"
        var secret = ""
        var line = 0
        while secret.utf8.count < (1 << 20) - 128 {
            secret += "\(marker) line \(line) of a large secret profile\n"
            line += 1
        }
        let secretFile = try home.write("secret.txt", secret)
        let file = try manifest(
            home, sessions: "  use: { run: \"wc -c < ~/.secrets/big.txt\", credentials: [big] }",
            extra: """
                credentials:
                  big:
                    files:
                      - { path: ~/.secrets/big.txt, mode: "0600", content: "${file:\(secretFile)}" }
                      - { path: ~/.secrets/copy.txt, mode: "0600", content: "${file:\(secretFile)}" }
                """)
        // The watcher reads every process's argv on a thread of its own, as fast as it can.
        // Processes of this host (their environment has its HOME, sshd's SetEnv) and runjob's ssh clients for it; other
        // tests run beside this one on the same machine.
        let config = env["RUNJOB_SSH_CONFIG"] ?? ""
        let done = Mutex(false)
        let seen = Mutex(Set<String>())
        let watcher = Thread {
            while !done.withLock({ $0 }) {
                let argv = hostArgv(home: server.home, client: config)
                seen.withLock { _ = $0.insert(argv) }
                usleep(1000)  // every process of the install lives for milliseconds at least
            }
        }
        watcher.start()
        let started = ContinuousClock.now
        let apply = try await runjob(["apply", "--wait", file], env: env, home: home)
        done.withLock { $0 = true }
        let argv = seen.withLock { $0.joined(separator: "\n") }
        print("1 MiB profile apply: \(ContinuousClock.now - started), \(seen.withLock { $0.count }) distinct process lists seen")
        #expect(apply.status == 0, "\(apply.err)")
        let instance = try #require(bootedInstances(apply.out).first)
        let target = server.home + "/.runjob/instances/\(instance)/home/.secrets/big.txt"
        #expect(FileScan.text(target) == secret)
        #expect(FileScan.mode(target) == 0o600)
        #expect(Canary(value: marker).leaks(in: argv).isEmpty, "a piece of the profile showed in a process's argv")
        #expect(Canary(value: marker).leaks(in: apply.out + apply.err).isEmpty)
        #expect(argv.contains("ControlMaster=no"), "the watcher saw runjob's ssh clients")
        _ = try await runjob(["destroy", "--yes", file], env: env, home: home)
        #expect(FileScan.tree(server.home) == [])
    }
}

/// The argv of every process whose environment has `HOME=<home>…` or whose argv names `client`, one a line.
private func hostArgv(home: String, client: String) -> String {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    let homeEntry = Array("HOME=\(home)".utf8)
    var lines: [String] = []
    for name in names where name.allSatisfy(\.isNumber) {
        guard let cmdline = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { continue }
        let argv = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let environ = FileManager.default.contents(atPath: "/proc/\(name)/environ") ?? Data()
        let ours = argv.contains(client) || environ.split(separator: 0).contains { Array($0.prefix(homeEntry.count)) == homeEntry }
        if ours { lines.append(argv.joined(separator: " ")) }
    }
    return lines.joined(separator: "\n")
}

