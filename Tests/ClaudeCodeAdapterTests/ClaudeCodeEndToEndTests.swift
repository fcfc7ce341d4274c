import ClaudeCodeAdapter
import Executor
import Foundation
import LocalAdapter
import Manifest
import Planner
import ShellAdapter
import TestSupport
import Testing

/// A whole apply on the local provider with the shell process manager: the fake CLI
/// is installed by a first session into `~/.local/bin/claude`, credentials by a profile.
@Suite("Claude Code end to end (local provider, shell manager, fake CLI)")
struct ClaudeCodeEndToEndTests {
    @Test("a claude session runs from a manifest and session.finished carries the parsed result; a failing one is reported")
    func endToEnd() async throws {
        let fake = BuiltProducts.repositoryRoot + "/Tests/Support/fakes/claude"
        let prompt = "Review the work folder.\nfake-claude: success\n"
        let manifest = """
            version: 1
            name: claude-e2e
            provider: local
            machine: {}
            credentials:
              claude:
                dirs: [{ path: ~/.claude, mode: "0700" }]
                files: [{ path: ~/.claude/.credentials.json, mode: "0600", content: "${env:CLAUDE_CREDENTIALS}" }]
                verify: { argv: [test, -s, ~/.claude/.credentials.json] }
            sessions:
              install:
                run: mkdir -p ~/.local/bin ~/work && echo fixture > ~/work/README.md && cp '\(fake)' ~/.local/bin/claude && chmod +x ~/.local/bin/claude
              review:
                agent: claude
                cwd: ~/work
                credentials: [claude]
                after: { install: completed }
                model: sonnet
                permission_mode: bypassPermissions
                max_turns: 5
                allowed_tools: [Read, "Bash(ls:*)"]
                append_system_prompt: Answer briefly.
                prompt: |
                  Review the work folder.
                  fake-claude: success
              locked_out:
                agent: claude
                cwd: ~/work
                after: { install: completed }
                prompt: "fake-claude: auth_error"
            """
        let registry = AdapterRegistry(
            providers: [LocalProvider.descriptor], processManagers: [ShellProcessManager.descriptor], agents: [ClaudeCodeAgent.descriptor])
        let loaded = try ManifestLoader(registry: registry, environment: .variablesOnly(["CLAUDE_CREDENTIALS": fakeCredentialsJSON]))
            .load(text: manifest, file: "claude-e2e.yaml")
        let plan = Planner().plan(loaded)

        let folder = try TemporaryDirectory(prefix: "runjob-claude-e2e")
        let local = LocalProvider(stateDirectory: folder.file("state"))
        defer { folder.remove() }
        let runtime = Runtime(provider: local, processManager: ShellProcessManager(stopGrace: .seconds(2)), agents: ["claude": ClaudeCodeAgent()])
        let options = RunOptions(keep: true, waitForSessions: true, pollInterval: .milliseconds(50))
        let sink = CollectingSink()
        let outcome = await RunEngine(plan: plan, runtime: runtime, options: options, sink: sink, redactor: Redactor(secrets: plan.allSecrets)).run()

        let finished = sink.events.compactMap { event -> SessionFinished? in
            if case .sessionFinished(let finished) = event.kind { finished } else { nil }
        }
        let review = try #require(
            finished.first { $0.session == "review" },
            "\(outcome.firstError.map { "\($0.code) \($0.message)" } ?? "no error"): \(sink.events.map(\.kind))")
        #expect(review.ok)
        #expect(review.exitCode == 0)
        let result = try #require(review.result)
        #expect(result.isError == false)
        #expect(result.costUSD == fakeCost(prompt.utf8.count))
        #expect(result.turns == 2)
        #expect(result.durationMilliseconds == 2250)
        #expect(isUUID(result.agentSession))
        #expect(result.summary == "Done. The prompt had \(prompt.utf8.count) bytes (sha256 \(SHA256Hex.digest(prompt))).")

        // An auth failure (the fake's scenario): exit 1, is_error, the agent's own words; the run fails.
        let lockedOut = try #require(finished.first { $0.session == "locked_out" })
        #expect(!lockedOut.ok)
        #expect(lockedOut.exitCode == 1)
        #expect(lockedOut.result?.isError == true)
        #expect(lockedOut.result?.summary == "Not logged in · Please run /login")
        #expect(outcome.status == .failed)

        // The session's files: the system prompt as a 0600 file, the stdout renders with the tool call allowed.
        let instance = try #require(outcome.instances["main"])
        let run = try #require(try await local.get(instance)?.home) + "/.runjob/\(options.runID)"
        #expect(FileManager.default.contents(atPath: run + "/cc-review.system-prompt") == Data("Answer briefly.".utf8))
        let attributes = try FileManager.default.attributesOfItem(atPath: run + "/cc-review.system-prompt")
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        let stdout = try #require(FileManager.default.contents(atPath: run + "/cc-review.out"))
        let text = try #require(ClaudeCodeAgent().render(output: Array(stdout), redactor: Redactor()))
        #expect(text.contains("permissions bypassPermissions"))
        #expect(text.contains("→ Bash: ls\n  ← README.md\n"))
        #expect(text.hasSuffix("✓ ok · 2 turns · \(String(format: "$%.4f", fakeCost(prompt.utf8.count))) · 2.3s\n"))

        for instance in (try? await local.list(labels: [:])) ?? [] { try? await local.destroy(instance.id) }
    }
}
