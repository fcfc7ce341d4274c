/// Turns a ``FileBatch`` into one bash script plus one stdin payload, so a whole
/// batch (a credential profile with all its files, runjob's state records) costs
/// one exec round trip on any provider.
///
/// The payload is the files' bytes concatenated; the script saves it to a 0600
/// temporary file, cuts each file out by offset and length into a temporary file
/// in the destination directory, sets its mode, checks its SHA-256, and renames it
/// into place (atomic on the same filesystem). Then it runs the batch's check.
/// Exit statuses: ``RemoteExitStatus/directoryFailed``, ``RemoteExitStatus/writeFailed``,
/// ``RemoteExitStatus/checksumMismatch``, ``RemoteExitStatus/verifyFailed``.
public enum FileInstallScript {
    private static let directoryFailed = RemoteExitStatus.directoryFailed.code
    private static let writeFailed = RemoteExitStatus.writeFailed.code
    private static let checksumMismatch = RemoteExitStatus.checksumMismatch.code
    private static let verifyFailed = RemoteExitStatus.verifyFailed.code

    /// The command (a bash script) and the stdin bytes for `batch`; `then` is bash run
    /// after everything succeeded (its stdout is the command's stdout). `recordsAfter`
    /// are written and verified with the batch but put in place only when `then`
    /// exits 0 (runjob's record of a start must not exist for a failed start).
    ///
    /// Paths may start with `~/`: they are then relative to the `$HOME` of the
    /// command (useful before runjob knows the instance's home).
    ///
    /// `intent` records are written and verified with the batch too, but the follow-up
    /// puts them in place itself, by calling the bash function ``placeIntentFunction``
    /// at the moment it chooses (a launch: after its checks, before the process starts,
    /// so that no process ever runs without its record). A follow-up that exits without
    /// calling it leaves none of them behind.
    public static func build(_ batch: FileBatch, then followUp: String? = nil, recordsAfter: [FileWrite] = [], intent: [FileWrite] = []) -> (
        command: CommandSpec, stdin: [UInt8]
    ) {
        let ordinary = batch.files
        let deferred = batch.records + recordsAfter
        let all = ordinary + deferred + intent
        // Few processes per file: a whole batch (a credential profile, a session's files)
        // runs in tens of milliseconds even on a small VM.
        var lines = [
            "set -u",
            "umask 077",
            "set -C",  // noclobber: temporary files are created exclusively, never through a planted link
            "temps=()",
            // Whatever ends the script (an error, `set -u`, a signal), no payload or temporary file stays.
            "trap 'rm -f -- \"${payload:-}\" ${temps[@]+\"${temps[@]}\"} 2>/dev/null' EXIT",
            "fail() { rc=$1; shift; printf '%s\\n' \"$*\" >&2; exit \"$rc\"; }",
            "payload=$(mktemp \"${TMPDIR:-/tmp}/runjob-payload.XXXXXX\") || fail \(writeFailed) 'cannot create a temporary file'",
            "cat >| \"$payload\" || fail \(writeFailed) 'cannot read the payload'",
            "r=$$.$RANDOM",
            trackFunctions,
        ]
        var folders: [String] = []
        for folder in batch.directories.map(\.path) + all.map({ directoryOf($0.path) }) where !folders.contains(folder) { folders.append(folder) }
        if !folders.isEmpty {
            let described = ShellQuoting.quote("cannot create " + folders.joined(separator: ", "))
            let quoted = folders.map(quoteTarget).joined(separator: " ")
            lines.append("[ -z \"${\(fileLogVariable):-}\" ] || runjob_track_dirs \(quoted) || fail \(directoryFailed) 'cannot record the new folders'")
            lines.append("mkdir -p -- \(quoted) || fail \(directoryFailed) \(described)")
        }
        for directory in batch.directories {
            guard let mode = directory.mode else { continue }
            lines.append(
                "chmod \(mode) -- \(quoteTarget(directory.path)) || fail \(directoryFailed) \(ShellQuoting.quote("cannot set the mode of \(directory.path)"))"
            )
        }
        var payload: [UInt8] = []
        var digests: [String] = []
        for (index, file) in all.enumerated() {
            let offset = payload.count + 1
            payload += file.content
            digests.append(SHA256Hex.digest(file.content))
            let temp = "\(quoteTarget(directoryOf(file.path)))/.runjob-write.$r.\(index)"
            lines += [
                "t\(index)=\(temp); temps+=(\"$t\(index)\")",
                "tail -c +\(offset) \"$payload\" | head -c \(file.content.count) > \"$t\(index)\" || fail \(writeFailed) \(ShellQuoting.quote("cannot write \(file.path)"))",
            ]
        }
        lines.append("rm -f -- \"$payload\"; payload=")
        // Modes, grouped: one chmod per distinct mode.
        var modes: [(mode: FileMode, indices: [Int])] = []
        for (index, file) in all.enumerated() {
            if let position = modes.firstIndex(where: { $0.mode == file.mode }) {
                modes[position].indices.append(index)
            } else {
                modes.append((file.mode, [index]))
            }
        }
        for group in modes {
            let targets = group.indices.map { "\"$t\($0)\"" }.joined(separator: " ")
            lines.append("chmod \(group.mode) -- \(targets) || fail \(writeFailed) 'cannot set file modes'")
        }
        // Checksums: one sha256sum for the whole batch (an escaped name starts with `\\`).
        if !all.isEmpty {
            let targets = all.indices.map { "\"$t\($0)\"" }.joined(separator: " ")
            lines += [
                "sums=$(sha256sum -- \(targets)) || fail \(writeFailed) 'cannot checksum the written files'",
                "got=(); while IFS= read -r line; do line=${line#\\\\}; got+=(\"${line%% *}\"); done <<< \"$sums\"",
            ]
            for (index, file) in all.enumerated() {
                let message = ShellQuoting.quote("the written \(file.path) does not have the expected SHA-256")
                lines.append("[ \"${got[\(index)]:-}\" = \(digests[index]) ] || fail \(checksumMismatch) \(message)")
            }
        }
        func place(_ index: Int, _ file: FileWrite) -> String {
            let target = quoteTarget(file.path)
            let cannot = ShellQuoting.quote("cannot write \(file.path)")
            return "[ ! -d \(target) ] || fail \(writeFailed) \(ShellQuoting.quote("\(file.path) is a directory"))\n"
                + "[ -z \"${\(fileLogVariable):-}\" ] || runjob_track \(target) || fail \(writeFailed) \(ShellQuoting.quote("cannot record \(file.path)"))\n"
                + "mv -f -- \"$t\(index)\" \(target) || fail \(writeFailed) \(cannot)"
        }
        for (index, file) in ordinary.enumerated() { lines.append(place(index, file)) }
        let intentBase = ordinary.count + deferred.count
        lines.append(
            "\(placeIntentFunction)() {\n"
                + (intent.isEmpty ? "  :" : intent.enumerated().map { place(intentBase + $0.offset, $0.element) }.joined(separator: "\n"))
                + "\n}")
        if let verify = batch.verify {
            let check = ShellScript.render(verify).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
            lines.append(
                "out=$(\n  set +C\n  cd ~ || exit \(RemoteExitStatus.missingDirectory.code)\n\(check)\n) 2>&1 || { \(tailOfOutput) >&2; exit \(verifyFailed); }")
        }
        if let followUp {
            if deferred.isEmpty {
                lines.append("set +C")
                lines.append(followUp)
            } else {
                // The records wait for the follow-up (a launch): its failure leaves none behind.
                lines.append("(\nset +C\n\(followUp)\n)\nrc=$?\n[ \"$rc\" -eq 0 ] || exit \"$rc\"")
            }
        }
        for (offset, file) in deferred.enumerated() { lines.append(place(ordinary.count + offset, file)) }
        lines.append("exit 0")
        return (CommandSpec(.shell(lines.joined(separator: "\n")), label: batch.label), payload)
    }

    /// The environment variable a provider sets to learn what a batch changes outside its
    /// own folders (the ssh provider's `home: user`): the path of a log to which every batch
    /// appends, NUL-terminated, `d:PATH` for each folder it creates, `f:PATH` for each file it
    /// puts in place, and `b:NAME:PATH` when a file that was there before runjob is moved to
    /// `backup/NAME` beside the log first (destroy puts it back). Unset: nothing is logged.
    public static let fileLogVariable = "RUNJOB_FILE_LOG"

    /// The bash functions behind ``fileLogVariable`` (defined in every batch, called only when it is set).
    static let trackFunctions = """
        runjob_track_dirs() {
          local p
          for p in "$@"; do
            while [ -n "$p" ] && [ "$p" != / ] && [ ! -e "$p" ] && [ ! -L "$p" ]; do
              printf 'd:%s\\0' "$p" >> "$\(fileLogVariable)" || return 1
              p=${p%/*}
            done
          done
        }
        runjob_track() {
          if [ -e "$1" ] || [ -L "$1" ]; then
            grep -qzxF -- "f:$1" "$\(fileLogVariable)" 2>/dev/null && return 0
            local b=${\(fileLogVariable)%/*}/backup n
            mkdir -p -- "$b" && n=$(mktemp -u "$b/f.XXXXXXXX") && mv -- "$1" "$n" || return 1
            printf 'b:%s:%s\\0' "${n##*/}" "$1" >> "$\(fileLogVariable)" || return 1
          fi
          printf 'f:%s\\0' "$1" >> "$\(fileLogVariable)"
        }
        """

    /// How much of a failed check's output comes back at most (its end).
    static let verifyOutputLimit = 2000

    /// Bash that prints the end of `$out`: at most ``verifyOutputLimit`` bytes, cut at a line
    /// start when it is longer, after a line with ``Redactor/cutMark`` so the redactor knows
    /// where the text was cut (and masks a secret's tail right after it).
    static let tailOfOutput =
        "t=$(printf '%s\\n' \"$out\" | tail -c \(verifyOutputLimit)); "
        + "if [ \"${#t}\" -lt \"${#out}\" ]; then case $t in *$'\\n'*) t=${t#*$'\\n'} ;; esac; t=\"\(Redactor.cutMark)\"$'\\n'\"$t\"; fi; "
        + "printf '%s\\n' \"$t\""

    /// The bash function a follow-up calls to put the batch's `intent` records in place.
    public static let placeIntentFunction = "runjob_place_intent"

    /// The error for a failed batch run, from its exit status and (redacted by the caller) stderr.
    public static func error(for result: ExecResult, batch: FileBatch, instance: String) -> ProviderError? {
        guard result.exitCode != 0 else { return nil }
        let detail = result.stderrText.trimmingASCIIWhitespace()
        let context = [ErrorContext("instance", instance), ErrorContext("batch", batch.label)]
        switch result.exitCode {
        case checksumMismatch:
            return ProviderError(
                ErrorCode.Provider.fileChecksumMismatch, detail.isEmpty ? "a written file does not match what was sent" : detail, context: context)
        case verifyFailed:
            return ProviderError(
                ErrorCode.Provider.verifyFailed, "the check command failed" + (detail.isEmpty ? "" : ": \(detail)"), context: context)
        default:
            return ProviderError(
                ErrorCode.Provider.fileWriteFailed, detail.isEmpty ? "writing files failed (exit \(result.exitCode))" : detail, context: context)
        }
    }

    /// A destination path as bash text: `~/rest` becomes `"$HOME"/'rest'`, anything else is quoted.
    static func quoteTarget(_ path: String) -> String {
        if path == "~" { return "\"$HOME\"" }
        if path.hasPrefix("~/") { return "\"$HOME\"/" + ShellQuoting.quote(String(path.dropFirst(2))) }
        return ShellQuoting.quote(path)
    }

    private static func directoryOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

extension VMProvider {
    /// The default ``VMProvider/writeFiles(_:_:)``: the batch as one script with its
    /// payload on stdin, in one ``VMProvider/exec(_:_:stdin:)`` call.
    public func execFileBatch(_ id: String, _ batch: FileBatch) async throws {
        let (command, stdin) = FileInstallScript.build(batch)
        let result = try await exec(id, command, stdin: stdin)
        if let error = FileInstallScript.error(for: result, batch: batch, instance: id) { throw error }
    }
}
