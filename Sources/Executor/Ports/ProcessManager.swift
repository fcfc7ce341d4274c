/// Where a process manager works: one instance of a provider, and the run whose
/// files (`~/.runjob/<run>/`) it reads and writes.
public struct ProcessTarget: Sendable {
    /// The provider that reaches the instance.
    public var provider: any VMProvider
    /// The instance id.
    public var instance: String
    /// The instance's home directory.
    public var home: String
    /// The run whose directory holds the session's files.
    public var run: String

    /// Creates a target.
    public init(provider: any VMProvider, instance: String, home: String, run: String) {
        self.provider = provider
        self.instance = instance
        self.home = home
        self.run = run
    }

    /// `~/.runjob` on the instance.
    public var runjobDirectory: String { home + "/.runjob" }
    /// `~/.runjob/<run>` on the instance (mode 0700).
    public var runDirectory: String { runjobDirectory + "/" + run }
}

/// What a process manager knows about one process.
public struct ProcessState: Sendable, Equatable {
    /// Provider-neutral process state.
    public enum Status: String, Sendable, Equatable, Codable {
        /// Started and not yet finished.
        case running
        /// Finished by itself; see ``exitCode``.
        case exited
        /// Stopped by a signal or a stop request (the exit code may be 128+n).
        case stopped
        /// The manager could not start it (bad cwd, missing program).
        case failed
        /// The manager reports a state runjob does not know.
        case unknown
    }

    /// The process name.
    public var name: String
    /// The run that started it.
    public var run: String
    /// Current state.
    public var status: Status
    /// OS pid (of the process group leader for the shell manager), while known.
    public var pid: Int?
    /// The real exit code (128+n after signal n), once finished.
    public var exitCode: Int?

    /// Creates a record.
    public init(name: String, run: String, status: Status, pid: Int? = nil, exitCode: Int? = nil) {
        self.name = name
        self.run = run
        self.status = status
        self.pid = pid
        self.exitCode = exitCode
    }

    /// Whether the process has finished (exited, stopped or failed).
    public var isFinished: Bool { status == .exited || status == .stopped || status == .failed }

    /// Whether it finished with exit code 0.
    public var succeeded: Bool { status == .exited && exitCode == 0 }
}

/// Which output stream of a process.
public enum LogStream: String, Sendable, Equatable, CaseIterable {
    /// Standard output.
    case stdout
    /// Standard error.
    case stderr
}

/// Part of a process's log: bytes from an offset, and where to continue.
public struct LogChunk: Sendable, Equatable {
    /// The bytes (the user's data: redact before showing).
    public var bytes: [UInt8]
    /// The byte offset after these bytes, to continue reading or following.
    public var nextOffset: Int
    /// The offset of the first byte.
    public var start: Int
    /// The log's size when it was read (more may follow while the process runs).
    public var size: Int

    /// Creates a chunk; `start` defaults to where `bytes` must begin, `size` to `nextOffset`.
    public init(bytes: [UInt8], nextOffset: Int, start: Int? = nil, size: Int? = nil) {
        self.bytes = bytes
        self.nextOffset = nextOffset
        self.start = start ?? max(0, nextOffset - bytes.count)
        self.size = size ?? nextOffset
    }

    /// Whether the read stopped before the end of the log as it was.
    public var hasMore: Bool { nextOffset < size }
}

/// What a start does when the session already has a live process on the instance.
public enum ExistingSession: String, Sendable, Equatable {
    /// Keep it and report it (a second apply, a race, an earlier launch whose answer was lost).
    case adopt
    /// Stop it first, then start anew (`--rerun`, changed secrets).
    case replace
}

/// Keeps sessions running on an instance, through the provider's exec only.
///
/// Implementations honour every ``ProcessSpec`` field or throw
/// `process.unsupported`; they keep each session's pid, exit code and logs under
/// the run directory, so a later run (or another machine) can find them.
public protocol ProcessManager: Sendable {
    /// The adapter kind (`shell`, `pm2`).
    var kind: String { get }

    /// Starts `spec` detached from the exec call and returns once it is launched.
    ///
    /// A session has at most one live process per instance: when one of `spec.name`
    /// runs in any run directory of the instance, `ifRunning` says whether to adopt it
    /// (nothing is started; the state returned names its run) or to stop it first.
    /// Launches of one name on one instance take turns. `records` (runjob's intent
    /// records about this start) are in place before the process starts and are not
    /// written when an existing process is adopted.
    func start(_ spec: ProcessSpec, on target: ProcessTarget, records: [FileWrite], ifRunning: ExistingSession) async throws
        -> ProcessState

    /// Stops the process (TERM to its group, KILL after a grace period); succeeds if it already finished.
    func stop(_ name: String, on target: ProcessTarget) async throws

    /// The process's current state, or `nil` when this run has no such process.
    func status(_ name: String, on target: ProcessTarget) async throws -> ProcessState?

    /// Every process the manager knows on the instance (all runs).
    func list(on target: ProcessTarget) async throws -> [ProcessState]

    /// At most `limit` log bytes of `stream`: from `offset` (a negative one counts from the
    /// end), else from where the last `tail` lines begin, else from the start. Read on
    /// with the chunk's `nextOffset` while ``LogChunk/hasMore``.
    func logs(_ name: String, stream: LogStream, on target: ProcessTarget, from offset: Int?, tail: Int?, limit: Int) async throws -> LogChunk

    /// The first at most `limit` bytes of each log in `items` (one chunk each, in order) on
    /// `target`'s instance, in as few round trips as the manager can (`runjob logs` of
    /// every session costs one read, not one per session).
    func logs(of items: [LogBatchItem], on target: ProcessTarget, limit: Int) async throws -> [LogChunk]
}

/// One log in a batch read: a session's stream in one run.
public struct LogBatchItem: Sendable, Equatable {
    /// The process name.
    public var name: String
    /// Which stream.
    public var stream: LogStream
    /// The run whose directory holds it.
    public var run: String

    /// Creates an item.
    public init(name: String, stream: LogStream, run: String) {
        self.name = name
        self.stream = stream
        self.run = run
    }
}

extension ProcessManager {
    /// One read per log: for managers that cannot read many logs in one round trip.
    public func logs(of items: [LogBatchItem], on target: ProcessTarget, limit: Int) async throws -> [LogChunk] {
        var chunks: [LogChunk] = []
        for item in items {
            var itemTarget = target
            itemTarget.run = item.run
            chunks.append(try await logs(item.name, stream: item.stream, on: itemTarget, from: 0, tail: nil, limit: limit))
        }
        return chunks
    }

    /// Bytes one log read returns at most, so logs of any size stream through bounded exec outputs.
    public static var logChunkLimit: Int { 8 << 20 }

    /// Every log byte of `stream` from `offset` (or of the last `tail` lines, or all),
    /// read in bounded chunks and joined.
    public func logs(_ name: String, stream: LogStream, on target: ProcessTarget, from offset: Int?, tail: Int?) async throws -> LogChunk {
        var chunk = try await logs(name, stream: stream, on: target, from: offset, tail: tail, limit: Self.logChunkLimit)
        while chunk.hasMore {
            let next = try await logs(name, stream: stream, on: target, from: chunk.nextOffset, tail: nil, limit: Self.logChunkLimit)
            guard next.nextOffset > chunk.nextOffset else { break }
            chunk.bytes += next.bytes
            chunk.nextOffset = next.nextOffset
            chunk.size = max(chunk.size, next.size)
        }
        return chunk
    }

    /// The end of a session's stdout (at most `bytes`, from a line boundary when the cut
    /// falls inside the log): where an agent's final result is.
    public func outputTail(_ name: String, on target: ProcessTarget, bytes: Int = 4 << 20) async throws -> [UInt8] {
        let chunk = try await logs(name, stream: .stdout, on: target, from: -bytes, tail: nil, limit: bytes)
        guard chunk.start > 0, let newline = chunk.bytes.firstIndex(of: UInt8(ascii: "\n")) else { return chunk.bytes }
        return Array(chunk.bytes[(newline + 1)...])
    }
}

extension ProcessManager {
    /// Polls ``status(_:on:)`` until the process finished, every `interval`, for at most `timeout`.
    public func wait(
        for name: String, on target: ProcessTarget, interval: Duration = .seconds(1), timeout: Duration? = nil
    ) async throws -> ProcessState {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        while true {
            try Task.checkCancellation()
            guard let info = try await status(name, on: target) else {
                throw ProcessError(
                    ErrorCode.Process.notFound, "no process `\(name)` in run \(target.run) on the instance",
                    context: [.init("instance", target.instance), .init("process", name)])
            }
            if info.isFinished { return info }
            if let deadline, clock.now >= deadline {
                throw ProcessError(
                    ErrorCode.Process.waitTimeout, "`\(name)` did not finish in time",
                    context: [.init("instance", target.instance), .init("process", name)])
            }
            try await Task.sleep(for: interval)
        }
    }
}

extension ProcessManager {
    /// Starts `spec` without records, adopting a live process of the same name.
    public func start(_ spec: ProcessSpec, on target: ProcessTarget) async throws -> ProcessState {
        try await start(spec, on: target, records: [], ifRunning: .adopt)
    }

    /// Starts `spec` with `records`, adopting a live process of the same name.
    public func start(_ spec: ProcessSpec, on target: ProcessTarget, records: [FileWrite]) async throws -> ProcessState {
        try await start(spec, on: target, records: records, ifRunning: .adopt)
    }
}
