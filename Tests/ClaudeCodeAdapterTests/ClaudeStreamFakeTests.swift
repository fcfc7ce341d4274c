import ClaudeCodeAdapter
import Executor
import TestSupport
import Testing

/// Result parsing and rendering, fed with the real output of the fake CLI (agent-fakes.md).
@Suite("Claude Code stream from the fake CLI")
struct ClaudeStreamFakeTests {
    let agent = ClaudeCodeAgent()

    @Test("success: ok, 2 turns, the fake's cost and duration, the init session id, the final text")
    func success() async throws {
        let run = try await runFakeClaude(prompt: "Review the code.\nfake-claude: success\n")
        #expect(run.status == 0, "\(run.stderr)")
        let initID = jsonLines(run.stdout).first { $0["subtype"] == .string("init") }?["session_id"]?.stringValue
        #expect(isUUID(initID))
        let result = try #require(agent.result(fromOutput: run.stdout))
        #expect(
            result
                == SessionResult(
                    isError: false, costUSD: fakeCost(run.promptBytes), turns: 2, durationMilliseconds: 2250, agentSession: initID,
                    summary: "Done. The prompt had \(run.promptBytes) bytes (sha256 \(run.promptSHA))."))
        #expect(run.promptBytes == 38 && result.costUSD == 0.0038)
    }

    @Test("success rendered: init line, assistant text, one line per tool call and result, the result line")
    func successRendered() async throws {
        let run = try await runFakeClaude(prompt: "Review the code.\nfake-claude: success\n")
        let text = try #require(agent.render(output: run.stdout, redactor: Redactor()))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let sessionID = try #require(agent.result(fromOutput: run.stdout)?.agentSession)
        #expect(lines.first == "session \(sessionID) · claude-sonnet-4-5 · cwd \(run.cwd) · permissions default")
        #expect(lines.contains("I'll look at the working directory first."))
        #expect(lines.contains("→ Bash: ls"))
        // Default permissions: the fake denies Bash, and the summary says so on one line.
        #expect(lines.contains("  ← error: Claude requested permissions to use Bash, but you haven't granted it yet."))
        #expect(lines.contains("Done. The prompt had 38 bytes (sha256 \(run.promptSHA))."))
        #expect(lines.suffix(2) == ["✓ ok · 2 turns · $0.0038 · 2.3s", ""])
        #expect(!text.contains("rate_limit"))
        #expect(!text.contains("\"type\""))
    }

    @Test("bypassPermissions as root works with the IS_SANDBOX=1 the agent sets, and the tool result is a summary")
    func bypassAsRoot() async throws {
        let options = [OptionEntry("permission_mode", .text("bypassPermissions"))]
        let run = try await runFakeClaude(prompt: "fake-claude: success", options: options, extraEnv: ["FAKE_CLAUDE_EUID": "0"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(agent.result(fromOutput: run.stdout)?.isError == false)
        let text = try #require(agent.render(output: run.stdout, redactor: Redactor()))
        #expect(text.contains("permissions bypassPermissions"))
        #expect(text.contains("  ← README.md\n"))
    }

    @Test("bypassPermissions as root without IS_SANDBOX: the CLI refuses, no stdout, no result")
    func bypassAsRootWithoutSandbox() async throws {
        let options = [OptionEntry("permission_mode", .text("bypassPermissions"))]
        let run = try await runFakeClaude(prompt: "fake-claude: success", options: options, extraEnv: ["FAKE_CLAUDE_EUID": "0"], dropSpecEnv: true)
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot be used with root/sudo privileges"))
        #expect(run.stdout.isEmpty)
        #expect(agent.result(fromOutput: run.stdout) == nil)
        #expect(agent.render(output: run.stdout, redactor: Redactor()) == nil)
    }

    @Test("every option the agent builds is accepted by the CLI's parser; resume keeps the session id")
    func allOptionsAccepted() async throws {
        let id = "2f6c1e0a-8d1b-4c3e-9a57-0b7d4e2c9f10"
        let options = [
            OptionEntry("model", .text("opus")), OptionEntry("permission_mode", .text("acceptEdits")),
            OptionEntry("allowed_tools", .list([.text("Read"), .text("Bash(ls:*)")])), OptionEntry("disallowed_tools", .list([.text("WebFetch")])),
            OptionEntry("max_turns", .integer(5)), OptionEntry("append_system_prompt", .text("Be terse.")),
            OptionEntry("resume", .text(InterpolatedString(id))),
        ]
        let run = try await runFakeClaude(prompt: "fake-claude: success", options: options)
        #expect(run.status == 0, "\(run.stderr)")
        let result = try #require(agent.result(fromOutput: run.stdout))
        #expect(result.agentSession == id)
        #expect(result.isError == false)
        let text = try #require(agent.render(output: run.stdout, redactor: Redactor()))
        #expect(text.contains(" · claude-opus-4-5 · "))
        #expect(text.contains("  ← README.md\n"))  // Bash(ls:*) is allowed
        #expect(!text.contains("WebFetch"))
    }

    @Test("a resume name starting with - reaches the CLI as one value")
    func resumeName() async throws {
        let run = try await runFakeClaude(prompt: "fake-claude: success", options: [OptionEntry("resume", .text("-nightly"))])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(isUUID(agent.result(fromOutput: run.stdout)?.agentSession))
    }

    @Test("max_turns: error_max_turns with limit + 1 turns and the error text as summary")
    func maxTurns() async throws {
        let run = try await runFakeClaude(prompt: "fake-claude: max_turns\n", options: [OptionEntry("max_turns", .integer(3))])
        #expect(run.status == 1)
        let result = try #require(agent.result(fromOutput: run.stdout))
        #expect(result.isError)
        #expect(result.turns == 4)
        #expect(result.durationMilliseconds == 4250)
        #expect(result.costUSD == fakeCost(run.promptBytes))
        #expect(result.summary == "Reached maximum number of turns (3)")
        #expect(isUUID(result.agentSession))
        let text = try #require(agent.render(output: run.stdout, redactor: Redactor()))
        #expect(text.components(separatedBy: "→ Bash: ls").count - 1 == 3)
        #expect(text.hasSuffix("✗ error (error_max_turns) · 4 turns · $0.0023 · 4.3s — Reached maximum number of turns (3)\n"))
    }

    @Test("auth_error: is_error with subtype success, zero cost, the login message")
    func authError() async throws {
        let run = try await runFakeClaude(prompt: "fake-claude: auth_error")
        #expect(run.status == 1)
        let result = try #require(agent.result(fromOutput: run.stdout))
        #expect(result.isError)
        #expect(result.costUSD == 0)
        #expect(result.turns == 1)
        #expect(result.durationMilliseconds == 143)
        #expect(result.summary == "Not logged in · Please run /login")
        let text = try #require(agent.render(output: run.stdout, redactor: Redactor()))
        #expect(text.contains("! error: authentication_failed\n"))
        #expect(text.hasSuffix("✗ error · 1 turn · $0.0000 · 0.1s — Not logged in · Please run /login\n"))
    }

    @Test("no credentials at all: the same failure, found by the fake's own lookup")
    func noCredentials() async throws {
        let run = try await runFakeClaude(prompt: "fake-claude: success", credentials: false)
        #expect(run.status == 1)
        #expect(agent.result(fromOutput: run.stdout)?.summary == "Not logged in · Please run /login")
    }

    @Test("an API key in the env is named in the rendering (it outranks the installed login)")
    func apiKeyRendered() async throws {
        let run = try await runFakeClaude(prompt: "fake-claude: success", extraEnv: ["ANTHROPIC_API_KEY": "sk-ant-api03-test-0123456789"])
        let text = try #require(agent.render(output: run.stdout, redactor: Redactor()))
        #expect(text.contains("! authenticated with ANTHROPIC_API_KEY, not the installed login\n"))
    }

    @Test("exit_nonzero: no result line, so no result; the rendering says so")
    func exitNonzero() async throws {
        let run = try await runFakeClaude(prompt: "fake-claude: exit_nonzero")
        #expect(run.status == 2)
        #expect(agent.result(fromOutput: run.stdout) == nil)
        let text = try #require(agent.render(output: run.stdout, redactor: Redactor()))
        #expect(text.contains("Starting work.\n"))
        #expect(text.hasSuffix("✗ no result: the stream ended before Claude Code reported one (it exited early, crashed or was stopped)\n"))
    }

    @Test("truncated: half a JSON line without newline is skipped; no result")
    func truncated() async throws {
        let run = try await runFakeClaude(prompt: "fake-claude: truncated")
        #expect(run.status == 1)
        #expect(run.stdout.last != 0x0A)
        #expect(agent.result(fromOutput: run.stdout) == nil)
        let text = try #require(agent.render(output: run.stdout, redactor: Redactor()))
        #expect(text.contains("… a cut-off line of "))
        #expect(text.contains("✗ no result"))
    }

    @Test("long_line: a 100 KiB line of multi-byte UTF-8 is shown whole and the result still parses")
    func longLine() async throws {
        let run = try await runFakeClaude(prompt: "fake-claude: long_line")
        #expect(run.status == 0)
        let longest = run.stdout.split(separator: 0x0A).map(\.count).max() ?? 0
        #expect(longest > 100 * 1024)
        let result = try #require(agent.result(fromOutput: run.stdout))
        #expect(result.isError == false)
        #expect(result.turns == 1)
        #expect(result.durationMilliseconds == 1250)
        #expect(result.summary?.hasPrefix("Done after a long line of ") == true)
        let text = try #require(agent.render(output: run.stdout, redactor: Redactor()))
        let rendered = text.split(separator: "\n").first { $0.hasPrefix("long-line é€🚀") }
        #expect((rendered?.utf8.count ?? 0) > 100 * 1024)
        #expect(text.hasSuffix("✓ ok · 1 turn · $0.0022 · 1.3s\n"))
    }
}
