import Logging
import Synchronization

/// A swift-log handler bound to one run's ``Redactor``: every message and metadata
/// value is redacted before it is written, one line per record, through `write`.
public struct RedactingLogHandler: LogHandler {
    /// The minimum level written.
    public var logLevel: Logger.Level
    /// Metadata added to every record.
    public var metadata: Logger.Metadata = [:]
    /// Metadata read at each record (the task's ``LogContext``).
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let redactor: Redactor
    private let write: @Sendable (String) -> Void

    /// A handler writing lines at `level` and above through `write`.
    public init(
        label: String, level: Logger.Level, redactor: Redactor, metadataProvider: Logger.MetadataProvider? = LogContext.provider,
        write: @escaping @Sendable (String) -> Void
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.logLevel = level
        self.redactor = redactor
        self.write = write
    }

    /// A logger with this handler (no global bootstrap: loggers are made per run); every
    /// record carries the task's ``LogContext`` (run, step, machine).
    public static func logger(label: String, level: Logger.Level, redactor: Redactor, write: @escaping @Sendable (String) -> Void) -> Logger {
        Logger(label: label) { label in RedactingLogHandler(label: label, level: level, redactor: redactor, write: write) }
    }

    /// Metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one redacted line: `TIME LEVEL label[.component]: message key=value…`.
    public func log(event: LogEvent) {
        var merged = metadataProvider?.get() ?? [:]
        for (key, value) in metadata { merged[key] = value }
        for (key, value) in event.metadata ?? [:] { merged[key] = value }
        var prefix = label
        if let component = merged.removeValue(forKey: LogComponent.key) { prefix += ".\(component)" }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(RunClock.timestamp()) \(event.level) \(prefix): \(event.message)" + (fields.isEmpty ? "" : " " + fields)
        write(redactor.redact(line) + "\n")
    }
}
