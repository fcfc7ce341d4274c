import Synchronization

/// Renders events as lines for people: `--output text` on stdout, and the plain
/// progress lines on stderr when it is not a terminal.
public enum HumanEventLines {
    /// The line for `event`, or `nil` for events not worth a line (step starts).
    public static func line(for event: RunEvent, startedAt: Int64) -> String? {
        let elapsed = Double(max(0, event.milliseconds - startedAt)) / 1000
        let stamp = "[+" + formatSeconds(elapsed) + "]"
        switch event.kind {
        case .runStarted(let started):
            return "\(stamp) run \(event.run): \(started.name) (workspace \(started.workspace), provider \(started.provider), \(started.steps) steps)"
        case .stepStarted:
            return nil
        case .stepFinished(let finished):
            var text = "\(stamp) \(finished.step) \(finished.status.rawValue)"
            if finished.status == .ok || finished.status == .failed { text += " (\(finished.milliseconds) ms)" }
            let details = finished.data.compactMap { member -> String? in
                switch member.value {
                case .string(let value): "\(member.key)=\(value)"
                case .int(let value): "\(member.key)=\(value)"
                case .bool(true): member.key
                default: nil
                }
            }
            if !details.isEmpty { text += " " + details.joined(separator: " ") }
            if let error = finished.error { text += ": \(error.code): \(error.message)" }
            if let reason = finished.reason { text += ": \(reason)" }
            return text
        case .sessionFinished(let finished):
            var text = "\(stamp) session \(finished.session) \(finished.ok ? "finished" : "failed")"
            if let code = finished.exitCode { text += " (exit \(code))" }
            if let result = finished.result {
                var parts: [String] = []
                if let turns = result.turns { parts.append("\(turns) turns") }
                if let cost = result.costUSD { parts.append("$\(formatCost(cost))") }
                if result.isError { parts.append("agent reported an error") }
                if !parts.isEmpty { text += " — " + parts.joined(separator: ", ") }
            }
            return text
        case .runInterrupted(let interrupted):
            let left =
                interrupted.leftovers.isEmpty
                ? "nothing left behind" : "left: " + interrupted.leftovers.map { "\($0.machine)=\($0.instance)" }.joined(separator: ", ")
            return "\(stamp) interrupted (\(interrupted.signal)); \(left); to remove: \(interrupted.destroyCommand)"
        case .runFinished(let finished):
            let counts = StepStatus.allCases.compactMap { status in finished.counts[status].flatMap { $0 > 0 ? "\($0) \(status.rawValue)" : nil } }
            let optional =
                finished.optionalFailed.isEmpty
                ? ""
                : "; warning: optional \(finished.optionalFailed.map(\.description).joined(separator: ", ")) failed, its sessions started without its outputs"
            return
                "\(stamp) run \(finished.status.rawValue) in \(formatSeconds(Double(finished.milliseconds) / 1000))s (\(counts.isEmpty ? "no step ran" : counts.joined(separator: ", ")))\(optional)"
        case .log(let level, let message, let step):
            return "\(stamp) \(level.rawValue): \(step.map { "\($0): " } ?? "")\(message)"
        }
    }

    static func formatSeconds(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func formatCost(_ cost: Double) -> String {
        let cents = Int((cost * 10_000).rounded())
        let whole = cents / 10_000
        let fraction = String(cents % 10_000)
        return "\(whole)." + String(repeating: "0", count: 4 - fraction.count) + fraction
    }
}

/// Writes human lines for events through `write`, redacted (for `--output text`
/// and for stderr when it is not a terminal).
public final class HumanLinesSink: EventSink {
    private let redactor: Redactor
    private let write: @Sendable (String) -> Void
    private let startedAt = Mutex<Int64?>(nil)

    /// A sink writing redacted lines through `write`.
    public init(redactor: Redactor, write: @escaping @Sendable (String) -> Void) {
        self.redactor = redactor
        self.write = write
    }

    /// Writes the event's line, if it has one.
    public func emit(_ event: RunEvent) {
        let start = startedAt.withLock { value -> Int64 in
            if let value { return value }
            value = event.milliseconds
            return event.milliseconds
        }
        guard let line = HumanEventLines.line(for: event, startedAt: start) else { return }
        write(redactor.redact(line) + "\n")
    }
}
