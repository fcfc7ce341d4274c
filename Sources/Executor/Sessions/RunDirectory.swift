/// Reading a session's state and logs from its run directory (`~/.runjob/<run>/`),
/// the files ``SessionWrapper`` keeps: every process manager reports the same way.
public enum RunDirectory {
    /// Bash defining `report DIR NAME`, which prints `STATE NAME PID EXIT` (`missing`,
    /// `running`, `exited`, `stopped`, `vanished`; `-` for unknown fields).
    public static let statusFunction = """
        report() {
          dir=$1; name=$2
          if [ ! -f "$dir/$name.pid" ]; then echo "missing $name - -"; return; fi
          pid=$(cat "$dir/$name.pid" 2>/dev/null); code=-
          [ -f "$dir/$name.exit" ] && code=$(cat "$dir/$name.exit" 2>/dev/null)
          if [ -f "$dir/$name.stopped" ]; then echo "stopped $name $pid $code"
          elif [ "$code" != - ]; then echo "exited $name $pid $code"
          elif kill -0 "$pid" 2>/dev/null && [ "$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null)" != Z ]; then echo "running $name $pid -"
          elif [ -f "$dir/$name.exit" ]; then echo "exited $name $pid $(cat "$dir/$name.exit" 2>/dev/null)"
          else echo "vanished $name $pid -"; fi
        }
        """

    /// Bash printing the status line of session process `name` in `target`'s run.
    public static func statusScript(_ name: String, target: ProcessTarget) -> String {
        """
        d=\(ShellQuoting.quote(target.runDirectory)); n=\(ShellQuoting.quote(name))
        \(statusFunction)
        report "$d" "$n"
        """
    }

    /// Bash printing `RUN STATE NAME PID EXIT` for every session of every run on the instance.
    public static func listScript(target: ProcessTarget) -> String {
        """
        \(statusFunction)
        for p in \(ShellQuoting.quote(target.runjobDirectory))/*/*.pid; do
          [ -f "$p" ] || continue
          d=${p%/*}; f=${p##*/}
          printf '%s ' "${d##*/}"
          report "$d" "${f%.pid}"
        done
        """
    }

    /// The states in `report` lines of run `run` (`missing` ones left out).
    public static func parseStatusLines(_ text: String, run: String) -> [ProcessState] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 4, fields[0] != "missing" else { return nil }
            let pid = Int(fields[2])
            let code = Int(fields[3])
            let status: ProcessState.Status
            switch fields[0] {
            case "running": status = .running
            case "exited": status = code == Int(ShellScript.missingDirectoryStatus) ? .failed : .exited
            case "stopped", "vanished": status = .stopped
            default: status = .unknown
            }
            return ProcessState(name: fields[1], run: run, status: status, pid: pid, exitCode: code ?? (fields[0] == "vanished" ? 137 : nil))
        }
    }

    /// The states in `listScript` output.
    public static func parseList(_ text: String) -> [ProcessState] {
        text.split(separator: "\n").compactMap { line -> ProcessState? in
            let text = String(line)
            guard let space = text.firstIndex(of: " ") else { return nil }
            return parseStatusLines(String(text[text.index(after: space)...]), run: String(text[..<space])).first
        }
    }

    /// Bash printing the size of `name`'s log and then its bytes: from `offset`, the last `tail` lines, or all.
    public static func logsScript(_ name: String, stream: LogStream, target: ProcessTarget, from offset: Int?, tail: Int?) -> String {
        let file = target.runDirectory + "/" + name + (stream == .stdout ? ".out" : ".err")
        let read: String
        if let offset {
            read = "tail -c +\(max(0, offset) + 1) \"$f\" | head -c $((size - \(max(0, offset))))"
        } else if let tail {
            read = "tail -n \(max(0, tail)) \"$f\""
        } else {
            read = "head -c \"$size\" \"$f\""
        }
        return """
            f=\(ShellQuoting.quote(file))
            [ -f "$f" ] || { printf '0\\n'; exit 0; }
            size=$(stat -c %s "$f")
            printf '%s\\n' "$size"
            \(read)
            """
    }

    /// The chunk in `logsScript` output, or `nil` when it is not that shape.
    public static func parseLogs(_ output: [UInt8], from offset: Int?) -> LogChunk? {
        guard let newline = output.firstIndex(of: UInt8(ascii: "\n")), let size = Int(String(decoding: output[..<newline], as: UTF8.self))
        else { return nil }
        return LogChunk(bytes: Array(output[(newline + 1)...]), nextOffset: max(size, offset ?? 0))
    }

    /// Runs a read-only script from this file on the instance; a non-zero exit is `process.invalid_output`.
    public static func read(_ script: String, on target: ProcessTarget, label: String) async throws -> ExecResult {
        let result = try await target.provider.exec(target.instance, CommandSpec(.shell(script), label: label, readOnly: true), stdin: nil)
        guard result.exitCode == 0 else {
            throw ProcessError(
                ErrorCode.Process.invalidOutput, "`\(label)` failed on the instance: \(result.stderrText.trimmingASCIIWhitespace())",
                context: [.init("instance", target.instance)])
        }
        return result
    }

    /// A session's stdout or stderr log bytes: from `offset`, the last `tail` lines, or all.
    public static func logs(_ name: String, stream: LogStream, on target: ProcessTarget, from offset: Int?, tail: Int?) async throws -> LogChunk {
        let result = try await read(logsScript(name, stream: stream, target: target, from: offset, tail: tail), on: target, label: "logs:\(name)")
        guard let chunk = parseLogs(result.stdout, from: offset) else {
            throw ProcessError(ErrorCode.Process.logsFailed, "cannot read the logs of `\(name)`", context: [.init("process", name)])
        }
        return chunk
    }
}
