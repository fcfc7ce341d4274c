/// Turns a ``FileBatch`` into one bash script plus one stdin payload, so a whole
/// batch (a credential profile with all its files, runjob's state records) costs
/// one exec round trip on any provider.
///
/// The payload is the files' bytes concatenated; the script saves it to a 0600
/// temporary file, cuts each file out by offset and length into a temporary file
/// in the destination directory, sets its mode, checks its SHA-256, and renames it
/// into place (atomic on the same filesystem). Then it runs the batch's check.
/// Exit codes: 90 directory, 91 write, 92 checksum mismatch, 93 check failed.
public enum FileInstallScript {
    /// Exit status when a directory cannot be created.
    public static let directoryFailed: Int32 = 90
    /// Exit status when a file cannot be written.
    public static let writeFailed: Int32 = 91
    /// Exit status when a written file's SHA-256 differs.
    public static let checksumMismatch: Int32 = 92
    /// Exit status when the batch's check command fails.
    public static let verifyFailed: Int32 = 93

    /// The command (a bash script) and the stdin bytes for `batch`; `then` is bash run
    /// after everything succeeded (its stdout is the command's stdout).
    public static func build(_ batch: FileBatch, then followUp: String? = nil) -> (command: CommandSpec, stdin: [UInt8]) {
        var lines = [
            "set -u",
            "umask 077",
            "fail() { rc=$1; shift; printf '%s\\n' \"$*\" >&2; [ -n \"${payload:-}\" ] && rm -f -- \"$payload\"; exit \"$rc\"; }",
            "payload=$(mktemp \"${TMPDIR:-/tmp}/runjob-payload.XXXXXX\") || fail \(writeFailed) 'cannot create a temporary file'",
            "cat > \"$payload\" || fail \(writeFailed) 'cannot read the payload'",
        ]
        for directory in batch.directories {
            let quoted = ShellQuoting.quote(directory.path)
            lines.append("mkdir -p -- \(quoted) || fail \(directoryFailed) \(ShellQuoting.quote("cannot create \(directory.path)"))")
            if let mode = directory.mode {
                lines.append(
                    "chmod \(mode) -- \(quoted) || fail \(directoryFailed) \(ShellQuoting.quote("cannot set the mode of \(directory.path)"))")
            }
        }
        var payload: [UInt8] = []
        for file in batch.files {
            let path = ShellQuoting.quote(file.path)
            let folder = ShellQuoting.quote(directoryOf(file.path))
            let offset = payload.count + 1
            payload += file.content
            let digest = SHA256Hex.digest(file.content)
            let failWrite = "fail \(writeFailed) \(ShellQuoting.quote("cannot write \(file.path)"))"
            lines += [
                "mkdir -p -- \(folder) || fail \(directoryFailed) \(ShellQuoting.quote("cannot create \(directoryOf(file.path))"))",
                "t=$(mktemp \(folder)/.runjob-write.XXXXXX) || \(failWrite)",
                "tail -c +\(offset) \"$payload\" | head -c \(file.content.count) > \"$t\" || { rm -f -- \"$t\"; \(failWrite); }",
                "chmod \(file.mode) -- \"$t\" || { rm -f -- \"$t\"; \(failWrite); }",
                "sum=$(sha256sum < \"$t\") || { rm -f -- \"$t\"; \(failWrite); }",
                "[ \"${sum%% *}\" = \(digest) ] || { rm -f -- \"$t\"; fail \(checksumMismatch) \(ShellQuoting.quote("the written \(file.path) does not have the expected SHA-256")); }",
                "mv -f -- \"$t\" \(path) || { rm -f -- \"$t\"; \(failWrite); }",
            ]
        }
        lines.append("rm -f -- \"$payload\"; payload=")
        if let verify = batch.verify {
            let check = ShellScript.render(verify).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
            lines.append("out=$(\n  cd ~ || exit 97\n\(check)\n) 2>&1 || { printf '%s\\n' \"$out\" | tail -c 2000 >&2; exit \(verifyFailed); }")
        }
        if let followUp { lines.append(followUp) }
        lines.append("exit 0")
        return (CommandSpec(.shell(lines.joined(separator: "\n")), label: batch.label), payload)
    }

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
