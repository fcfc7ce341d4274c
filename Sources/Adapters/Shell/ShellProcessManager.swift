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

    /// Writes the session's files and launches its wrapper in one exec; returns once the wrapper reported its pid.
    public func start(_ spec: ProcessSpec, on target: ProcessTarget, records: [FileWrite]) async throws -> ProcessState {
        guard spec.restart == .never else {
            throw ProcessError(
                ErrorCode.Process.unsupported, "the shell process manager does not restart sessions; use `process_manager: pm2` for restarts",
                context: [.init("process", spec.name)])
        }
        let files = try ShellSessionFiles(spec: spec, target: target)
        let batch = FileBatch(
            label: "start:\(spec.name)", directories: [(target.runjobDirectory, .ownerOnlyDirectory), (target.runDirectory, .ownerOnlyDirectory)],
            files: files.writes)
        let (command, stdin) = FileInstallScript.build(batch, then: files.launch, recordsAfter: records)
        let result = try await target.provider.exec(target.instance, command, stdin: stdin)
        if let error = FileInstallScript.error(for: result, batch: batch, instance: target.instance) { throw error }
        let output = result.stdoutText.trimmingASCIIWhitespace()
        guard result.exitCode == 0, let pid = Int(output) else {
            throw ProcessError(
                ErrorCode.Process.startFailed,
                "could not start `\(spec.name)`: \(result.stderrText.trimmingASCIIWhitespace().isEmpty ? "no pid reported" : result.stderrText.trimmingASCIIWhitespace())",
                context: [.init("instance", target.instance), .init("process", spec.name)])
        }
        return ProcessState(name: spec.name, run: target.run, status: .running, pid: pid)
    }

    // MARK: status, list

    /// The process's state from its files (read-only).
    public func status(_ name: String, on target: ProcessTarget) async throws -> ProcessState? {
        let script = """
            d=\(ShellQuoting.quote(target.runDirectory)); n=\(ShellQuoting.quote(name))
            \(Self.statusFunction)
            report "$d" "$n"
            """
        let result = try await exec(script, on: target, label: "status:\(name)")
        return Self.parseStatusLines(result.stdoutText, run: target.run).first
    }

    /// Every session of every run on the instance (read-only).
    public func list(on target: ProcessTarget) async throws -> [ProcessState] {
        let script = """
            \(Self.statusFunction)
            for p in \(ShellQuoting.quote(target.runjobDirectory))/*/*.pid; do
              [ -f "$p" ] || continue
              d=${p%/*}; f=${p##*/}
              printf '%s ' "${d##*/}"
              report "$d" "${f%.pid}"
            done
            """
        let result = try await exec(script, on: target, label: "list")
        return result.stdoutText.split(separator: "\n").compactMap { line -> ProcessState? in
            let text = String(line)
            guard let space = text.firstIndex(of: " ") else { return nil }
            return Self.parseStatusLines(String(text[text.index(after: space)...]), run: String(text[..<space])).first
        }
    }

    /// Prints `STATE PID EXIT` for a session (`missing`, `running`, `exited`, `stopped`, `vanished`).
    static let statusFunction = """
        report() {
          dir=$1; name=$2
          if [ ! -f "$dir/$name.pid" ]; then echo "missing $name - -"; return; fi
          pid=$(cat "$dir/$name.pid" 2>/dev/null); code=-
          [ -f "$dir/$name.exit" ] && code=$(cat "$dir/$name.exit" 2>/dev/null)
          if [ -f "$dir/$name.stopped" ]; then echo "stopped $name $pid $code"
          elif [ "$code" != - ]; then echo "exited $name $pid $code"
          elif kill -0 "$pid" 2>/dev/null && [ "$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null)" != Z ]; then echo "running $name $pid -"
          else echo "vanished $name $pid -"; fi
        }
        """

    static func parseStatusLines(_ text: String, run: String) -> [ProcessState] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 4, fields[0] != "missing" else { return nil }
            let pid = Int(fields[2])
            let code = Int(fields[3])
            let status: ProcessState.Status
            switch fields[0] {
            case "running": status = .running
            case "exited": status = code == ShellScript.missingDirectoryStatus.asInt ? .failed : .exited
            case "stopped": status = .stopped
            case "vanished": status = .stopped
            default: status = .unknown
            }
            return ProcessState(name: fields[1], run: run, status: status, pid: pid, exitCode: code ?? (fields[0] == "vanished" ? 137 : nil))
        }
    }

    // MARK: stop

    /// TERM to the process group, KILL after the grace period; marks the session stopped.
    public func stop(_ name: String, on target: ProcessTarget) async throws {
        let graceTenths = max(1, Int(stopGrace.components.seconds * 10 + stopGrace.components.attoseconds / 100_000_000_000_000_000))
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

    /// Bytes of the session's stdout or stderr log: from `offset`, or the last `tail` lines, or all.
    public func logs(_ name: String, stream: LogStream, on target: ProcessTarget, from offset: Int?, tail: Int?) async throws -> LogChunk {
        let file = target.runDirectory + "/" + name + (stream == .stdout ? ".out" : ".err")
        let read: String
        if let offset {
            read = "tail -c +\(max(0, offset) + 1) \"$f\" | head -c $((size - \(max(0, offset))))"
        } else if let tail {
            read = "tail -n \(max(0, tail)) \"$f\""
        } else {
            read = "head -c \"$size\" \"$f\""
        }
        let script = """
            f=\(ShellQuoting.quote(file))
            [ -f "$f" ] || { printf '0\\n'; exit 0; }
            size=$(stat -c %s "$f")
            printf '%s\\n' "$size"
            \(read)
            """
        let result = try await exec(script, on: target, label: "logs:\(name)")
        guard let newline = result.stdout.firstIndex(of: UInt8(ascii: "\n")),
            let size = Int(String(decoding: result.stdout[..<newline], as: UTF8.self))
        else {
            throw ProcessError(ErrorCode.Process.logsFailed, "cannot read the logs of `\(name)`", context: [.init("process", name)])
        }
        return LogChunk(bytes: Array(result.stdout[(newline + 1)...]), nextOffset: max(size, offset ?? 0))
    }

    private func exec(_ script: String, on target: ProcessTarget, label: String) async throws -> ExecResult {
        let result = try await target.provider.exec(target.instance, CommandSpec(.shell(script), label: label, readOnly: true), stdin: nil)
        guard result.exitCode == 0 else {
            throw ProcessError(
                ErrorCode.Process.invalidOutput, "`\(label)` failed on the instance: \(result.stderrText.trimmingASCIIWhitespace())",
                context: [.init("instance", target.instance)])
        }
        return result
    }
}

extension Int32 {
    var asInt: Int { Int(self) }
}
