import AdapterKit
import Executor

/// Keeps sessions running under PM2 on the instance, through the provider's exec.
///
/// Per session the run directory `~/.runjob/<run>/` holds the same files as with the
/// shell manager (``SessionWrapper``): PM2 runs `bash -lc 'exec bash <name>.sh'`, and
/// the wrapper changes into the cwd, puts `~/.local/bin` first on PATH after the login
/// shell reset it, sources the 0600 env file, feeds the prompt on stdin and records
/// the real exit code (PM2 reports 0 after a signal). PM2 writes the output into the
/// run directory (`-o`/`-e`), so a new run never appends to an old run's logs; the
/// name is deleted first, so a reused name never makes a second entry. No secret is
/// in PM2's arguments or in the environment it records.
public struct PM2ProcessManager: ProcessManager {
    /// `pm2`.
    public let kind = "pm2"
    /// The pm2 command on the instance.
    public let binary: String

    /// A manager running `binary` (looked up on PATH with `~/.local/bin` first).
    public init(binary: String = "pm2") {
        self.binary = binary
    }

    /// A manager from the manifest's `process_manager` options.
    public init(options: AdapterOptions) {
        self.init(binary: options.plainText("binary") ?? "pm2")
    }

    /// Exit status of a start when `pm2 start` failed.

    /// Bash printing the last `count` lines of `$variable` without PM2's table borders,
    /// after a line with ``Redactor/cutMark`` when lines were left out (so the redactor
    /// masks a secret's tail right after the cut).
    static func lastLines(_ variable: String, _ count: Int) -> String {
        "{ shown=$(printf '%s\\n' \"$\(variable)\" | grep -v '^[│┌└├─]'); "
            + "[ \"$(printf '%s\\n' \"$shown\" | wc -l)\" -le \(count) ] || printf '%s\\n' \(ShellQuoting.quote(Redactor.cutMark)); "
            + "printf '%s\\n' \"$shown\" | tail -n \(count); }"
    }

    /// Bash that finds pm2 (with `~/.local/bin` first) or exits ``RemoteExitStatus/managerMissing``.
    var locate: String {
        let q = ShellQuoting.quote
        return """
            export PATH="$HOME/.local/bin:$PATH"
            command -v \(q(binary)) >/dev/null 2>&1 || { printf '%s\\n' \(q("`\(binary)` is not installed on the instance (install PM2, or set process_manager.binary)")) >&2; exit \(RemoteExitStatus.managerMissing.code); }
            """
    }

    // MARK: start

    /// Writes the session's files and, after ``SessionLaunch``'s lock, live search and
    /// intent records, deletes any PM2 entry of that name, starts it under PM2 and waits
    /// for the wrapper's pid, in one exec. A live process of the session is adopted or,
    /// when replacing, deleted from PM2 (and its group killed) first.
    public func start(_ spec: ProcessSpec, on target: ProcessTarget, records: [FileWrite], ifRunning: ExistingSession) async throws
        -> ProcessState
    {
        let q = ShellQuoting.quote
        let files = try SessionWrapper(spec: spec, target: target, output: .inherited)
        let restart: [String]
        switch spec.restart {
        case .never: restart = ["--no-autorestart"]
        case .onFailure(let maxRestarts): restart = ["--max-restarts", String(max(0, maxRestarts))]
        }
        let payload = "exec bash " + q(files.wrapperPath)
        let startArgs =
            [binary, "start", "bash", "--name", spec.name] + restart + ["-o", files.base + ".out", "-e", files.base + ".err", "--", "-lc", payload]
        // Every pm2 call closes the session lock's descriptor (9): a daemon it spawns must not hold the lock.
        let stopLive = """
            \(ShellQuoting.join([binary, "delete", spec.name])) >/dev/null 2>&1 9>&- || true
            \(SessionLaunch.stopLiveGroup(graceTenths: 50))
            """
        let launch = """
            \(locate)
            \(SessionLaunch.prelude(name: spec.name, target: target, ifRunning: ifRunning, stop: stopLive))
            \(files.clearState)
            : >| \(q(files.base + ".out")); : >| \(q(files.base + ".err"))
            \(ShellQuoting.join([binary, "delete", spec.name])) >/dev/null 2>&1 9>&- || true
            started=$(\(ShellQuoting.join(startArgs)) 2>&1 9>&-) || { \(Self.lastLines("started", 20)) >&2; exit \(RemoteExitStatus.startRefused.code); }
            \(files.awaitPid)
            """
        let batch = FileBatch(
            label: "start:\(spec.name)", directories: [(target.runjobDirectory, .ownerOnlyDirectory), (target.runDirectory, .ownerOnlyDirectory)],
            files: files.writes)
        let (command, stdin) = FileInstallScript.build(batch, then: launch, intent: records)
        let result = try await target.provider.exec(target.instance, command, stdin: stdin)
        let context = [ErrorContext("instance", target.instance), ErrorContext("process", spec.name)]
        let detail = result.stderrText.trimmingASCIIWhitespace()
        switch result.exitCode {
        case RemoteExitStatus.managerMissing.code:
            throw ProcessError(ErrorCode.Process.managerMissing, detail, context: context)
        case RemoteExitStatus.startRefused.code:
            throw ProcessError(ErrorCode.Process.daemonFailed, "pm2 refused to start `\(spec.name)`: \(detail)", context: context)
        case RemoteExitStatus.wrapperSilent.code:
            throw ProcessError(ErrorCode.Process.startFailed, "PM2 started `\(spec.name)` but its wrapper never ran: \(detail)", context: context)
        case RemoteExitStatus.sessionLockTimeout.code:
            throw ProcessError(ErrorCode.Process.startFailed, "could not start `\(spec.name)`: \(detail)", context: context)
        default:
            if let error = FileInstallScript.error(for: result, batch: batch, instance: target.instance) { throw error }
        }
        switch SessionLaunch.parse(result.stdoutText) {
        case .adopted(let run, let pid)?:
            return ProcessState(name: spec.name, run: run, status: .running, pid: pid)
        case .started(let pid)?:
            return ProcessState(name: spec.name, run: target.run, status: .running, pid: pid)
        case nil:
            throw ProcessError(ErrorCode.Process.startFailed, "could not start `\(spec.name)`: no pid reported", context: context)
        }
    }

    // MARK: status, list

    /// The process's state from its run-directory files (the real exit code; read-only).
    public func status(_ name: String, on target: ProcessTarget) async throws -> ProcessState? {
        let result = try await RunDirectory.read(RunDirectory.statusScript(name, target: target), on: target, label: "status:\(name)")
        return RunDirectory.parseStatusLines(result.stdoutText, run: target.run).first
    }

    /// Every session of every run on the instance: the run-directory states, with
    /// PM2's view (`pm2 jlist`) marking a session PM2 gave up on as failed.
    public func list(on target: ProcessTarget) async throws -> [ProcessState] {
        let script = """
            \(RunDirectory.listScript(target: target))
            printf '%s\\n' '--- pm2 jlist ---'
            export PATH="$HOME/.local/bin:$PATH"
            \(ShellQuoting.join([binary, "jlist"])) 2>/dev/null || true
            """
        let result = try await RunDirectory.read(script, on: target, label: "list")
        let text = result.stdoutText
        let marker = "--- pm2 jlist ---\n"
        let parts = text.components(separatedBy: marker)
        var states = RunDirectory.parseList(parts.first ?? "")
        let entries = parts.count > 1 ? PM2JList.parse(parts[1]) ?? [] : []
        for index in states.indices where states[index].status == .running {
            if let entry = entries.last(where: { $0.name == states[index].name }), entry.state == .failed { states[index].status = .failed }
        }
        return states
    }

    // MARK: stop

    /// Marks the session stopped and stops it through PM2 (SIGINT to the tree, SIGKILL
    /// after PM2's timeout); succeeds when it already finished.
    public func stop(_ name: String, on target: ProcessTarget) async throws {
        let q = ShellQuoting.quote
        let script = """
            d=\(q(target.runDirectory)); n=\(q(name))
            [ -f "$d/$n.pid" ] || { echo "no process $n in this run" >&2; exit 3; }
            [ -f "$d/$n.exit" ] && exit 0
            : > "$d/$n.stopped"
            \(locate)
            \(ShellQuoting.join([binary, "stop", name])) >/dev/null 2>&1 || true
            pid=$(cat "$d/$n.pid")
            i=0
            while [ ! -f "$d/$n.exit" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
            [ -f "$d/$n.exit" ] || printf '137\\n' > "$d/$n.exit"
            exit 0
            """
        let result = try await target.provider.exec(target.instance, CommandSpec(.shell(script), label: "stop:\(name)"), stdin: nil)
        switch result.exitCode {
        case 0: return
        case 3: throw ProcessError(ErrorCode.Process.notFound, "no process `\(name)` in run \(target.run)", context: [.init("process", name)])
        case RemoteExitStatus.managerMissing.code:
            throw ProcessError(ErrorCode.Process.managerMissing, result.stderrText.trimmingASCIIWhitespace(), context: [.init("process", name)])
        default:
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
