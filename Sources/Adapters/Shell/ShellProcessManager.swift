import AdapterKit
import Executor

/// Keeps sessions running as detached process groups, through the provider's
/// exec only, so it works unchanged on any provider.
///
/// Per session it writes into `~/.runjob/<run>/` (mode 0700): `<name>.sh` (the
/// wrapper), `<name>.cmd` (the program), `<name>.env` (0600, secret env),
/// input files, then `<name>.pid`, `<name>.out`, `<name>.err` and `<name>.exit`
/// (the real exit code, 128+n after signal n). `setsid` makes the wrapper the
/// leader of a new process group, which `stop` signals as a whole.
public struct ShellProcessManager: ProcessManager {
    /// `shell`.
    public let kind = "shell"
    /// Time between TERM and KILL when stopping.
    public let stopGrace: Duration

    /// A manager with the given grace period.
    public init(stopGrace: Duration = .seconds(10)) {
        self.stopGrace = stopGrace
    }

    /// A manager from the manifest's `process_manager` options.
    public init(options: AdapterOptions) {
        self.init(stopGrace: .milliseconds(options.durationMilliseconds("stop_grace") ?? 10_000))
    }


    // MARK: start

    /// Writes the session's files and launches its wrapper in one exec (after
    /// ``SessionLaunch``'s lock, live search and intent records); returns once the
    /// wrapper reported its pid, or the live process it adopted.
    public func start(_ spec: ProcessSpec, on target: ProcessTarget, records: [FileWrite], ifRunning: ExistingSession) async throws
        -> ProcessState
    {
        guard spec.restart == .never else {
            throw ProcessError(
                ErrorCode.Process.unsupported, "the shell process manager does not restart sessions; use `process_manager: pm2` for restarts",
                context: [.init("process", spec.name)])
        }
        let files = try SessionWrapper(spec: spec, target: target, output: .files)
        let batch = FileBatch(
            label: "start:\(spec.name)", directories: [(target.runjobDirectory, .ownerOnlyDirectory), (target.runDirectory, .ownerOnlyDirectory)],
            files: files.writes)
        // The lock's descriptor (9) must not stay open in the session, or the lock would live as long as it.
        let launch = """
            command -v setsid >/dev/null 2>&1 || { echo 'setsid is not installed on the instance (util-linux)' >&2; exit \(RemoteExitStatus.setsidMissing.code); }
            \(SessionLaunch.prelude(name: spec.name, target: target, ifRunning: ifRunning, stop: SessionLaunch.stopLiveGroup(graceTenths: graceTenths)))
            \(files.clearState)
            setsid bash \(ShellQuoting.quote(files.wrapperPath)) < /dev/null > /dev/null 2>&1 9>&- &
            \(files.awaitPid)
            """
        let (command, stdin) = FileInstallScript.build(batch, then: launch, intent: records)
        let result = try await target.provider.exec(target.instance, command, stdin: stdin)
        let context = [ErrorContext("instance", target.instance), ErrorContext("process", spec.name)]
        switch result.exitCode {
        case RemoteExitStatus.wrapperSilent.code, RemoteExitStatus.sessionLockTimeout.code:
            throw ProcessError(ErrorCode.Process.startFailed, "could not start `\(spec.name)`: \(result.stderrText.trimmingASCIIWhitespace())", context: context)
        case RemoteExitStatus.setsidMissing.code:
            throw ProcessError(
                ErrorCode.Process.managerMissing, "could not start `\(spec.name)`: \(result.stderrText.trimmingASCIIWhitespace())", context: context)
        default:
            if let error = FileInstallScript.error(for: result, batch: batch, instance: target.instance) { throw error }
        }
        switch SessionLaunch.parse(result.stdoutText) {
        case .adopted(let run, let pid)?:
            return ProcessState(name: spec.name, run: run, status: .running, pid: pid)
        case .started(let pid)?:
            return ProcessState(name: spec.name, run: target.run, status: .running, pid: pid)
        case nil:
            let detail = result.stderrText.trimmingASCIIWhitespace()
            throw ProcessError(
                ErrorCode.Process.startFailed, "could not start `\(spec.name)`: \(detail.isEmpty ? "no pid reported" : detail)", context: context)
        }
    }

    /// The grace period in tenths of a second (at least one).
    var graceTenths: Int {
        max(1, Int(stopGrace.components.seconds * 10 + stopGrace.components.attoseconds / 100_000_000_000_000_000))
    }

    // MARK: status, list

    /// The process's state from its files (read-only).
    public func status(_ name: String, on target: ProcessTarget) async throws -> ProcessState? {
        let result = try await RunDirectory.read(RunDirectory.statusScript(name, target: target), on: target, label: "status:\(name)")
        return RunDirectory.parseStatusLines(result.stdoutText, run: target.run).first
    }

    /// Every session of every run on the instance (read-only).
    public func list(on target: ProcessTarget) async throws -> [ProcessState] {
        let result = try await RunDirectory.read(RunDirectory.listScript(target: target), on: target, label: "list")
        return RunDirectory.parseList(result.stdoutText)
    }

    // MARK: stop

    /// TERM to the process group, KILL after the grace period; marks the session stopped.
    public func stop(_ name: String, on target: ProcessTarget) async throws {
        let script = """
            d=\(ShellQuoting.quote(target.runDirectory)); n=\(ShellQuoting.quote(name))
            [ -f "$d/$n.pid" ] || { echo "no process $n in this run" >&2; exit 3; }
            pid=$(cat "$d/$n.pid")
            [ -f "$d/$n.exit" ] && exit 0
            : > "$d/$n.stopped"
            kill -TERM -- "-$pid" 2>/dev/null || exit 0
            i=0
            while [ $i -lt \(graceTenths) ] && kill -0 -- "-$pid" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
            kill -KILL -- "-$pid" 2>/dev/null
            [ -f "$d/$n.exit" ] || printf '137\\n' > "$d/$n.exit"
            exit 0
            """
        let result = try await target.provider.exec(target.instance, CommandSpec(.shell(script), label: "stop:\(name)"), stdin: nil)
        if result.exitCode == 3 {
            throw ProcessError(ErrorCode.Process.notFound, "no process `\(name)` in run \(target.run)", context: [.init("process", name)])
        }
        guard result.exitCode == 0 else {
            throw ProcessError(
                ErrorCode.Process.stopFailed, "could not stop `\(name)`: \(result.stderrText.trimmingASCIIWhitespace())",
                context: [.init("process", name)])
        }
    }

    // MARK: logs

    /// At most `limit` bytes of the session's stdout or stderr log, read from the run
    /// directory: from `offset` (negative: from the end), the last `tail` lines, or the start.
    public func logs(_ name: String, stream: LogStream, on target: ProcessTarget, from offset: Int?, tail: Int?, limit: Int) async throws
        -> LogChunk
    {
        try await RunDirectory.logs(name, stream: stream, on: target, from: offset, tail: tail, limit: limit)
    }

    /// The first at most `limit` bytes of many logs of the instance, in one read.
    public func logs(of items: [LogBatchItem], on target: ProcessTarget, limit: Int) async throws -> [LogChunk] {
        try await RunDirectory.batchLogs(items, on: target, limit: limit)
    }

}
