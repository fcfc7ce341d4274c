/// One environment variable given to a session; the value may be secret.
public struct EnvVar: Sendable, Equatable {
    /// The variable name.
    public var name: String
    /// The value (placeholders when secret).
    public var value: InterpolatedString

    /// Creates a variable.
    public init(_ name: String, _ value: InterpolatedString) {
        self.name = name
        self.value = value
    }

    /// A JSON object of variables, secrets as placeholders.
    public static func json(_ variables: [EnvVar], _ style: PlaceholderStyle = .withState) -> JSONValue {
        .object(variables.map { .init($0.name, .string($0.value.placeholder(style))) })
    }
}

/// What a session waits for in another session before it starts.
public struct SessionDependency: Sendable, Equatable {
    /// The condition on the other session.
    public enum Condition: String, Sendable, Equatable, CaseIterable {
        /// The other session has been started.
        case started
        /// The other session has finished successfully (exit 0, and no agent error).
        case completed
    }

    /// The other session's name.
    public var session: String
    /// The condition.
    public var condition: Condition

    /// Creates a dependency.
    public init(session: String, condition: Condition) {
        self.session = session
        self.condition = condition
    }
}

/// What a session runs: a command of its own, or an agent with options.
public enum SessionProgram: Sendable, Equatable {
    /// `run:` — a command or shell script.
    case run(CommandTemplate)
    /// `agent:` — an agent adapter with its session options.
    case agent(kind: String, options: AdapterOptions)
}

/// One session of the manifest: a long-running process started on a machine.
public struct SessionSpec: Sendable, Equatable {
    /// The session's name.
    public var name: String
    /// The machine it runs on.
    public var machine: String
    /// What it runs.
    public var program: SessionProgram
    /// The prompt (agents; fed on stdin).
    public var prompt: InterpolatedString?
    /// Working directory on the instance.
    public var cwd: RemotePath
    /// Environment variables (secret ones travel in a 0600 env file, never in argv).
    public var env: [EnvVar]
    /// Credential profiles installed before it starts.
    public var credentials: [String]
    /// Sessions it waits for.
    public var after: [SessionDependency]

    /// Creates a session spec.
    public init(
        name: String, machine: String, program: SessionProgram, prompt: InterpolatedString? = nil, cwd: RemotePath = .home(""),
        env: [EnvVar] = [], credentials: [String] = [], after: [SessionDependency] = []
    ) {
        self.name = name
        self.machine = machine
        self.program = program
        self.prompt = prompt
        self.cwd = cwd
        self.env = env
        self.credentials = credentials
        self.after = after
    }

    /// The agent kind, or `nil` for a `run:` session.
    public var agentKind: String? {
        if case .agent(let kind, _) = program { kind } else { nil }
    }

    /// The names of the env variables that may carry a value: all but those set to an
    /// empty literal (a secret or an unset `|plain` value counts, it is not known here).
    public var setEnvNames: Set<String> {
        Set(env.filter { $0.value.plainValue.map { !$0.isEmpty } ?? true }.map(\.name))
    }

    /// Every secret of the session.
    public var secrets: [Secret] {
        var all = env.flatMap(\.value.secrets) + (prompt?.secrets ?? [])
        if case .agent(_, let options) = program { all += options.secrets }
        return all
    }

    /// Every interpolated value of the session (for digests and redaction).
    public var interpolatedValues: [InterpolatedString] {
        var all = env.map(\.value)
        if let prompt { all.append(prompt) }
        if case .agent(_, let options) = program { all += options.values.flatMap(\.value.interpolatedStrings) }
        return all
    }

    /// The plan's JSON form.
    ///
    /// Keys are in sorted order (agent options sit under `agent_options`), so the
    /// canonical form for digests needs no sorting.
    public func json(_ style: PlaceholderStyle = .withState) -> JSONValue {
        var members: [JSONValue.Member] = []
        members.reserveCapacity(10)
        if !after.isEmpty {
            members.append(.init("after", .object(after.map { .init($0.session, .string($0.condition.rawValue)) })))
        }
        if case .agent(let kind, let options) = program {
            members.append(.init("agent", .string(kind)))
            if !options.isEmpty { members.append(.init("agent_options", options.json(style))) }
        }
        if !credentials.isEmpty { members.append(.init("credentials", .array(credentials.map { .string($0) }))) }
        members.append(.init("cwd", .string(cwd.description)))
        if !env.isEmpty { members.append(.init("env", EnvVar.json(env, style))) }
        members.append(.init("machine", .string(machine)))
        members.append(.init("name", .string(name)))
        if let prompt { members.append(.init("prompt", .string(prompt.placeholder(style)))) }
        if case .run(let command) = program { members.append(.init("run", command.json)) }
        return .object(members)
    }
}
