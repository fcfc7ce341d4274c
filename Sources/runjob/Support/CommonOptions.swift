import ArgumentParser
import Foundation
import Logging
import RunjobKit

/// `--workspace`: which deployment of a manifest (two CI jobs use two workspaces).
struct WorkspaceOptions: ParsableArguments {
    @Option(help: "Workspace: separates deployments of the same manifest (a name: lowercase letters, digits, _ and -).")
    var workspace: String = "default"

    func validate() throws {
        if !Self.isValid(workspace) { throw ValidationError("--workspace must match ^[a-z][a-z0-9_-]{0,62}$") }
    }

    /// Whether `name` is a workspace name: `^[a-z][a-z0-9_-]{0,62}$`.
    static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return !bytes.isEmpty && bytes.count <= 63 && ASCII.isLowercase(bytes[0])
            && bytes.allSatisfy { ASCII.isLowercase($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }
}

/// `--log-level` and `--log-file`: runjob's own log, redacted like everything else.
struct LogOptions: ParsableArguments {
    @Option(
        help:
            "Write runjob's own log at this level and above: trace, debug, info, notice, warning, error, critical (default: off; warning with --log-file)."
    )
    var logLevel: String?

    @Option(help: "Write runjob's own log to this file instead of stderr.")
    var logFile: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// Whether a log was asked for.
    var isEnabled: Bool { logLevel != nil || logFile != nil }

    /// A logger bound to `redactor`, writing to the log file or stderr.
    func logger(redactor: Redactor) throws -> Logger {
        let level = logLevel.flatMap(Logger.Level.init(rawValue:)) ?? .warning
        guard let logFile else {
            return RedactingLogHandler.logger(label: "runjob", level: level, redactor: redactor) { Console.err($0) }
        }
        if !FileManager.default.fileExists(atPath: logFile) {
            _ = FileManager.default.createFile(atPath: logFile, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let handle = FileHandle(forWritingAtPath: logFile) else {
            throw CLIError(ErrorCode.CLI.outputFailed, "cannot write the log file \(logFile)")
        }
        handle.seekToEndOfFile()
        let file = LockedFile(handle)
        return RedactingLogHandler.logger(label: "runjob", level: level, redactor: redactor) { file.write($0) }
    }
}

/// A file handle written by several tasks, one line at a time.
final class LockedFile: Sendable {
    private let handle: FileHandle

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    func write(_ text: String) {
        handle.write(Data(text.utf8))
    }
}

/// An error of the command line itself, with a `cli.*` code.
struct CLIError: RunjobError {
    var code: ErrorCode
    var message: String
    var context: [ErrorContext] = []

    init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
}
