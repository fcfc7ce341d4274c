import Logging

/// A provider that logs every call it passes on to `base`: at `debug` each call with
/// its instance, each remote command as data (label, argv or the script's size and
/// first line, cwd, whether it only reads), its exit status and duration; at `trace`
/// the whole script and both output streams. Values are logged as they are: the
/// logger's handler redacts (``RedactingLogHandler``). Behaves exactly like `base`.
public struct LoggedProvider: VMProvider {
    /// The provider doing the work.
    public let base: any VMProvider
    private let logger: Logger

    /// `base`, logging through a `provider.<kind>` child of `logger`.
    public init(_ base: any VMProvider, logger: Logger) {
        self.base = base
        self.logger = logger.child("provider", metadata: ["provider": .string(base.kind)])
    }

    /// The base provider's kind.
    public var kind: String { base.kind }
    /// The base provider's lease scope.
    public var leaseScope: String { base.leaseScope }

    /// Closes the base provider.
    public func release() async { await base.release() }

    /// Boots through the base provider, logging the outcome.
    public func boot(_ request: BootRequest) async throws -> Instance {
        try await logged("boot", instance: nil, detail: ["machine": .string(request.machine.name)]) {
            try await base.boot(request)
        } outcome: { ["instance": .string($0.id)] }
    }

    /// Looks an instance up through the base provider.
    public func get(_ id: String) async throws -> Instance? {
        try await logged("get", instance: id) { try await base.get(id) } outcome: { ["found": .stringConvertible($0 != nil)] }
    }

    /// Lists instances through the base provider.
    public func list(labels: [String: String]) async throws -> [Instance] {
        let described = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return try await logged("list", instance: nil, detail: ["labels": .string(described)]) {
            try await base.list(labels: labels)
        } outcome: { ["count": .stringConvertible($0.count)] }
    }

    /// Destroys through the base provider.
    public func destroy(_ id: String) async throws {
        try await logged("destroy", instance: id) { try await base.destroy(id) } outcome: { _ in [:] }
    }

    /// Runs a command through the base provider, logging it as data and its exit status.
    public func exec(_ id: String, _ command: CommandSpec, stdin: [UInt8]?) async throws -> ExecResult {
        var detail = Self.describe(command)
        if let stdin { detail["stdin_bytes"] = .stringConvertible(stdin.count) }
        if logger.logLevel <= .trace, case .shell(let script) = command.program {
            logger.trace("exec script", metadata: ["instance": .string(id), "script": .string(script)])
        }
        return try await logged("exec", instance: id, detail: detail) {
            try await base.exec(id, command, stdin: stdin)
        } outcome: { result in
            if logger.logLevel <= .trace {
                logger.trace(
                    "exec output", metadata: ["instance": .string(id), "stdout": .string(result.stdoutText), "stderr": .string(result.stderrText)])
            }
            return ["exit": .stringConvertible(result.exitCode), "stdout_bytes": .stringConvertible(result.stdout.count)]
        }
    }

    /// Writes a file batch through the base provider, logging its paths and sizes (never contents).
    public func writeFiles(_ id: String, _ batch: FileBatch) async throws {
        let files = batch.files.map(\.debugSummary).joined(separator: "; ")
        try await logged("write_files", instance: id, detail: ["batch": .string(batch.label), "files": .string(files)]) {
            try await base.writeFiles(id, batch)
        } outcome: { _ in [:] }
    }

    /// Reads a file through the base provider, logging its size (never its contents).
    public func readFile(_ id: String, path: String) async throws -> [UInt8]? {
        try await logged("read_file", instance: id, detail: ["path": .string(path)]) {
            try await base.readFile(id, path: path)
        } outcome: { ["bytes": .string($0.map { String($0.count) } ?? "absent")] }
    }

    /// Adds labels through the base provider, logging their keys.
    public func addLabels(_ id: String, _ labels: [String: String]) async throws {
        try await logged("add_labels", instance: id, detail: ["keys": .string(labels.keys.sorted().joined(separator: ","))]) {
            try await base.addLabels(id, labels)
        } outcome: { _ in [:] }
    }

    /// Makes an instance ready through the base provider.
    public func makeReady(_ instance: Instance) async throws -> Instance {
        try await logged("make_ready", instance: instance.id, detail: ["status": .string(instance.status.rawValue)]) {
            try await base.makeReady(instance)
        } outcome: { ["status": .string($0.status.rawValue)] }
    }

    /// A command as log metadata: its label, argv (quoted) or script size and first line, cwd, env names.
    static func describe(_ command: CommandSpec) -> Logger.Metadata {
        var detail: Logger.Metadata = ["read_only": .stringConvertible(command.readOnly)]
        if let label = command.label { detail["label"] = .string(label) }
        switch command.program {
        case .argv(let words):
            detail["argv"] = .string(ShellQuoting.join(words))
        case .shell(let script):
            let first = script.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
            detail["script"] = .string("\(script.utf8.count) bytes, \(script.split(separator: "\n").count) lines, first: \(LineText.clip(first, limit: 80))")
        }
        if let cwd = command.cwd { detail["cwd"] = .string(cwd) }
        if !command.env.isEmpty { detail["env"] = .string(command.env.map(\.name).joined(separator: ",")) }
        return detail
    }

    private func logged<T>(
        _ call: String, instance: String?, detail: Logger.Metadata = [:], _ body: () async throws -> T,
        outcome: (T) -> Logger.Metadata
    ) async throws -> T {
        guard logger.logLevel <= .debug else { return try await body() }
        let clock = ContinuousClock()
        let begin = clock.now
        var metadata = detail
        if let instance { metadata["instance"] = .string(instance) }
        do {
            let value = try await body()
            for (key, field) in outcome(value) { metadata[key] = field }
            metadata["ms"] = .stringConvertible(milliseconds(since: begin, clock: clock))
            logger.debug("\(call)", metadata: metadata)
            return value
        } catch {
            metadata["ms"] = .stringConvertible(milliseconds(since: begin, clock: clock))
            metadata["error"] = .string((error as? any RunjobError).map { "\($0.code): \($0.message)" } ?? String(describing: error))
            logger.debug("\(call) failed", metadata: metadata)
            throw error
        }
    }
}
