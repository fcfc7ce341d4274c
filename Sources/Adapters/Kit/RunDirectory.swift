import Executor

/// Reading a session's state and logs from its run directory (`~/.runjob/<run>/`),
/// the files ``SessionWrapper`` keeps: every process manager reports the same way.
package enum RunDirectory {
    /// Bash defining `report DIR NAME`, which prints `STATE NAME PID EXIT` (`missing`,
    /// `running`, `exited`, `stopped`, `vanished`; `-` for unknown fields). A pid counts
    /// as running only while it is alive, not a zombie, and runs that run's wrapper
    /// (`DIR/NAME.sh`), so a reused pid is not taken for the session. Bash builtins
    /// only: listing a thousand sessions starts no process per session.
    package static let statusFunction = """
        alive() {
          case $1 in ''|*[!0-9]*) return 1 ;; esac
          kill -0 "$1" 2>/dev/null || return 1
          local s= a=
          IFS= read -r s 2>/dev/null < "/proc/$1/stat"
          s=${s##*) }; [ "${s%% *}" != Z ] || return 1
          [ -r "/proc/$1/cmdline" ] || return 0
          while IFS= read -r -d '' a; do [ "$a" = "$2" ] && return 0; done 2>/dev/null < "/proc/$1/cmdline"
          return 1
        }
        field() { v=; IFS= read -r v 2>/dev/null < "$1"; }
        report() {
          dir=$1; name=$2
          if [ ! -f "$dir/$name.pid" ]; then echo "missing $name - -"; return; fi
          field "$dir/$name.pid"; pid=$v; code=-
          [ -f "$dir/$name.exit" ] && { field "$dir/$name.exit"; code=$v; }
          if [ -f "$dir/$name.stopped" ]; then echo "stopped $name $pid $code"
          elif [ "$code" != - ]; then echo "exited $name $pid $code"
          elif alive "$pid" "$dir/$name.sh"; then echo "running $name $pid -"
          elif [ -f "$dir/$name.exit" ]; then field "$dir/$name.exit"; echo "exited $name $pid $v"
          else echo "vanished $name $pid -"; fi
        }
        """

    /// Bash printing the status line of session process `name` in `target`'s run.
    package static func statusScript(_ name: String, target: ProcessTarget) -> String {
        """
        d=\(ShellQuoting.quote(target.runDirectory)); n=\(ShellQuoting.quote(name))
        \(statusFunction)
        report "$d" "$n"
        """
    }

    /// Bash printing `RUN STATE NAME PID EXIT` for every session of every run on the instance.
    package static func listScript(target: ProcessTarget) -> String {
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
    package static func parseStatusLines(_ text: String, run: String) -> [ProcessState] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 4, fields[0] != "missing" else { return nil }
            let pid = Int(fields[2])
            let code = Int(fields[3])
            let status: ProcessState.Status
            switch fields[0] {
            case "running": status = .running
            case "exited": status = code == Int(RemoteExitStatus.missingDirectory.code) ? .failed : .exited
            case "stopped", "vanished": status = .stopped
            default: status = .unknown
            }
            // A vanished process left no exit file (killed with its wrapper, or the file could not be
            // written, e.g. on a full disk): its exit status is unknown, not a made-up 137.
            return ProcessState(name: fields[1], run: run, status: status, pid: pid, exitCode: code)
        }
    }

    /// The states in `listScript` output.
    package static func parseList(_ text: String) -> [ProcessState] {
        text.split(separator: "\n").compactMap { line -> ProcessState? in
            let text = String(line)
            guard let space = text.firstIndex(of: " ") else { return nil }
            return parseStatusLines(String(text[text.index(after: space)...]), run: String(text[..<space])).first
        }
    }

    /// Bash printing `SIZE START` of `name`'s log and then at most `limit` of its bytes
    /// from START: `offset` (negative: from the end), where the last `tail` lines begin, or 0.
    package static func logsScript(_ name: String, stream: LogStream, target: ProcessTarget, from offset: Int?, tail: Int?, limit: Int) -> String {
        let file = target.runDirectory + "/" + name + (stream == .stdout ? ".out" : ".err")
        let start: String
        if let offset, offset >= 0 {
            start = "start=\(offset); [ \"$start\" -le \"$size\" ] || start=$size"
        } else if let offset {
            start = "start=$((size - \(-offset))); [ \"$start\" -ge 0 ] || start=0"
        } else if let tail {
            start = "start=$((size - $(tail -n \(max(0, tail)) \"$f\" | head -c \"$size\" | wc -c)))"
        } else {
            start = "start=0"
        }
        return """
            f=\(ShellQuoting.quote(file))
            [ -f "$f" ] || { printf '0 0\\n'; exit 0; }
            size=$(stat -c %s "$f")
            \(start)
            count=$((size - start)); [ "$count" -le \(max(0, limit)) ] || count=\(max(0, limit))
            printf '%s %s\\n' "$size" "$start"
            tail -c +$((start + 1)) "$f" | head -c "$count"
            """
    }

    /// The chunk in `logsScript` output, or `nil` when it is not that shape.
    package static func parseLogs(_ output: [UInt8]) -> LogChunk? {
        guard let newline = output.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let header = String(decoding: output[..<newline], as: UTF8.self).split(separator: " ")
        guard header.count == 2, let size = Int(header[0]), let start = Int(header[1]) else { return nil }
        let bytes = Array(output[(newline + 1)...])
        return LogChunk(bytes: bytes, nextOffset: start + bytes.count, start: start, size: size)
    }

    /// Bash printing, for each log of `files` (paths relative to `directory`, each with its
    /// session's exit file beside it: same name, `.exit`), `SIZE COUNT` (the first COUNT ≤
    /// `limit` bytes are sent), then a line `--`, then the sent bytes of every log in order,
    /// base64-encoded on one line. A fixed number of processes whatever the number of logs:
    /// one `stat` for all sizes, one `cat` for the whole logs of finished sessions (they no
    /// longer change); only logs that are cut, or still written, cost a `head` each.
    package static func batchLogsScript(directory: String, _ files: [String], limit: Int) -> String {
        let q = ShellQuoting.quote
        let bound = max(0, limit)
        return """
            files=(\(files.map { q($0) }.joined(separator: " ")))
            declare -A known=()
            if cd -- \(q(directory)) 2>/dev/null; then
              present=(); for f in "${files[@]}"; do [ -f "$f" ] && present+=("$f"); done
              if [ ${#present[@]} -gt 0 ]; then
                mapfile -t found <<< "$(stat -c '%s %n' -- "${present[@]}" 2>/dev/null)"
                for l in "${found[@]}"; do [ -n "$l" ] && known[${l#* }]=${l%% *}; done
              fi
            fi
            sizes=(); counts=()
            for f in "${files[@]}"; do
              s=${known[$f]:-0}; c=$s; [ "$c" -le \(bound) ] || c=\(bound)
              sizes+=("$s"); counts+=("$c"); printf '%s %s\\n' "$s" "$c"
            done
            printf -- '--\\n'
            whole=()
            flush() { [ ${#whole[@]} -eq 0 ] || cat -- "${whole[@]}" 2>/dev/null; whole=(); }
            {
              for i in "${!files[@]}"; do
                [ "${counts[$i]}" != 0 ] || continue
                f=${files[$i]}
                if [ -f "${f%.*}.exit" ] && [ "${sizes[$i]}" = "${counts[$i]}" ]; then whole+=("$f"); else flush; head -c "${counts[$i]}" -- "$f"; fi
              done
              flush
            } | base64 -w0
            echo
            """
    }

    /// Logs per batch read: the script (about 40 bytes a log) stays far below the size limit
    /// of one command-line argument (128 KiB on Linux).
    static let batchSize = 1024
    /// What one batch read brings back at most (each log's share is cut to fit; the rest is read later).
    static let batchBudget = 64 << 20

    /// The chunks in `batchLogsScript` output for `count` logs, or `nil` when it is not that shape.
    package static func parseBatchLogs(_ output: [UInt8], count: Int) -> [LogChunk]? {
        let text = String(decoding: output, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= count + 2, lines[count] == "--", let payload = Base64.decode(lines[count + 1]) else { return nil }
        var chunks: [LogChunk] = []
        var position = 0
        for line in lines[..<count] {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let size = Int(fields[0]), let sent = Int(fields[1]), sent >= 0, position + sent <= payload.count else {
                return nil
            }
            chunks.append(LogChunk(bytes: Array(payload[position..<(position + sent)]), nextOffset: sent, start: 0, size: size))
            position += sent
        }
        return position == payload.count ? chunks : nil
    }

    /// The first at most `limit` bytes of each of `items`' logs, in one read-only exec.
    package static func batchLogs(_ items: [LogBatchItem], on target: ProcessTarget, limit: Int) async throws -> [LogChunk] {
        guard !items.isEmpty else { return [] }
        // A command line has a size limit (one argument: 128 KiB on Linux): read in groups.
        guard items.count <= batchSize else {
            var chunks: [LogChunk] = []
            for start in stride(from: 0, to: items.count, by: batchSize) {
                chunks += try await batchLogs(Array(items[start..<min(items.count, start + batchSize)]), on: target, limit: limit)
            }
            return chunks
        }
        let files = items.map { $0.run + "/" + $0.name + ($0.stream == .stdout ? ".out" : ".err") }
        let share = min(limit, max(64 << 10, batchBudget / items.count))
        let result = try await read(
            batchLogsScript(directory: target.runjobDirectory, files, limit: share), on: target, label: "logs:\(items.count) streams")
        guard let chunks = parseBatchLogs(result.stdout, count: items.count) else {
            throw ProcessError(
                ErrorCode.Process.logsFailed, "cannot read the logs of \(items.count) session streams", context: [.init("instance", target.instance)])
        }
        return chunks
    }

    /// Runs a read-only script from this file on the instance; a non-zero exit is `process.invalid_output`.
    package static func read(_ script: String, on target: ProcessTarget, label: String) async throws -> ExecResult {
        let result = try await target.provider.exec(target.instance, CommandSpec(.shell(script), label: label, readOnly: true), stdin: nil)
        guard result.exitCode == 0 else {
            throw ProcessError(
                ErrorCode.Process.invalidOutput, "`\(label)` failed on the instance: \(result.stderrText.trimmingASCIIWhitespace())",
                context: [.init("instance", target.instance)])
        }
        return result
    }

    /// At most `limit` bytes of a session's stdout or stderr log: from `offset` (negative:
    /// from the end), from where the last `tail` lines begin, or from the start.
    package static func logs(
        _ name: String, stream: LogStream, on target: ProcessTarget, from offset: Int?, tail: Int?, limit: Int = 8 << 20
    ) async throws
        -> LogChunk
    {
        let script = logsScript(name, stream: stream, target: target, from: offset, tail: tail, limit: limit)
        let result = try await read(script, on: target, label: "logs:\(name)")
        guard let chunk = parseLogs(result.stdout) else {
            throw ProcessError(ErrorCode.Process.logsFailed, "cannot read the logs of `\(name)`", context: [.init("process", name)])
        }
        return chunk
    }
}
