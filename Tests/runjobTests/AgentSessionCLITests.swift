import Executor
import Foundation
import TestSupport
import Testing

/// A Morph "snapshot" for agent runs: the fake pm2, claude and codex in `~/.local/bin`.
func agentHomeTemplate(_ folder: TemporaryDirectory) throws -> String {
    let template = folder.file("template")
    try FileManager.default.createDirectory(atPath: template + "/.local/bin", withIntermediateDirectories: true)
    for tool in ["pm2", "claude", "codex"] {
        let target = template + "/.local/bin/" + tool
        try FileManager.default.copyItem(atPath: repo("Tests/Support/fakes/" + tool), toPath: target)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target)
    }
    return template
}

/// A local git repository to clone instead of GitHub (no network here).
func localRepository(_ folder: TemporaryDirectory) async throws -> String {
    let path = folder.file("app")
    try folder.write("app/README.md", "# app\n")
    let git = ["-c", "user.name=runjob", "-c", "user.email=runjob@example.invalid"]
    for arguments in [["init", "-q", path], ["-C", path] + git + ["add", "."], ["-C", path] + git + ["commit", "-q", "-m", "init"]] {
        let result = try await CommandRunner.runDetached("/usr/bin/env", ["git"] + arguments, environment: ["HOME": folder.path])
        #expect(result.status == 0, "git \(arguments): \(result.err)")
    }
    return "file://" + path
}

@Suite("Agent sessions under PM2 on Morph (emulator, fake pm2/claude/codex)", .serialized)
struct AgentSessionCLITests {
    static let key = Canary(value: "morph-agent-key-canary-Lq88Zt31Xw05")

    @Test("morph-claude example: apply --wait, both reviews finish with results; status, logs, logs --raw, destroy; no secret leaks")
    func claude() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-agents")
        defer { folder.remove() }
        let emulator = try EmulatorProcess(arguments: ["--api-key", Self.key.value, "--home-template", try agentHomeTemplate(folder)])
        defer { emulator.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let oauth = Canary(value: "sk-ant-oat01-canary-Qm4Wn8Rt2Yx6Zp0Lk3")
        // The login `runjob auth claude login` stores (the example reads `${auth:claude}`).
        try home.write(
            ".config/runjob/auth/claude.json",
            "{\"access_token\":\"\(oauth.value)\",\"refresh_token\":\"sk-ant-ort01-canary-0123456789abcdef\",\"expires_at\":4102444800000,\"scopes\":[\"user:inference\"]}")
        let refreshToken = Canary(value: "sk-ant-ort01-canary-0123456789abcdef")
        let github = Canary(tag: "github")
        let env = [
            "MORPH_API_KEY": Self.key.value, "MORPH_BASE_URL": emulator.baseURL, "REPO_URL": try await localRepository(folder),
            "GITHUB_TOKEN": github.value,
        ]
        let file = "examples/manifests/morph-claude.yaml"
        var outputs: [String] = []

        let apply = try await runjob(["apply", "--wait", file], env: env, home: home)
        outputs += [apply.out, apply.err]
        #expect(apply.status == 0, "\(apply.out.suffix(3000))\(apply.err)")
        try await expectValidEvents(apply.out)
        let finished = apply.out.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }.filter {
            $0["type"] == .string("session.finished")
        }
        for session in ["review", "tests"] {
            let event = try #require(finished.first { $0["session"] == .string(session) }, "no session.finished for \(session)")
            #expect(event["status"] == .string("ok"))
            #expect(event["is_error"] == .bool(false))
            #expect(event["turns"]?.intValue == 2)
            #expect((event["cost_usd"]?.doubleValue ?? 0) > 0)
            #expect(event["agent_session"]?.stringValue?.count == 36)
        }

        let status = try await runjob(["status", "--output", "json", file], env: env, home: home)
        outputs += [status.out, status.err]
        #expect(status.status == 0, "\(status.err)")
        let sessions = try JSONValue.parse(status.stdout)["machines"]?.arrayValue?.first?["sessions"]?.arrayValue ?? []
        #expect(sessions.compactMap { $0["result"]?["is_error"] } == [.bool(false), .bool(false)])
        let text = try await runjob(["status", file], env: env, home: home)
        #expect(text.out.contains("session review: exited (exit 0) · agent ok, 2 turns"), "\(text.out)")

        let logs = try await runjob(["logs", file, "review"], env: env, home: home)
        outputs += [logs.out, logs.err]
        #expect(logs.status == 0, "\(logs.err)")
        #expect(logs.out.contains("Done. The prompt had"), "\(logs.out)")
        #expect(!logs.out.contains("\"type\":"), "rendered logs should not be raw JSON")
        let raw = try await runjob(["logs", "--raw", file, "review"], env: env, home: home)
        outputs += [raw.out, raw.err]
        #expect(raw.out.split(separator: "\n").allSatisfy { (try? JSONValue.parse(String($0))) != nil })
        #expect(raw.out.contains("\"type\":\"result\""))

        let destroy = try await runjob(["destroy", "--yes", file], env: env, home: home)
        outputs += [destroy.out, destroy.err]
        #expect(destroy.status == 0, "\(destroy.err)")
        #expect(try emulator.instances().allSatisfy { $0["deleted"] == .bool(true) })
        for output in outputs {
            for canary in [Self.key, oauth, github, refreshToken] { #expect(canary.leaks(in: output).isEmpty, "a secret leaked: \(output)") }
        }
    }

    @Test("a Codex session runs the same way with the fake codex")
    func codex() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-agents")
        defer { folder.remove() }
        let emulator = try EmulatorProcess(arguments: ["--api-key", Self.key.value, "--home-template", try agentHomeTemplate(folder)])
        defer { emulator.stop() }
        let openai = Canary(value: "sk-openai-canary-Hv71Nc40Bq2Ds9Wm")
        let env = [
            "MORPH_API_KEY": Self.key.value, "MORPH_BASE_URL": emulator.baseURL, "REPO_URL": try await localRepository(folder),
            "OPENAI_API_KEY": openai.value,
        ]
        let file = "examples/manifests/morph-codex.yaml"
        let apply = try await runjob(["apply", "--wait", file], env: env)
        #expect(apply.status == 0, "\(apply.out.suffix(3000))\(apply.err)")
        let finished = apply.out.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }.first {
            $0["type"] == .string("session.finished") && $0["session"] == .string("fix")
        }
        #expect(finished?["status"] == .string("ok"))
        #expect(finished?["is_error"] == .bool(false))
        let logs = try await runjob(["logs", file, "fix"], env: env)
        #expect(logs.status == 0, "\(logs.err)")
        #expect(logs.out.contains("Done. The prompt had"), "\(logs.out)")
        let destroy = try await runjob(["destroy", "--yes", file], env: env)
        #expect(destroy.status == 0)
        #expect(try emulator.instances().allSatisfy { $0["deleted"] == .bool(true) })
        for output in [apply.out, apply.err, logs.out, logs.err] { #expect(openai.leaks(in: output).isEmpty) }
    }
}
