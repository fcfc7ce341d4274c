import Executor
import Foundation
import TestSupport
import Testing

/// The environment for runjob against an emulator process: loopback only, canary secrets.
func morphEnvironment(_ emulator: EmulatorProcess, key: Canary, token: Canary) throws -> [String: String] {
    guard emulator.baseURL.hasPrefix("http://127.0.0.1:") else { throw EmulatorProcessError(message: "tests refuse \(emulator.baseURL)") }
    return ["MORPH_API_KEY": key.value, "MORPH_BASE_URL": emulator.baseURL, "DEPLOY_TOKEN": token.value, "MORPH_SNAPSHOT": "snapshot_cli00001"]
}

@Suite("Morph through the CLI, against the emulator as a separate process", .serialized)
struct MorphCLITests {
    static let key = Canary(value: "morph-cli-key-canary-Zq81Lm02Px77")

    @Test("morph-shell example: apply --wait, status, logs, plan, re-apply, destroy; nothing left, no secret in any output")
    func lifecycle() async throws {
        let emulator = try EmulatorProcess(arguments: ["--api-key", Self.key.value, "--boot-delay-ms", "300"])
        defer { emulator.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let token = Canary(tag: "deploy")
        let env = try morphEnvironment(emulator, key: Self.key, token: token)
        let file = "examples/manifests/morph-shell.yaml"
        var outputs: [String] = []

        let before = try await runjob(["plan", "--detailed-exitcode", file], env: env, home: home)
        outputs += [before.out, before.err]
        #expect(before.status == 2, "\(before.err)")
        #expect(before.out.contains("Workspace default: will create"), "\(before.out)")

        let logFile = home.file("apply.log")
        let apply = try await runjob(["apply", "--wait", "--log-level", "trace", "--log-file", logFile, file], env: env, home: home)
        outputs += [apply.out, apply.err]
        #expect(apply.status == 0, "\(apply.err)")
        // The Morph provider's child logger: every API request (method, path, status, duration) at debug.
        let log = try String(contentsOfFile: logFile, encoding: .utf8)
        outputs.append(log)
        #expect(log.contains(" debug runjob.morph: http ") && log.contains("method=POST") && log.contains("outcome=200"), "\(log.prefix(2000))")
        #expect(log.contains(" debug runjob.provider: exec ") && log.contains("step=start:"), "\(log.prefix(2000))")
        try await expectValidEvents(apply.out)
        let instance = try #require(bootedInstances(apply.out).first)
        #expect(instance.hasPrefix("morphvm_"))
        let stored = try #require(try emulator.instances().first)
        #expect(stored["metadata"]?["runjob.name"] == .string("morph-shell"))
        #expect(stored["metadata"]?["team"] == .string("infra"))
        #expect(stored["ttl"]?["ttl_seconds"] == .int(3600))
        // The VM's home is the sandbox's, never this machine's (nor the test's HOME).
        let sandboxHome = try #require(stored["sandbox_home"]?.stringValue)
        #expect(apply.out.contains("\"home\":\"\(sandboxHome)\""))
        #expect(
            FileManager.default.contents(atPath: sandboxHome + "/.config/deploy/token").map { String(decoding: $0, as: UTF8.self) } == token.value)

        // From "another machine": a fresh HOME, no local state; the labels are enough.
        let status = try await runjob(["status", "--output", "json", file], env: env)
        outputs += [status.out, status.err]
        #expect(status.status == 0, "\(status.err)")
        let document = try JSONValue.parse(status.stdout)
        #expect(document["machines"]?.arrayValue?.first?["instance"] == .string(instance))
        #expect(document["machines"]?.arrayValue?.first?["sessions"]?.arrayValue?.compactMap { $0["status"]?.stringValue } == ["exited", "exited"])

        let logs = try await runjob(["logs", file, "report"], env: env)
        outputs += [logs.out, logs.err]
        #expect(logs.status == 0, "\(logs.err)")
        #expect(logs.out.hasPrefix("running on "))
        #expect(logs.out.hasSuffix("\(token.value.utf8.count)\n"))

        let again = try await runjob(["apply", "--output", "text", file], env: env, home: home)
        outputs += [again.out, again.err]
        #expect(again.status == 0, "\(again.err)")
        #expect(again.out.contains("instance=\(instance) unchanged"))
        #expect(again.out.contains("start:report ok (0 ms) process=report run="))
        let after = try await runjob(["plan", "--detailed-exitcode", file], env: env, home: home)
        #expect(after.status == 0, "\(after.out)")

        let destroy = try await runjob(["destroy", "--yes", file], env: env)
        outputs += [destroy.out, destroy.err]
        #expect(destroy.status == 0, "\(destroy.err)")
        #expect(destroy.err.contains("destroyed \(instance) (main)"))
        #expect(try emulator.instances().allSatisfy { $0["deleted"] == .bool(true) })
        #expect(try emulator.instances().count == 1)

        for output in outputs {
            #expect(Self.key.leaks(in: output).isEmpty, "the API key leaked: \(output)")
            #expect(token.leaks(in: output).isEmpty, "the deploy token leaked: \(output)")
        }
    }

    @Test("SIGINT while a Morph instance boots: exit 130, the instance is deleted, nothing left")
    func interruptDuringBoot() async throws {
        let emulator = try EmulatorProcess(arguments: ["--api-key", Self.key.value, "--boot-delay-ms", "30000"])
        defer { emulator.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        var env = try morphEnvironment(emulator, key: Self.key, token: Canary(tag: "deploy"))
        env.merge(["HOME": home.path, "XDG_STATE_HOME": home.file("state"), "NO_COLOR": "1"]) { _, new in new }
        let command = try BackgroundCommand(
            BuiltProducts.runjob, ["apply", "examples/manifests/morph-shell.yaml"], environment: env, directory: BuiltProducts.repositoryRoot)
        #expect(await command.eventually { ((try? emulator.instances()) ?? []).count == 1 })
        command.send(SIGINT)
        #expect(await command.exitStatus() == 130)
        try await expectValidEvents(command.out)
        #expect(command.out.contains("\"type\":\"run.interrupted\""))
        let instances = try emulator.instances()
        #expect(instances.count == 1)
        #expect(instances.allSatisfy { $0["deleted"] == .bool(true) }, "\(instances)")
        #expect(Self.key.leaks(in: command.out + command.err).isEmpty)
    }

    @Test("a wrong key fails apply with provider.auth_failed and exit 1, without the key in the output")
    func wrongKey() async throws {
        let emulator = try EmulatorProcess(arguments: ["--api-key", "the-right-key-0123456789"])
        defer { emulator.stop() }
        let env = try morphEnvironment(emulator, key: Self.key, token: Canary(tag: "deploy"))
        let apply = try await runjob(["apply", "examples/manifests/morph-shell.yaml"], env: env)
        #expect(apply.status == 1)
        #expect(apply.out.contains("provider.auth_failed") || apply.err.contains("provider.auth_failed"), "\(apply.out)\(apply.err)")
        #expect(Self.key.leaks(in: apply.out + apply.err).isEmpty)
        #expect(try emulator.instances().isEmpty)
    }

    @Test("status against an API that refuses connections gives up with provider.unreachable instead of retrying for minutes")
    func unreachableStatus() async throws {
        // Port 1 on loopback: nothing listens there, every connection is refused at once.
        let env = ["MORPH_API_KEY": Self.key.value, "MORPH_BASE_URL": "http://127.0.0.1:1", "DEPLOY_TOKEN": "unused-token-0123456789"]
        let started = ContinuousClock.now
        let status = try await runjob(["status", "examples/manifests/morph-shell.yaml"], env: env)
        let elapsed = ContinuousClock.now - started
        #expect(status.status == 1)
        #expect(status.err.contains("provider.unreachable"), "\(status.err)")
        // The preview deadline is 10 s; the default one (2 min) would not return this soon.
        #expect(elapsed < .seconds(60), "status took \(elapsed)")
        #expect(Self.key.leaks(in: status.out + status.err).isEmpty)
    }
}
