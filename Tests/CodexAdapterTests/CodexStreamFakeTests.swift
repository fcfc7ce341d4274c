import CodexAdapter
import Executor
import TestSupport
import Testing

/// Result parsing and rendering, fed with the real output of the fake CLI (agent-fakes.md).
@Suite("Codex stream from the fake CLI")
struct CodexStreamFakeTests {
    let agent = CodexAgent()

    @Test("success: ok, the thread id as agent session, one turn, the last agent message")
    func success() async throws {
        let run = try await runFakeCodex(prompt: "Build it.\nfake-codex: success\n")
        #expect(run.status == 0, "\(run.stderr)")
        let thread = jsonLines(run.stdout).first { $0["type"] == .string("thread.started") }?["thread_id"]?.stringValue
        #expect(isUUID(thread))
        let result = try #require(agent.result(fromOutput: run.stdout))
        #expect(
            result
                == SessionResult(
                    isError: false, turns: 1, agentSession: thread,
                    summary: "Done. The prompt had \(run.promptBytes) bytes (sha256 \(run.promptSHA))."))
    }

    @Test("success rendered: session, command with its exit, the message, the usage line")
    func successRendered() async throws {
        let run = try await runFakeCodex(prompt: "Build it.\nfake-codex: success\n")
        let text = try #require(agent.render(output: run.stdout, redactor: Redactor()))
        let lines = text.split(separator: "\n").map(String.init)
        let thread = try #require(agent.result(fromOutput: run.stdout)?.agentSession)
        #expect(
            lines == [
                "session \(thread)",
                "→ command: bash -lc ls",
                "  ← exit 0: README.md",
                "Done. The prompt had 30 bytes (sha256 \(run.promptSHA)).",
                "✓ turn completed · 8 input tokens (0 cached) · 40 output tokens",
            ])
        #expect(run.promptBytes == 30)
        #expect(!text.contains("Inspecting the workspace"))  // reasoning is left out
    }

    @Test("turn_failed: is_error with the failure message")
    func turnFailed() async throws {
        let run = try await runFakeCodex(prompt: "fake-codex: turn_failed")
        #expect(run.status == 1)
        let result = try #require(agent.result(fromOutput: run.stdout))
        #expect(result.isError)
        #expect(result.turns == 1)
        #expect(isUUID(result.agentSession))
        #expect(result.summary == "fake-codex turn_failed scenario: the model request failed")
        #expect(agent.render(output: run.stdout, redactor: Redactor())?.hasSuffix("✗ turn failed: fake-codex turn_failed scenario: the model request failed\n") == true)
    }

    @Test("error: a lone fatal error event is a failure")
    func fatalError() async throws {
        let run = try await runFakeCodex(prompt: "fake-codex: error")
        #expect(run.status == 1)
        let result = try #require(agent.result(fromOutput: run.stdout))
        #expect(result.isError)
        #expect(result.summary == "stream disconnected before completion: fake-codex error scenario")
        #expect(agent.render(output: run.stdout, redactor: Redactor())?.hasSuffix("✗ error: stream disconnected before completion: fake-codex error scenario\n") == true)
    }

    @Test("auth_error (and no auth.json at all): the 401 message")
    func authError() async throws {
        let message = "unexpected status 401 Unauthorized: Missing bearer or basic authentication in header"
        for run in [try await runFakeCodex(prompt: "fake-codex: auth_error"), try await runFakeCodex(prompt: "fake-codex: success", auth: false)] {
            #expect(run.status == 1)
            let result = try #require(agent.result(fromOutput: run.stdout))
            #expect(result.isError)
            #expect(result.summary == message)
            #expect(agent.render(output: run.stdout, redactor: Redactor())?.contains("✗ turn failed: " + message) == true)
        }
    }

    @Test("write_file: the default workspace-write sandbox lets it write; read-only makes the change fail")
    func sandboxes() async throws {
        let allowed = try await runFakeCodex(prompt: "fake-codex: write_file")
        let text = try #require(agent.render(output: allowed.stdout, redactor: Redactor()))
        #expect(text.contains("→ file change: add \(allowed.cwd)/codex-output.txt\n"))
        #expect(agent.result(fromOutput: allowed.stdout)?.summary == "Wrote the prompt's sha256 to \(allowed.cwd)/codex-output.txt.")
        let blocked = try await runFakeCodex(prompt: "fake-codex: write_file", options: [OptionEntry("sandbox", .text("read-only"))])
        #expect(agent.render(output: blocked.stdout, redactor: Redactor())?.contains("→ file change (failed): add ") == true)
        #expect(agent.result(fromOutput: blocked.stdout)?.isError == false)
    }

    @Test("git check kept on outside a repository: stderr only, no result, nothing to render")
    func gitCheck() async throws {
        let run = try await runFakeCodex(prompt: "fake-codex: success", options: [OptionEntry("skip_git_repo_check", .boolean(false))])
        #expect(run.status == 1)
        #expect(run.stderr.contains("Not inside a trusted directory and --skip-git-repo-check was not specified."))
        #expect(agent.result(fromOutput: run.stdout) == nil)
        #expect(agent.render(output: run.stdout, redactor: Redactor()) == nil)
    }
}

/// Damaged or unusual event streams.
@Suite("Codex stream robustness")
struct CodexStreamRobustnessTests {
    let agent = CodexAgent()

    @Test("an error followed by a completed turn was a retry: success")
    func reconnect() {
        let stream = """
            {"type":"thread.started","thread_id":"t-1"}
            {"type":"turn.started"}
            {"type":"error","message":"Reconnecting... 1/5"}
            {"type":"item.completed","item":{"id":"i","type":"agent_message","text":"done"}}
            {"type":"turn.completed","usage":{"input_tokens":1,"cached_input_tokens":0,"output_tokens":1}}
            """
        #expect(agent.result(fromOutput: Array(stream.utf8)) == SessionResult(isError: false, turns: 1, agentSession: "t-1", summary: "done"))
    }

    @Test("a stream cut off mid-line, with banners and invalid UTF-8: no result, a rendering that says so")
    func cutOff() async throws {
        let run = try await runFakeCodex(prompt: "fake-codex: success")
        let lines = run.stdout.split(separator: 0x0A)
        var bytes = Array("codex banner\n".utf8)
        for line in lines.dropLast() { bytes += line + [0x0A] }
        let last = try #require(lines.last)
        bytes += last.prefix(last.count / 2)
        bytes.insert(contentsOf: [0xFF], at: 0)
        #expect(agent.result(fromOutput: bytes) == nil)
        let text = try #require(agent.render(output: bytes, redactor: Redactor()))
        #expect(text.hasPrefix("\u{FFFD}codex banner\n"))
        #expect(text.contains("… a cut-off line of "))
        #expect(text.hasSuffix("✗ no result: the stream ended before the turn completed or failed (Codex exited early or was stopped)\n"))
    }

    @Test("invalid UTF-8 inside an agent message is repaired, not dropped")
    func invalidUTF8() {
        var bytes = Array(#"{"type":"item.completed","item":{"type":"agent_message","text":"caf"#.utf8)
        bytes += [0xC3] + Array(#""}}"#.utf8) + [0x0A]
        bytes += Array(#"{"type":"turn.completed","usage":{}}"#.utf8)
        #expect(agent.result(fromOutput: bytes)?.summary == "caf\u{FFFD}")
    }

    @Test("empty and text-only outputs: no result, not rendered")
    func empty() {
        #expect(agent.result(fromOutput: []) == nil)
        #expect(agent.render(output: [], redactor: Redactor()) == nil)
        #expect(agent.render(output: Array("No prompt provided via stdin.\n".utf8), redactor: Redactor()) == nil)
    }

    @Test("a failed command, a completed item never announced, mcp and web search items")
    func items() throws {
        let stream = """
            {"type":"item.completed","item":{"id":"c1","type":"command_execution","command":"bash -lc 'make test'","aggregated_output":"error: 3 failures\\nline\\n","exit_code":2,"status":"failed"}}
            {"type":"item.started","item":{"id":"m1","type":"mcp_tool_call","server":"github","tool":"search","status":"in_progress"}}
            {"type":"item.completed","item":{"id":"m1","type":"mcp_tool_call","server":"github","tool":"search","status":"failed","error":{"message":"denied"}}}
            {"type":"item.completed","item":{"id":"w1","type":"web_search","query":"swift testing"}}
            {"type":"item.completed","item":{"id":"e1","type":"error","message":"model refused"}}
            {"type":"turn.failed","error":{"message":"boom"}}
            """
        let text = try #require(agent.render(output: Array(stream.utf8), redactor: Redactor()))
        #expect(
            text.split(separator: "\n").map(String.init) == [
                "→ command: bash -lc 'make test'",
                "  ← failed (exit 2): error: 3 failures (+1 line)",
                "→ mcp: github.search",
                "  ← error: denied",
                "→ web search: swift testing",
                "! error: model refused",
                "✗ turn failed: boom",
            ])
    }
}
