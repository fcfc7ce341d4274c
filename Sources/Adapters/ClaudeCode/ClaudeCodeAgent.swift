import AdapterKit
import Executor

/// Runs Claude Code sessions headless (`claude -p --output-format stream-json --verbose`)
/// with the prompt on stdin, and reads their stream-json output.
///
/// Promises: the command is argv data (no shell text is assembled here); the prompt
/// and the appended system prompt travel as 0600 input files in the run directory,
/// never in argv; ids use the `--resume=<id>` form; bypassing permissions sets
/// `IS_SANDBOX=1` (the CLI refuses bypass as root without it).
public struct ClaudeCodeAgent: Agent {
    /// `claude`.
    public let kind = "claude"

    /// An agent.
    public init() {}

    /// `descriptor.processNamePrefix`.
    public var processNamePrefix: String { Self.descriptor.processNamePrefix }

    /// The process name of a Claude Code session: `cc-` and the sanitized session name
    /// (the prefix keeps a numeric name from being read as a PM2 id).
    public static func processName(for session: String) -> String {
        descriptor.processNamePrefix + ProcessNaming.sanitize(session)
    }

    /// The session's `claude -p` process: argv from its options, cwd resolved against
    /// the instance home, the prompt as the stdin input file `<name>.prompt`, the
    /// appended system prompt (if any) as `<name>.system-prompt` passed by
    /// `--append-system-prompt-file`, and `IS_SANDBOX=1` with `bypassPermissions`.
    ///
    /// Throws ``AgentError``: `agent.missing_prompt` without a prompt (or an empty one),
    /// `agent.invalid_options` for options that make no valid command or a prompt over
    /// ``maxPromptBytes``.
    public func processSpec(for session: SessionSpec, context: AgentContext) throws -> ProcessSpec {
        let options = try ClaudeCodeOptions(session: session)
        let prompt = try Self.checkedPrompt(session)
        let name = Self.processName(for: session.name)
        let promptFile = name + ".prompt"
        var inputFiles = [ProcessSpec.InputFile(name: promptFile, content: prompt)]
        var systemPromptPath: String?
        if let system = options.appendSystemPrompt {
            let file = name + ".system-prompt"
            inputFiles.append(.init(name: file, content: system))
            systemPromptPath = context.runDirectory + "/" + file
        }
        var spec = ProcessSpec(
            name: name, session: session.name, program: .argv(ClaudeCodeCommand.argv(options, systemPromptFile: systemPromptPath)),
            cwd: session.cwd.resolved(home: context.home), inputFiles: inputFiles, stdin: .file(promptFile))
        if options.bypassesPermissions { spec.env.append(EnvVar("IS_SANDBOX", "1")) }
        return spec
    }

    /// The final `result` event of the stream (the last one wins), or `nil` when the
    /// stream has none: the CLI refused its arguments, crashed, or was stopped.
    public func result(fromOutput output: [UInt8]) -> SessionResult? {
        ClaudeStream.result(from: output)
    }

    /// The stream as readable text: assistant text as is, `→ Tool: what` per tool
    /// call, one `←` line per tool result, and a last `✓`/`✗` line with the result;
    /// `nil` when the output holds no stream-json at all (shown as it is).
    public func render(output: [UInt8], redactor: Redactor) -> String? {
        ClaudeStreamRenderer.render(output, redactor: redactor)
    }

    /// Environment variables of the session that outrank the installed credentials
    /// (cloud switches, `ANTHROPIC_AUTH_TOKEN`, `ANTHROPIC_API_KEY`), and a `max_turns`
    /// too small to let a tool run. The texts do not name the session.
    public func warnings(for session: SessionSpec) -> [String] {
        ClaudeCodeWarnings.warnings(for: session)
    }

    /// The prompt, present, not blank, and within ``maxPromptBytes``.
    private static func checkedPrompt(_ session: SessionSpec) throws -> InterpolatedString {
        let prompt = try AgentOptionReader.requiredPrompt(of: session)
        if let size = prompt.reveal()?.utf8.count, size > maxPromptBytes {
            throw AgentError(
                ErrorCode.Agent.invalidOptions,
                "session `\(session.name)`: the prompt has \(size) bytes; `claude -p` reads at most \(maxPromptBytes) from stdin",
                context: [.init("session", session.name), .init("agent", "claude")])
        }
        return prompt
    }
}
