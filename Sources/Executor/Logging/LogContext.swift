import Logging

/// Where the work that logs is: the run, step and machine, carried by the task that
/// does it (so an adapter deep inside a step logs with the step's metadata without
/// being handed it). Loggers made by ``RedactingLogHandler/logger(label:level:redactor:write:)``
/// add these to every record.
public enum LogContext {
    /// The run's id (set by the engine and the facades for the whole run).
    @TaskLocal public static var run: String?
    /// The step being executed (`boot:main`, `start:review`).
    @TaskLocal public static var step: String?
    /// The machine the step is about.
    @TaskLocal public static var machine: String?

    /// The metadata of the current task: `run`, `step`, `machine` when set.
    public static var metadata: Logger.Metadata {
        var result: Logger.Metadata = [:]
        if let run { result["run"] = .string(run) }
        if let step { result["step"] = .string(step) }
        if let machine { result["machine"] = .string(machine) }
        return result
    }

    /// A metadata provider reading the current task's context.
    public static let provider = Logger.MetadataProvider { metadata }

    /// Runs `body` with `step` (and its machine) as the current step.
    public static func inStep<T: Sendable>(_ step: String, machine: String?, _ body: () async throws -> T) async rethrows -> T {
        try await $step.withValue(step) {
            try await $machine.withValue(machine) { try await body() }
        }
    }
}

extension Logger {
    /// A child logger: records carry `component` (dotted after the parent's, as a prefix
    /// after the label: `runjob.morph: …`) and `metadata` on top of the parent's.
    public func child(_ component: String, metadata: Logger.Metadata = [:]) -> Logger {
        var child = self
        if case .string(let parent)? = self[metadataKey: LogComponent.key] {
            child[metadataKey: LogComponent.key] = .string(parent + "." + component)
        } else {
            child[metadataKey: LogComponent.key] = .string(component)
        }
        for (key, value) in metadata { child[metadataKey: key] = value }
        return child
    }

    /// A logger that writes nothing (the default for library callers that pass none).
    public static let silent = Logger(label: "runjob", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// The metadata key of a child logger's prefix.
public enum LogComponent {
    /// `component`: shown after the handler's label, not as a field.
    public static let key = "component"
}
