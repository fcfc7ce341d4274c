import Synchronization

/// Receives a run's events. Implementations are safe to call from any task and
/// keep the order of calls.
public protocol EventSink: Sendable {
    /// Handles one event.
    func emit(_ event: RunEvent)
}

/// Sends every event to several sinks, in order.
public struct FanOutSink: EventSink {
    private let sinks: [any EventSink]

    /// A sink that forwards to `sinks`.
    public init(_ sinks: [any EventSink]) {
        self.sinks = sinks
    }

    /// Forwards the event to every sink.
    public func emit(_ event: RunEvent) {
        for sink in sinks { sink.emit(event) }
    }
}

/// Keeps events in memory (tests, the Orchestrator facade).
public final class CollectingSink: EventSink {
    private let storage = Mutex<[RunEvent]>([])

    /// An empty collector.
    public init() {}

    /// Stores the event.
    public func emit(_ event: RunEvent) {
        storage.withLock { $0.append(event) }
    }

    /// Every event so far.
    public var events: [RunEvent] { storage.withLock { $0 } }
}

/// Writes each event as one JSON line through `write` (stdout in the CLI), one call per
/// line, so lines never interleave and are flushed as they happen. The event's string
/// values are redacted before it is serialized (never the serialized line), so a line
/// always parses.
public final class JSONLinesSink: EventSink {
    private let redactor: Redactor
    private let write: @Sendable ([UInt8]) -> Void
    private let lock = Mutex<Void>(())

    /// A sink that redacts with `redactor` and hands each finished line to `write`.
    public init(redactor: Redactor, write: @escaping @Sendable ([UInt8]) -> Void) {
        self.redactor = redactor
        self.write = write
    }

    /// Writes the event's line.
    public func emit(_ event: RunEvent) {
        let writer = JSONWriter()
        writer.write(redactor.redact(event.json))
        var line = writer.bytes
        line.append(UInt8(ascii: "\n"))
        lock.withLock { _ in write(line) }
    }
}
