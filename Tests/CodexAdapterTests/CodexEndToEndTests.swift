import CodexAdapter
import Executor
import Foundation
import LocalAdapter
import Manifest
import Planner
import ShellAdapter
import TestSupport
import Testing

/// A whole apply on the local provider with the shell process manager: the fake CLI
/// is installed by a first session into `~/.local/bin/codex`, `auth.json` by a profile.
@Suite("Codex end to end (local provider, shell manager, fake CLI)")
struct CodexEndToEndTests {
    @Test("a codex session runs from a manifest and session.finished carries the parsed result; a failing one is reported")
    func endToEnd() async throws {
        let fake = BuiltProducts.repositoryRoot + "/Tests/Support/fakes/codex"
        let prompt = "Write the digest.\nfake-codex: write_file\n"
        let manifest = """
            version: 1
            name: codex-e2e
            provider: local
            machine: {}
            credentials:
              codex:
                dirs: [{ path: ~/.codex, mode: "0700" }]
                files: [{ path: ~/.codex/auth.json, mode: "0600", content: "${env:CODEX_AUTH}" }]
                verify: { argv: [test, -s, ~/.codex/auth.json] }
            sessions:
              install:
                run: mkdir -p ~/.local/bin ~/work && cp '\(fake)' ~/.local/bin/codex && chmod +x ~/.local/bin/codex
              build:
                agent: codex
                cwd: ~/work
                credentials: [codex]
                after: { install: completed }
                model: gpt-5-codex
                prompt: |
                  Write the digest.
                  fake-codex: write_file
              broken:
                agent: codex
                cwd: ~/work
                credentials: [codex]
                after: { install: completed }
                prompt: "fake-codex: turn_failed"
            """
        let registry = AdapterRegistry(
            providers: [LocalProvider.descriptor], processManagers: [ShellProcessManager.descriptor], agents: [CodexAgent.descriptor])
        let loaded = try ManifestLoader(registry: registry, environment: .variablesOnly(["CODEX_AUTH": fakeAuthJSON]))
            .load(text: manifest, file: "codex-e2e.yaml")
        let plan = Planner().plan(loaded)

        let folder = try TemporaryDirectory(prefix: "runjob-codex-e2e")
        let local = LocalProvider(stateDirectory: folder.file("state"))
        defer { folder.remove() }
        let runtime = Runtime(provider: local, processManager: ShellProcessManager(stopGrace: .seconds(2)), agents: ["codex": CodexAgent()])
        let options = RunOptions(keep: true, waitForSessions: true, pollInterval: .milliseconds(50))
        let sink = CollectingSink()
        let outcome = await RunEngine(plan: plan, runtime: runtime, options: options, sink: sink, redactor: Redactor(secrets: plan.allSecrets)).run()

        let finished = sink.events.compactMap { event -> SessionFinished? in
            if case .sessionFinished(let finished) = event.kind { finished } else { nil }
        }
        let instance = try #require(outcome.instances["main"])
        let home = try #require(try await local.get(instance)?.home)
        let build = try #require(
            finished.first { $0.session == "build" },
            "\(outcome.firstError.map { "\($0.code) \($0.message)" } ?? "no error"): \(sink.events.map(\.kind))")
        #expect(build.ok)
        #expect(build.exitCode == 0)
        let result = try #require(build.result)
        #expect(result.isError == false)
        #expect(result.turns == 1)
        #expect(result.costUSD == nil)
        #expect(isUUID(result.agentSession))
        #expect(result.summary == "Wrote the prompt's sha256 to \(home)/work/codex-output.txt.")
        // The default workspace-write sandbox let it write into its cwd.
        #expect(FileManager.default.contents(atPath: home + "/work/codex-output.txt") == Data((SHA256Hex.digest(prompt) + "\n").utf8))

        let broken = try #require(finished.first { $0.session == "broken" })
        #expect(!broken.ok)
        #expect(broken.exitCode == 1)
        #expect(broken.result?.isError == true)
        #expect(broken.result?.summary == "fake-codex turn_failed scenario: the model request failed")
        #expect(outcome.status == .failed)

        let stdout = try #require(FileManager.default.contents(atPath: home + "/.runjob/\(options.runID)/cx-build.out"))
        let text = try #require(CodexAgent().render(output: Array(stdout), redactor: Redactor()))
        #expect(text.contains("→ file change: add \(home)/work/codex-output.txt\n"))
        #expect(text.hasSuffix("✓ turn completed · \((prompt.utf8.count + 3) / 4) input tokens (0 cached) · 30 output tokens\n"))

        for instance in (try? await local.list(labels: [:])) ?? [] { try? await local.destroy(instance.id) }
    }
}
