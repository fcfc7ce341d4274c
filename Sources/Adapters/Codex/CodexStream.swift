import AdapterKit
import Executor

/// Reads the JSON-lines events of `codex exec --json`.
enum CodexStream {
    /// How the stream ended.
    enum Ending: Equatable {
        case completed
        case failed(String?)
        case error(String?)
    }

    /// What a pass over the events found.
    struct Summary: Equatable {
        var thread: String?
        var turnsStarted = 0
        var ending: Ending?
        var lastMessage: String?
        var usage: JSONValue?
    }

    /// The session result, or `nil` without a terminal event.
    ///
    /// The last of `turn.completed`, `turn.failed` and `error` decides: an `error`
    /// followed by a completed turn was a retry (reconnect), not the end.
    static func result(from output: [UInt8]) -> SessionResult? {
        let summary = summarize(output)
        switch summary.ending {
        case nil:
            return nil
        case .completed:
            return SessionResult(
                isError: false, turns: summary.turnsStarted > 0 ? summary.turnsStarted : nil, agentSession: summary.thread,
                summary: summary.lastMessage)
        case .failed(let message), .error(let message):
            return SessionResult(
                isError: true, turns: summary.turnsStarted > 0 ? summary.turnsStarted : nil, agentSession: summary.thread, summary: message)
        }
    }

    /// One forward pass over the events.
    static func summarize(_ output: [UInt8]) -> Summary {
        var summary = Summary()
        for range in StreamLines.ranges(output) where StreamLines.looksLikeJSON(output, range) {
            guard case .json(let event) = StreamLines.classify(output, range) else { continue }
            switch event["type"]?.stringValue {
            case "thread.started": summary.thread = event["thread_id"]?.stringValue ?? summary.thread
            case "turn.started": summary.turnsStarted += 1
            case "turn.completed":
                summary.ending = .completed
                summary.usage = event["usage"]
            case "turn.failed": summary.ending = .failed(event["error"]?["message"]?.stringValue)
            case "error": summary.ending = .error(event["message"]?.stringValue)
            case "item.completed":
                if event["item"]?["type"]?.stringValue == "agent_message", let text = event["item"]?["text"]?.stringValue {
                    summary.lastMessage = text
                }
            default: break
            }
        }
        return summary
    }
}
