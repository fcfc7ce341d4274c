import Executor

/// One process entry of `pm2 jlist`, with the fields runjob reads.
public struct PM2Entry: Sendable, Equatable {
    /// The process name (not unique: PM2 allows duplicates).
    public var name: String
    /// PM2's id (reused once the list empties).
    public var pmID: Int?
    /// The OS pid: `0` after an exit, `nil` when the spawn failed (the key is absent).
    public var pid: Int?
    /// `pm2_env.status` as PM2 writes it.
    public var status: String
    /// `pm2_env.exit_code`: absent before the first exit, `0` after a signal.
    public var exitCode: Int?
    /// `pm2_env.restart_time`.
    public var restarts: Int?
    /// `pm2_env.pm_out_log_path`.
    public var outLog: String?
    /// `pm2_env.pm_err_log_path`.
    public var errLog: String?

    /// Creates an entry.
    public init(
        name: String, pmID: Int? = nil, pid: Int? = nil, status: String, exitCode: Int? = nil, restarts: Int? = nil, outLog: String? = nil,
        errLog: String? = nil
    ) {
        self.name = name
        self.pmID = pmID
        self.pid = pid
        self.status = status
        self.exitCode = exitCode
        self.restarts = restarts
        self.outLog = outLog
        self.errLog = errLog
    }

    /// How runjob reads the entry (pm2-cli.md §4.3): `online` without a pid is a failed
    /// launch; `stopped` is finished (its exit code says nothing about signals).
    public var state: ProcessState.Status {
        switch status {
        case "launching", "waiting restart", "stopping", "one-launch-status": return .running
        case "online": return (pid ?? 0) > 0 ? .running : .failed
        case "stopped": return exitCode == 0 ? .exited : .failed
        case "errored": return .failed
        default: return .unknown
        }
    }
}

/// Reads `pm2 jlist` output. The JSON array is one line, possibly after a banner,
/// daemon-spawn lines or an out-of-date notice; the output holds every process's
/// arguments and environment, so it is never logged as it is.
public enum PM2JList {
    /// The entries, or `nil` when no line of `stdout` is a JSON array.
    public static func parse(_ stdout: String) -> [PM2Entry]? {
        let lines = stdout.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        for line in lines.reversed() {
            let text = line.trimmingASCIIWhitespace()
            guard text.hasPrefix("["), let json = try? JSONValue.parse(Array(text.utf8)), let items = json.arrayValue else { continue }
            return items.compactMap(entry)
        }
        return nil
    }

    private static func entry(_ json: JSONValue) -> PM2Entry? {
        guard let name = json["name"]?.stringValue else { return nil }
        let environment = json["pm2_env"]
        return PM2Entry(
            name: name, pmID: json["pm_id"]?.intValue, pid: json["pid"]?.intValue, status: environment?["status"]?.stringValue ?? "unknown",
            exitCode: environment?["exit_code"]?.intValue, restarts: environment?["restart_time"]?.intValue,
            outLog: environment?["pm_out_log_path"]?.stringValue, errLog: environment?["pm_err_log_path"]?.stringValue)
    }
}
