import Executor
import Synchronization

/// Wraps a provider and counts its calls, telling mutating calls (boot, destroy,
/// file writes, non-read-only exec) from reads. File batches go through this
/// wrapper's own exec, so a batch counts as exactly one exec, labelled.
public final class CountingProvider: VMProvider {
    /// One recorded call.
    public struct Call: Sendable, Equatable {
        /// `boot`, `get`, `list`, `destroy`, `exec`, `readFile`.
        public var operation: String
        /// The command's label for exec.
        public var label: String?
        /// Whether the call can change an instance.
        public var mutating: Bool
    }

    private let inner: any VMProvider
    private let calls = Mutex<[Call]>([])

    /// A counter around `inner`.
    public init(_ inner: any VMProvider) {
        self.inner = inner
    }

    /// The kind of the wrapped provider.
    public var kind: String { inner.kind }

    /// Every call so far.
    public var recorded: [Call] { calls.withLock { $0 } }

    /// Calls that can change an instance.
    public var mutatingCalls: [Call] { recorded.filter(\.mutating) }

    /// Forgets the calls so far.
    public func reset() { calls.withLock { $0 = [] } }

    private func record(_ operation: String, label: String? = nil, mutating: Bool) {
        calls.withLock { $0.append(Call(operation: operation, label: label, mutating: mutating)) }
    }

    public func boot(_ request: BootRequest) async throws -> Instance {
        record("boot", mutating: true)
        return try await inner.boot(request)
    }

    public func get(_ id: String) async throws -> Instance? {
        record("get", mutating: false)
        return try await inner.get(id)
    }

    public func list(labels: [String: String]) async throws -> [Instance] {
        record("list", mutating: false)
        return try await inner.list(labels: labels)
    }

    public func destroy(_ id: String) async throws {
        record("destroy", mutating: true)
        try await inner.destroy(id)
    }

    public func exec(_ id: String, _ command: CommandSpec, stdin: [UInt8]?) async throws -> ExecResult {
        record("exec", label: command.label, mutating: !command.readOnly)
        return try await inner.exec(id, command, stdin: stdin)
    }

    public func writeFiles(_ id: String, _ batch: FileBatch) async throws {
        try await execFileBatch(id, batch)
    }

    public func readFile(_ id: String, path: String) async throws -> [UInt8]? {
        record("readFile", mutating: false)
        return try await inner.readFile(id, path: path)
    }

    /// Counts and forwards (a mutating call).
    public func addLabels(_ id: String, _ labels: [String: String]) async throws {
        record("addLabels", mutating: true)
        try await inner.addLabels(id, labels)
    }

    /// Closes the inner provider.
    public func release() async { await inner.release() }
}
