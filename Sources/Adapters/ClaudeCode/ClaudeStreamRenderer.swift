import AdapterKit
import Executor

/// Turns Claude Code's stream-json into text for `runjob logs`.
///
/// - `system`/`init`: one `session <id> · <model> · cwd <dir> · permissions <mode>` line,
///   and a `!` line when an API key (not the installed login) is in use;
/// - assistant text as is; `→ Tool: what` per tool call (command, file, pattern, …);
///   `! error: …` for an assistant error (`authentication_failed`);
/// - one `  ← …` line per tool result (first line, `(+N lines)`), `  ← error: …` when it failed;
/// - `! rate limit …` when a limit is hit; `— context compacted —`;
/// - the result: `✓ ok · 2 turns · $0.0021 · 2.3s` or
///   `✗ error (error_max_turns) · 4 turns · $0.0023 · 4.3s — Reached maximum number of turns (3)`;
/// - without a result: a last `✗ no result …` line.
///
/// Sub-agent output (a non-null `parent_tool_use_id`) is indented with `  │ `.
/// Non-JSON lines are kept as they are; a cut-off JSON line is named, not dumped.
enum ClaudeStreamRenderer {
    /// The rendered text, or `nil` when `output` has no stream-json line at all.
    static func render(_ output: [UInt8], redactor: Redactor) -> String? {
        var sawResult = false
        let rendered = StreamLines.render(output, redactor: redactor) { event in
            if event["type"]?.stringValue == "result" { sawResult = true }
            return render(event: event)
        }
        guard var lines = rendered else { return nil }
        if !sawResult {
            lines.append("✗ no result: the stream ended before Claude Code reported one (it exited early, crashed or was stopped)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The lines of one event (none for events not worth showing).
    static func render(event: JSONValue) -> [String] {
        switch event["type"]?.stringValue {
        case "system": return system(event)
        case "assistant": return assistant(event)
        case "user": return user(event)
        case "rate_limit_event": return rateLimit(event)
        case "result": return [result(event)]
        default: return []
        }
    }

    private static func system(_ event: JSONValue) -> [String] {
        switch event["subtype"]?.stringValue {
        case "init":
            var parts = ["session " + (event["session_id"]?.stringValue ?? "?")]
            if let model = event["model"]?.stringValue { parts.append(model) }
            if let cwd = event["cwd"]?.stringValue { parts.append("cwd " + cwd) }
            if let mode = event["permissionMode"]?.stringValue { parts.append("permissions " + mode) }
            var lines = [parts.joined(separator: " · ")]
            if let source = event["apiKeySource"]?.stringValue, source != "none" {
                lines.append("! authenticated with \(source), not the installed login")
            }
            return lines
        case "compact_boundary":
            return ["— context compacted —"]
        default:
            return []
        }
    }

    private static func assistant(_ event: JSONValue) -> [String] {
        let indent = isSubAgent(event) ? "  │ " : ""
        var lines: [String] = []
        for block in event["message"]?["content"]?.arrayValue ?? [] {
            switch block["type"]?.stringValue {
            case "text":
                if let text = block["text"]?.stringValue, !text.isEmpty {
                    lines += text.split(separator: "\n", omittingEmptySubsequences: false).map { indent + $0 }
                }
            case "tool_use", "server_tool_use":
                let name = block["name"]?.stringValue ?? "tool"
                let what = toolSummary(name: name, input: block["input"])
                lines.append(indent + "→ " + name + (what.isEmpty ? "" : ": " + what))
            default:
                break
            }
        }
        if let error = event["error"]?.stringValue { lines.append(indent + "! error: " + error) }
        return lines
    }

    private static func user(_ event: JSONValue) -> [String] {
        let indent = isSubAgent(event) ? "  │ " : ""
        return (event["message"]?["content"]?.arrayValue ?? []).compactMap { block -> String? in
            guard block["type"]?.stringValue == "tool_result" else { return nil }
            let (first, more) = LineText.firstLine(resultText(block["content"]))
            let failed = block["is_error"]?.boolValue ?? false
            var line = indent + "  ← " + (failed ? "error: " : "") + (first.isEmpty ? "(no output)" : first)
            if more > 0 { line += " (+\(LineText.count(more, "line")))" }
            return line
        }
    }

    private static func rateLimit(_ event: JSONValue) -> [String] {
        let info = event["rate_limit_info"]
        guard let status = info?["status"]?.stringValue, status != "allowed" else { return [] }
        var line = "! rate limit " + status
        if let kind = info?["rateLimitType"]?.stringValue { line += " (\(kind))" }
        if let resets = info?["resetsAt"]?.intValue { line += ", resets at epoch \(resets)" }
        return [line]
    }

    /// The final line for a `result` event.
    static func result(_ event: JSONValue) -> String {
        let outcome = ClaudeStream.sessionResult(event)
        var parts: [String] = []
        if outcome.isError {
            let subtype = event["subtype"]?.stringValue
            parts.append("✗ error" + (subtype.map { $0 == "success" ? "" : " (\($0))" } ?? ""))
        } else {
            parts.append("✓ ok")
        }
        if let turns = outcome.turns { parts.append(LineText.count(turns, "turn")) }
        if let cost = outcome.costUSD { parts.append(LineText.dollars(cost)) }
        if let milliseconds = outcome.durationMilliseconds { parts.append(LineText.seconds(milliseconds: milliseconds)) }
        var line = parts.joined(separator: " · ")
        if outcome.isError, let summary = outcome.summary { line += " — " + LineText.oneLine(summary, limit: 300) }
        return line
    }

    /// What a tool call is about, on one line: the command, file, pattern, URL or query.
    static func toolSummary(name: String, input: JSONValue?) -> String {
        guard let input else { return "" }
        for key in ["command", "file_path", "notebook_path", "path", "pattern", "url", "query", "description", "prompt"] {
            if let value = input[key]?.stringValue, !value.isEmpty { return LineText.oneLine(value) }
        }
        if let todos = input["todos"]?.arrayValue { return LineText.count(todos.count, "item") }
        guard let members = input.objectValue, !members.isEmpty else { return "" }
        return LineText.oneLine(input.compactText)
    }

    /// The text of a tool result: a string, or the text blocks of a content array.
    private static func resultText(_ content: JSONValue?) -> String {
        if let text = content?.stringValue { return text }
        let texts = (content?.arrayValue ?? []).compactMap { block -> String? in
            if let text = block["text"]?.stringValue { return text }
            if let type = block["type"]?.stringValue { return "[\(type)]" }
            return nil
        }
        return texts.joined(separator: "\n")
    }

    private static func isSubAgent(_ event: JSONValue) -> Bool {
        if let parent = event["parent_tool_use_id"], parent != .null { return true }
        return false
    }
}
