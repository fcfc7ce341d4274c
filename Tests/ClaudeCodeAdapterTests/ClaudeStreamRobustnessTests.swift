import ClaudeCodeAdapter
import Executor
import Testing

/// Result parsing and rendering on damaged or unusual streams (built around real fake output).
@Suite("Claude Code stream robustness")
struct ClaudeStreamRobustnessTests {
    let agent = ClaudeCodeAgent()

    @Test("invalid UTF-8 inside the result line: the line is repaired (U+FFFD), not dropped")
    func invalidUTF8() async throws {
        let run = try await runFakeClaude(prompt: "fake-claude: success")
        var bytes = run.stdout
        let needle = Array("\"result\":\"Done.".utf8)
        let at = try #require(firstIndex(of: needle, in: bytes))
        bytes.insert(contentsOf: [0xFF, 0xC3], at: at + needle.count - 1)  // before the dot: a bad byte and a lone lead byte
        let result = try #require(agent.result(fromOutput: bytes))
        #expect(result.isError == false)
        #expect(result.turns == 2)
        #expect(result.summary?.hasPrefix("Done\u{FFFD}\u{FFFD}.") == true)
        #expect(agent.render(output: bytes, redactor: Redactor())?.hasSuffix("✓ ok · 2 turns · $0.0020 · 2.3s\n") == true)
    }

    @Test("banners and warnings around the stream are kept as text and never mistaken for the result")
    func banners() async throws {
        let run = try await runFakeClaude(prompt: "fake-claude: success")
        let bytes = Array("Welcome to the VM!\r\n\n".utf8) + run.stdout + Array("[warn] deprecated model\nnot json {\"type\":\"result\"}\n".utf8)
        let result = try #require(agent.result(fromOutput: bytes))
        #expect(result.turns == 2)
        let lines = try #require(agent.render(output: bytes, redactor: Redactor())).split(separator: "\n").map(String.init)
        #expect(lines.first == "Welcome to the VM!")
        #expect(lines.last == "not json {\"type\":\"result\"}")
        #expect(lines.contains("✓ ok · 2 turns · $0.0020 · 2.3s"))
    }

    @Test("CRLF line endings and a last line without newline still parse")
    func lineEndings() async throws {
        let run = try await runFakeClaude(prompt: "fake-claude: max_turns")
        var crlf: [UInt8] = []
        for byte in run.stdout { if byte == 0x0A { crlf += [0x0D, 0x0A] } else { crlf.append(byte) } }
        crlf.removeLast(2)
        let result = try #require(agent.result(fromOutput: crlf))
        #expect(result.turns == 4)
        #expect(result.isError)
    }

    @Test("a cut-off line after the result does not hide it; the last of several results wins")
    func afterTheResult() async throws {
        let first = try await runFakeClaude(prompt: "fake-claude: auth_error")
        let second = try await runFakeClaude(prompt: "fake-claude: success")
        let bytes = first.stdout + second.stdout + Array("{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"te".utf8)
        let result = try #require(agent.result(fromOutput: bytes))
        #expect(result.isError == false)
        #expect(result.turns == 2)
    }

    @Test("--output-format json, as one object and (with --verbose) as an array of messages")
    func jsonFormats() throws {
        let object =
            #"{"type":"result","subtype":"success","is_error":false,"duration_ms":10,"num_turns":1,"result":"hi","session_id":"s1","total_cost_usd":0.5}"#
        #expect(
            agent.result(fromOutput: Array(object.utf8))
                == SessionResult(isError: false, costUSD: 0.5, turns: 1, durationMilliseconds: 10, agentSession: "s1", summary: "hi"))
        let array = "[{\"type\":\"system\",\"subtype\":\"init\"}," + object + "]\n"
        #expect(agent.result(fromOutput: Array(array.utf8))?.agentSession == "s1")
    }

    @Test("a result without is_error falls back on its subtype; missing numbers stay nil")
    func sparseResult() {
        let line = #"{"type":"result","subtype":"error_during_execution","session_id":"s2"}"#
        #expect(agent.result(fromOutput: Array(line.utf8)) == SessionResult(isError: true, agentSession: "s2"))
        let text = agent.render(output: Array(line.utf8), redactor: Redactor())
        #expect(text == "✗ error (error_during_execution)\n")
    }

    @Test("nothing, only text, or only broken JSON: no result; text-only output is not rendered")
    func noStream() {
        #expect(agent.result(fromOutput: []) == nil)
        #expect(agent.render(output: [], redactor: Redactor()) == nil)
        let text = Array("Error: Input must be provided either through stdin or as a prompt argument when using --print\n".utf8)
        #expect(agent.result(fromOutput: text) == nil)
        #expect(agent.render(output: text, redactor: Redactor()) == nil)
        #expect(agent.result(fromOutput: Array("{\"type\":\"result\",\"is_er".utf8)) == nil)
        #expect(agent.result(fromOutput: [0xFF, 0xFE, 0x0A, 0x7B, 0x0A]) == nil)
    }

    @Test("a multi-megabyte stream with long lines is read quickly")
    func large() async throws {
        let run = try await runFakeClaude(prompt: "fake-claude: long_line")
        let lines = run.stdout.split(separator: 0x0A)
        let longLine = try #require(lines.first { $0.count > 100 * 1024 })
        var bytes: [UInt8] = []
        for _ in 0..<40 { bytes += longLine + [0x0A] }
        bytes += run.stdout
        let clock = ContinuousClock()
        let start = clock.now
        #expect(agent.result(fromOutput: bytes)?.turns == 1)
        #expect(agent.render(output: bytes, redactor: Redactor()) != nil)
        #expect(clock.now - start < .seconds(20))
    }

    @Test("sub-agent output is indented; thinking is left out; unknown events are skipped")
    func shapes() throws {
        let stream = [
            #"{"type":"system","subtype":"hook_started","session_id":"s"}"#,
            #"{"type":"assistant","message":{"content":[{"type":"thinking","thinking":"secret plan"}]},"parent_tool_use_id":null}"#,
            #"{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t1","name":"Task","input":{"description":"Explore the repo","prompt":"…"}}]},"parent_tool_use_id":null}"#,
            #"{"type":"assistant","message":{"content":[{"type":"tool_use","id":"t2","name":"Read","input":{"file_path":"/srv/a.swift"}}]},"parent_tool_use_id":"t1"}"#,
            #"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t2","content":[{"type":"text","text":"line 1\nline 2\nline 3"}]}]},"parent_tool_use_id":"t1"}"#,
            #"{"type":"future_event","x":1}"#,
            #"{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","rateLimitType":"five_hour","resetsAt":1795665600}}"#,
            #"{"type":"system","subtype":"compact_boundary"}"#,
        ].joined(separator: "\n")
        let text = try #require(agent.render(output: Array(stream.utf8), redactor: Redactor()))
        #expect(
            text.split(separator: "\n").map(String.init) == [
                "→ Task: Explore the repo",
                "  │ → Read: /srv/a.swift",
                "  │   ← line 1 (+2 lines)",
                "! rate limit rejected (five_hour), resets at epoch 1795665600",
                "— context compacted —",
                "✗ no result: the stream ended before Claude Code reported one (it exited early, crashed or was stopped)",
            ])
    }
}

/// The first index of `needle` in `haystack`.
func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
    return nil
}
