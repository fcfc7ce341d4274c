import AdapterKit
import Executor

/// Reads Claude Code's stream-json output (and, for robustness, `--output-format json`
/// in both shapes: one result object, or an array of messages with the result last).
enum ClaudeStream {
    /// The session result from the last `result` event, or `nil` when there is none.
    ///
    /// Scans lines from the end, so only the tail is parsed in the usual case;
    /// banners, broken and unknown lines are skipped.
    static func result(from output: [UInt8]) -> SessionResult? {
        for range in StreamLines.ranges(output).reversed() where StreamLines.looksLikeJSON(output, range) {
            guard case .json(let value) = StreamLines.classify(output, range) else { continue }
            if let event = lastResultEvent(in: value) { return sessionResult(event) }
        }
        return nil
    }

    /// The `result` event itself, or the last one inside an array of messages.
    private static func lastResultEvent(in value: JSONValue) -> JSONValue? {
        if value["type"]?.stringValue == "result" { return value }
        return value.arrayValue?.last { $0["type"]?.stringValue == "result" }
    }

    /// A `result` event as a ``SessionResult``.
    static func sessionResult(_ event: JSONValue) -> SessionResult {
        let subtype = event["subtype"]?.stringValue
        let isError = event["is_error"]?.boolValue ?? (subtype.map { $0 != "success" } ?? true)
        return SessionResult(
            isError: isError, costUSD: event["total_cost_usd"]?.doubleValue, turns: event["num_turns"]?.intValue,
            durationMilliseconds: event["duration_ms"]?.intValue, agentSession: event["session_id"]?.stringValue,
            summary: summary(event))
    }

    /// The final text; else the error strings (`Reached maximum number of turns (3)`); else nil.
    static func summary(_ event: JSONValue) -> String? {
        if let text = event["result"]?.stringValue, !text.trimmingASCIIWhitespace().isEmpty { return text }
        let errors = (event["errors"]?.arrayValue ?? []).compactMap(\.stringValue).filter { !$0.isEmpty }
        return errors.isEmpty ? nil : errors.joined(separator: "; ")
    }
}
