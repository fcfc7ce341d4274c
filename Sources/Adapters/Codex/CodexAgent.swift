import AdapterKit
import Executor

/// Runs OpenAI Codex CLI sessions headless (`codex exec --json … -`) with the prompt
/// on stdin, and reads their JSON-lines events.
///
/// Promises: the command is argv data (no shell text is assembled here); the prompt
/// travels as a 0600 input file in the run directory, never in argv; the sandbox is
/// always explicit (`workspace-write` unless the session says otherwise, where the
/// CLI alone would default to `read-only`).
public struct CodexAgent: Agent {
    /// `codex`.
    public let kind = "codex"

    /// An agent.
    public init() {}

    /// `descriptor.processNamePrefix`.
    public var processNamePrefix: String { Self.descriptor.processNamePrefix }

    /// The process name of a Codex session: `cx-` and the sanitized session name.
    public static func processName(for session: String) -> String {
        descriptor.processNamePrefix + ProcessNaming.sanitize(session)
    }

    /// The session's `codex exec` process: argv from its options, cwd resolved against
    /// the instance home, the prompt as the stdin input file `<name>.prompt`.
    ///
    /// Throws ``AgentError``: `agent.missing_prompt` without a prompt (or an empty one),
    /// `agent.invalid_options` for options that make no valid command.
    public func processSpec(for session: SessionSpec, context: AgentContext) throws -> ProcessSpec {
        let options = try CodexOptions(session: session)
        let prompt = try AgentOptionReader.requiredPrompt(of: session)
        let name = Self.processName(for: session.name)
        let promptFile = name + ".prompt"
        return ProcessSpec(
            name: name, session: session.name, program: .argv(CodexCommand.argv(options)), cwd: session.cwd.resolved(home: context.home),
            inputFiles: [.init(name: promptFile, content: prompt)], stdin: .file(promptFile))
    }

    /// The result of the last turn: `turn.completed` is success, `turn.failed` or a
    /// final fatal `error` event is failure (message as the summary); the thread id is
    /// the agent session. `nil` when the stream has no terminal event (the CLI refused
    /// its arguments, crashed, or was stopped). Codex reports no cost or duration.
    public func result(fromOutput output: [UInt8]) -> SessionResult? {
        CodexStream.result(from: output)
    }

    /// The events as readable text: agent messages as is, `→ command: …` per command
    /// (with a `←` line for its exit and output), file changes, and a last line with the
    /// usage or the failure; `nil` when the output holds no JSON line at all.
    public func render(output: [UInt8], redactor: Redactor) -> String? {
        CodexStreamRenderer.render(output, redactor: redactor)
    }

    /// Environment variables of the session that change which credentials Codex uses:
    /// `CODEX_API_KEY` (ahead of `auth.json`), `OPENAI_API_KEY` (not read by current
    /// CLIs). The texts do not name the session.
    public func warnings(for session: SessionSpec) -> [String] {
        var warnings: [String] = []
        let set = session.setEnvNames
        if set.contains("CODEX_API_KEY") {
            warnings.append(
                "CODEX_API_KEY is set in the env: `codex exec` uses it ahead of everything else, so an installed $CODEX_HOME/auth.json is ignored"
            )
        }
        if set.contains("OPENAI_API_KEY") && !set.contains("CODEX_API_KEY") {
            warnings.append(
                "OPENAI_API_KEY is set in the env, but current Codex CLIs do not read it: use CODEX_API_KEY, "
                    + "or install $CODEX_HOME/auth.json (`printenv OPENAI_API_KEY | codex login --with-api-key`)")
        }
        return warnings
    }
}
