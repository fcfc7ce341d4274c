import Executor
import Foundation

/// A command as it travels to a host: the script, wrapped so that its reply tells
/// runjob's markers apart from ssh's own messages and from what login scripts print.
///
/// The remote login shell gets one line, `exec bash -c "$(printf %s B64 | base64 -d)"`,
/// whatever its flavour (only base64 text in it, nothing to quote); the decoded wrapper
/// prints a marker on stdout and one on stderr, enters the instance (when there is one),
/// runs the script in its own bash, and prints the exit status after a last marker.
/// Stdin goes to the script untouched. The markers carry a random nonce per command,
/// so no output of the script can fake them.
struct SSHWrapper: Sendable {
    /// The script to run (bash).
    var script: String
    /// The instance whose folder and environment the script runs in, or `nil` for the
    /// provider's own scripts (boot, list, destroy).
    var instance: String?
    /// Random, per command.
    var nonce: String

    /// What a reply says.
    enum Outcome: Sendable {
        /// The script ran to its end.
        case finished(SSHReply)
        /// The instance folder is not on the host.
        case missing
        /// The script never started (ssh failed first): ssh's message.
        case neverStarted(stderr: [UInt8])
        /// The script started but the connection ended before it did.
        case lost
    }

    /// Wraps `script` for `instance` with a fresh nonce.
    init(script: String, instance: String? = nil) {
        self.script = script
        self.instance = instance
        var generator = SystemRandomNumberGenerator()
        nonce = "rj" + String(generator.next(), radix: 36) + String(generator.next(), radix: 36)
    }

    /// The instance folder on the host, relative to the account's home.
    static func folder(of id: String) -> String { "$HOME/.runjob/instances/" + id }

    /// The bash the remote login shell runs.
    var wrapperScript: String {
        var lines = ["printf '%s\\n' \(nonce)", "printf '%s:start\\n' \(nonce) >&2"]
        if let instance {
            lines += [
                "d=\(Self.folder(of: instance))",
                "if [ ! -d \"$d\" ] || [ ! -f \"$d/instance.json\" ]; then printf '%s:missing\\n' \(nonce) >&2; exit 0; fi",
                "export \(SSHProvider.markerVariable)=\(instance) TMPDIR=\"$d/tmp\"",
                // `home: user` instances log what batches install (destroy removes exactly that).
                "if [ -f \"$d/files\" ]; then export \(FileInstallScript.fileLogVariable)=\"$d/files\"; else export HOME=\"$d/home\"; fi",
                "cd \"$HOME\" 2>/dev/null || cd /",
                // This bash leads the command's session (sshd made it): destroy finds what the
                // command leaves behind in it, marker dropped or not, through this list.
                "printf '%s\\n' $$ >> \"$d/\(SSHScripts.execLeaders)\" 2>/dev/null",
            ]
        }
        lines += [
            "bash -c \(ShellQuoting.quote(script))",
            "rc=$?",
            "printf '\\n%s:rc=%d\\n' \(nonce) \"$rc\" >&2",
            "exit \"$rc\"",
        ]
        return lines.joined(separator: "\n")
    }

    /// The one line the login shell gets.
    var remoteCommand: String {
        let encoded = Data(wrapperScript.utf8).base64EncodedString()
        return "exec bash -c \"$(printf %s \(encoded) | base64 -d)\""
    }

    /// Reads a reply of the ssh client.
    func read(_ result: ExecResult) -> Outcome {
        let start = Array("\(nonce):start\n".utf8)
        guard let started = Self.range(of: start, in: result.stderr, fromEnd: false) else {
            return .neverStarted(stderr: result.stderr)
        }
        let rest = Array(result.stderr[started.upperBound...])
        if rest.starts(with: Array("\(nonce):missing\n".utf8)) { return .missing }
        let end = Array("\n\(nonce):rc=".utf8)
        guard let ended = Self.range(of: end, in: rest, fromEnd: true) else { return .lost }
        let digits = rest[ended.upperBound...].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        guard let code = Int32(String(decoding: digits, as: UTF8.self)) else { return .lost }
        var stdout = result.stdout
        let mark = Array("\(nonce)\n".utf8)
        if let found = Self.range(of: mark, in: stdout, fromEnd: false) { stdout = Array(stdout[found.upperBound...]) }
        return .finished(SSHReply(exitCode: code, stdout: stdout, stderr: Array(rest[..<ended.lowerBound])))
    }

    /// Where `needle` occurs in `haystack` (the first or the last time).
    static func range(of needle: [UInt8], in haystack: [UInt8], fromEnd: Bool) -> Range<Int>? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        let last = haystack.count - needle.count
        var index = fromEnd ? last : 0
        while index >= 0 && index <= last {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index..<(index + needle.count)
            }
            index += fromEnd ? -1 : 1
        }
        return nil
    }
}
