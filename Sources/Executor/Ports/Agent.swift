/// What an agent needs to know to build a session's process.
public struct AgentContext: Sendable {
    /// The instance's home directory (to resolve `~`).
    public var home: String
    /// The run directory on the instance (`~/.runjob/<run>`).
    public var runDirectory: String

    /// Creates a context.
    public init(home: String, runDirectory: String) {
        self.home = home
        self.runDirectory = runDirectory
    }
}

/// How an agent session ended, read from the agent's own output.
public struct SessionResult: Sendable, Equatable {
    /// Whether the agent says it failed (`is_error`).
    public var isError: Bool
    /// What it cost, in US dollars, when reported.
    public var costUSD: Double?
    /// Agentic turns, when reported.
    public var turns: Int?
    /// Duration the agent reports, in milliseconds.
    public var durationMilliseconds: Int?
    /// The agent's own session id (for resuming).
    public var agentSession: String?
    /// The final text or error text, when reported.
    public var summary: String?

    /// Creates a result.
    public init(
        isError: Bool, costUSD: Double? = nil, turns: Int? = nil, durationMilliseconds: Int? = nil, agentSession: String? = nil,
        summary: String? = nil
    ) {
        self.isError = isError
        self.costUSD = costUSD
        self.turns = turns
        self.durationMilliseconds = durationMilliseconds
        self.agentSession = agentSession
        self.summary = summary
    }
}

/// Turns an agent session of the manifest into a process to start. Knows nothing
/// of providers or process managers.
public protocol Agent: Sendable {
    /// The `agent:` kind (`claude`, `codex`, `command`).
    var kind: String { get }

    /// What the agent puts before a session's sanitized name to name its process (`cc-`).
    var processNamePrefix: String { get }

    /// The process for `session`; throws ``AgentError`` when its options make no valid command.
    func processSpec(for session: SessionSpec, context: AgentContext) throws -> ProcessSpec

    /// The session's result from its stdout, when the agent reports one (`nil`: none found).
    func result(fromOutput output: [UInt8]) -> SessionResult?

    /// The session's stdout made readable for `runjob logs` (assistant text, one line
    /// per tool call, the result), or `nil` to show it as it is. Every value taken from
    /// the output is redacted with `redactor` before it is shortened (see
    /// AdapterKit's `StreamLines.render`, which does it for JSON-lines streams).
    func render(output: [UInt8], redactor: Redactor) -> String?

    /// Warnings about a session's setup that do not stop it (an environment variable
    /// that outranks the credentials file, …), for the plan and the run's log.
    func warnings(for session: SessionSpec) -> [String]
}

extension Agent {
    /// No prefix by default: the process is named like the session.
    public var processNamePrefix: String { "" }

    /// Agents without a result format report none.
    public func result(fromOutput output: [UInt8]) -> SessionResult? { nil }

    /// Agents without a stream format are shown as they are.
    public func render(output: [UInt8], redactor: Redactor) -> String? { nil }

    /// No warnings by default.
    public func warnings(for session: SessionSpec) -> [String] { [] }
}
