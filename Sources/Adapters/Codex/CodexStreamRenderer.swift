import AdapterKit
import Executor

/// Turns `codex exec --json` events into text for `runjob logs`.
///
/// - `session <thread id>` when the thread starts;
/// - agent messages as is; reasoning is left out;
/// - `→ command: <command>` when a command starts, then `  ← exit 0: <first line> (+N lines)`
///   (`  ← failed (exit 2): …`, `declined`) when it ends;
/// - `→ file change: add a.txt, update b.txt` (`(failed)` when the sandbox refused);
/// - `→ mcp: server.tool`, `→ web search: query`, `! error: …` items;
/// - the end: `✓ turn completed · 5 input tokens (0 cached) · 40 output tokens`,
///   `✗ turn failed: …`, `✗ error: …`, or `✗ no result …` when the stream just stops.
///
/// Non-JSON lines are kept as they are; a cut-off JSON line is named, not dumped.
enum CodexStreamRenderer {
    /// The rendered text, or `nil` when `output` has no JSON line at all.
    static func render(_ output: [UInt8], redactor: Redactor) -> String? {
        var ended = false
        var announced: Set<String> = []
        let rendered = StreamLines.render(output, redactor: redactor) { event -> [String] in
            var lines: [String] = []
            switch event["type"]?.stringValue {
            case "thread.started":
                lines.append("session " + (event["thread_id"]?.stringValue ?? "?"))
            case "item.started":
                if let item = event["item"], let line = announcement(item) {
                    lines.append(line)
                    if let id = item["id"]?.stringValue { announced.insert(id) }
                }
            case "item.completed":
                if let item = event["item"] {
                    let id = item["id"]?.stringValue
                    if id.map({ !announced.contains($0) }) ?? true, let line = announcement(item) { lines.append(line) }
                    lines += completion(item)
                }
            case "turn.completed":
                ended = true
                lines.append(usageLine(event["usage"]))
            case "turn.failed":
                ended = true
                lines.append("✗ turn failed: " + LineText.oneLine(event["error"]?["message"]?.stringValue ?? "(no message)", limit: 300))
            case "error":
                ended = true
                lines.append("✗ error: " + LineText.oneLine(event["message"]?.stringValue ?? "(no message)", limit: 300))
            default:
                break
            }
            return lines
        }
        guard var lines = rendered else { return nil }
        if !ended { lines.append("✗ no result: the stream ended before the turn completed or failed (Codex exited early or was stopped)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `→` line of an item that does something (nil for messages and reasoning).
    static func announcement(_ item: JSONValue) -> String? {
        switch item["type"]?.stringValue {
        case "command_execution":
            return "→ command: " + LineText.oneLine(item["command"]?.stringValue ?? "?")
        case "mcp_tool_call":
            return "→ mcp: \(item["server"]?.stringValue ?? "?").\(item["tool"]?.stringValue ?? "?")"
        case "web_search":
            return "→ web search: " + LineText.oneLine(item["query"]?.stringValue ?? "?")
        default:
            return nil
        }
    }

    /// The lines of a finished item.
    static func completion(_ item: JSONValue) -> [String] {
        let status = item["status"]?.stringValue
        switch item["type"]?.stringValue {
        case "agent_message":
            guard let text = item["text"]?.stringValue, !text.isEmpty else { return [] }
            return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        case "command_execution":
            let exit = item["exit_code"]?.intValue
            let (first, more) = LineText.firstLine(item["aggregated_output"]?.stringValue ?? "")
            var line = "  ← "
            if status == "completed" || (status == nil && exit == 0) {
                line += "exit \(exit.map(String.init) ?? "?")"
            } else {
                line += (status ?? "failed") + (exit.map { " (exit \($0))" } ?? "")
            }
            if !first.isEmpty { line += ": " + first }
            if more > 0 { line += " (+\(LineText.count(more, "line")))" }
            return [line]
        case "file_change":
            let changes = (item["changes"]?.arrayValue ?? []).map { change in
                "\(change["kind"]?.stringValue ?? "change") \(change["path"]?.stringValue ?? "?")"
            }
            let failed = status == "failed" ? " (failed)" : ""
            return ["→ file change\(failed): " + (changes.isEmpty ? "(no files)" : changes.joined(separator: ", "))]
        case "mcp_tool_call":
            if status == "failed" {
                return ["  ← error: " + LineText.oneLine(item["error"]?["message"]?.stringValue ?? item["error"]?.stringValue ?? "failed")]
            }
            return []
        case "error":
            return ["! error: " + LineText.oneLine(item["message"]?.stringValue ?? "?", limit: 300)]
        default:
            return []
        }
    }

    /// `✓ turn completed · 5 input tokens (0 cached) · 40 output tokens`.
    static func usageLine(_ usage: JSONValue?) -> String {
        var parts = ["✓ turn completed"]
        if let input = usage?["input_tokens"]?.intValue {
            var part = LineText.count(input, "input token")
            if let cached = usage?["cached_input_tokens"]?.intValue { part += " (\(cached) cached)" }
            parts.append(part)
        }
        if let output = usage?["output_tokens"]?.intValue { parts.append(LineText.count(output, "output token")) }
        return parts.joined(separator: " · ")
    }
}
