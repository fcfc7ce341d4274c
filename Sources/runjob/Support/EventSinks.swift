import Logging
import RunjobKit

/// The event sinks of a run: stdout (JSON lines or human lines), stderr progress
/// (live on a terminal, plain lines otherwise), and runjob's log.
enum EventSinks {
    static func make(output: EventOutput, redactor: Redactor, logger: Logger?) -> any EventSink {
        var sinks: [any EventSink] = []
        switch output {
        case .json:
            sinks.append(JSONLinesSink(redactor: redactor) { Console.out($0) })
            if Console.isTerminal(fileDescriptor: 2) {
                sinks.append(ProgressView(redactor: redactor))
            } else {
                sinks.append(HumanLinesSink(redactor: redactor) { Console.err($0) })
            }
        case .text:
            sinks.append(HumanLinesSink(redactor: redactor) { Console.out($0) })
        }
        if let logger { sinks.append(LoggingSink(logger: logger)) }
        return FanOutSink(sinks)
    }
}

/// Mirrors events into runjob's own log (debug for steps, the event's level for `log`).
struct LoggingSink: EventSink {
    let logger: Logger

    func emit(_ event: RunEvent) {
        switch event.kind {
        case .log(let level, let message, let step):
            let mapped: Logger.Level =
                switch level {
                case .debug: .debug
                case .info: .info
                case .warning: .warning
                case .error: .error
                }
            logger.log(level: mapped, "\(message)", metadata: step.map { ["step": .string($0.description)] })
        case .stepFinished(let finished):
            var metadata: Logger.Metadata = ["step": .string(finished.step.description), "status": .string(finished.status.rawValue)]
            if let error = finished.error {
                metadata["code"] = .string(error.code.rawValue)
                logger.error("step failed: \(error.message)", metadata: metadata)
            } else {
                logger.debug("step finished", metadata: metadata)
            }
        default:
            logger.trace("\(event.type)")
        }
    }
}
