/// What runjob recorded on an instance, under `~/.runjob/state/`: which config it
/// was booted for, which machine info, credential secrets and sessions it has.
/// Each step writes only its own record (no read-modify-write races between
/// steps); reading all of them is one read-only exec.
public struct InstanceState: Sendable, Equatable {
    /// A session start: which run started it and under which process name. It is
    /// written *before* the launch (an intent): a record whose run has no process means
    /// the launch never happened or did not finish.
    public struct SessionRecord: Sendable, Equatable {
        /// The run whose directory holds the session's files.
        public var run: String
        /// The process name.
        public var process: String
        /// When the start was recorded (RFC 3339).
        public var startedAt: String
        /// The config digest of the plan that started it.
        public var config: String
        /// The digest of the session's secret inputs (its env, prompt and agent options,
        /// and the env of its credential profiles); `nil` in records of older runjobs.
        public var secrets: String?

        /// Creates a record.
        public init(run: String, process: String, startedAt: String, config: String, secrets: String? = nil) {
            self.run = run
            self.process = process
            self.startedAt = startedAt
            self.config = config
            self.secrets = secrets
        }
    }

    /// The config digest the instance was booted for.
    public var config: String?
    /// The config document the instance was booted for (to explain changes).
    public var configDocument: JSONValue?
    /// The run that booted it.
    public var bootRun: String?
    /// The config digest for which `~/.machine.json` was written.
    public var machineInfoConfig: String?
    /// Profile → secrets digest installed.
    public var credentials: [String: String] = [:]
    /// Session → record.
    public var sessions: [String: SessionRecord] = [:]
    /// The instance's home directory as the records' reader saw it (`$HOME`), when known.
    public var home: String?
    /// Record files that exist but cannot be read (damaged): their names. A session whose
    /// record is damaged is not taken as "never started": its process is still looked for.
    public var unreadable: [String] = []

    /// The sessions whose record file is damaged.
    public var unreadableSessions: [String] {
        unreadable.compactMap { name in
            name.hasPrefix("session-") && name.hasSuffix(".json") ? String(name.dropFirst("session-".count).dropLast(".json".count)) : nil
        }
    }

    /// An empty state (nothing recorded).
    public init() {}

    /// The folder of the records, relative to the home.
    public static let directory = ".runjob/state"

    // MARK: Records to write

    /// The record of a boot.
    public static func bootRecord(home: String, plan: Plan, machine: String, workspace: String, run: String) -> FileWrite {
        let document = JSONValue.object([
            "version": .int(1), "name": .string(plan.name), "workspace": .string(workspace), "machine": .string(machine),
            "config": .string(plan.configDigest), "run": .string(run), "created_at": .string(RunClock.timestamp()),
            "config_document": ConfigDocument.of(plan),
        ])
        return record(home: home, name: "instance.json", document)
    }

    /// The record of written machine info.
    public static func machineInfoRecord(home: String, config: String, run: String) -> FileWrite {
        record(home: home, name: "machine-info.json", .object(["config": .string(config), "run": .string(run)]))
    }

    /// The record of an installed profile.
    public static func credentialsRecord(home: String, profile: String, secrets: String, run: String) -> FileWrite {
        record(home: home, name: "credentials-\(profile).json", .object(["secrets": .string(secrets), "run": .string(run)]))
    }

    /// The record of a started session.
    public static func sessionRecord(home: String, session: String, record value: SessionRecord) -> FileWrite {
        var members: [JSONValue.Member] = [
            .init("run", .string(value.run)), .init("process", .string(value.process)), .init("started_at", .string(value.startedAt)),
            .init("config", .string(value.config)),
        ]
        if let secrets = value.secrets { members.append(.init("secrets", .string(secrets))) }
        return record(home: home, name: "session-\(session).json", .object(members))
    }

    private static func record(home: String, name: String, _ document: JSONValue) -> FileWrite {
        FileWrite(path: home + "/" + directory + "/" + name, mode: .ownerOnly, content: document.compactText.utf8.map { $0 })
    }

    // MARK: Reading

    /// The read-only command that prints `HOME LENGTH`, then every record as `NAME LENGTH`,
    /// each line followed by that many bytes and a newline. Bash builtins only: reading a
    /// thousand session records starts no process per record.
    public static func readCommand() -> CommandSpec {
        let script = """
            export LC_ALL=C
            printf 'HOME %s\\n%s\\n' "${#HOME}" "$HOME"
            d="$HOME/\(directory)"
            [ -d "$d" ] || exit 0
            for f in "$d"/*.json; do
              [ -f "$f" ] || continue
              c=; IFS= read -r -d '' c 2>/dev/null < "$f"
              printf '%s %s\\n%s\\n' "${f##*/}" "${#c}" "$c"
            done
            """
        return CommandSpec(.shell(script), label: "state:read", readOnly: true)
    }

    /// Reads the records of `instance` in one read-only exec.
    public static func read(from provider: any VMProvider, instance: String) async throws -> InstanceState {
        let result = try await provider.exec(instance, readCommand(), stdin: nil)
        guard result.exitCode == 0 else {
            throw OrchestrationError(
                ErrorCode.Orchestration.stateUnreadable, "cannot read runjob's state on the instance: \(result.stderrText.trimmingASCIIWhitespace())",
                context: [.init("instance", instance)])
        }
        return parse(result.stdout)
    }

    /// Parses ``readCommand()`` output; records that are not JSON objects are listed in ``unreadable``.
    public static func parse(_ output: [UInt8]) -> InstanceState {
        var state = InstanceState()
        var position = 0
        while let newline = output[position...].firstIndex(of: UInt8(ascii: "\n")) {
            let header = String(decoding: output[position..<newline], as: UTF8.self)
            guard let space = header.lastIndex(of: " "), let length = Int(header[header.index(after: space)...]), length >= 0,
                newline + 1 + length <= output.count
            else { break }
            let name = String(header[..<space])
            let bytes = Array(output[(newline + 1)..<(newline + 1 + length)])
            position = min(output.count, newline + 1 + length + 1)
            if name == "HOME" {
                state.home = String(decoding: bytes, as: UTF8.self)
                continue
            }
            guard let json = try? JSONValue.parse(bytes), json.objectValue != nil else {
                state.unreadable.append(name)
                continue
            }
            if name == "instance.json" {
                state.config = json["config"]?.stringValue
                state.configDocument = json["config_document"]
                state.bootRun = json["run"]?.stringValue
            } else if name == "machine-info.json" {
                state.machineInfoConfig = json["config"]?.stringValue
            } else if name.hasPrefix("credentials-"), name.hasSuffix(".json"), let secrets = json["secrets"]?.stringValue {
                state.credentials[String(name.dropFirst("credentials-".count).dropLast(".json".count))] = secrets
            } else if name.hasPrefix("session-"), name.hasSuffix(".json") {
                guard let run = json["run"]?.stringValue, let process = json["process"]?.stringValue else {
                    state.unreadable.append(name)
                    continue
                }
                state.sessions[String(name.dropFirst("session-".count).dropLast(".json".count))] = SessionRecord(
                    run: run, process: process, startedAt: json["started_at"]?.stringValue ?? "", config: json["config"]?.stringValue ?? "",
                    secrets: json["secrets"]?.stringValue)
            }
        }
        return state
    }
}
