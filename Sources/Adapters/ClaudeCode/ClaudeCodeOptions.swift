import AdapterKit
import Executor

/// A Claude Code session's options, read from the session and checked: every value
/// here makes a well-formed `claude -p` command.
struct ClaudeCodeOptions: Equatable {
    /// The permission modes `--permission-mode` accepts.
    static let permissionModes = ["default", "acceptEdits", "plan", "auto", "dontAsk", "bypassPermissions"]

    var model: String?
    var permissionMode: String?
    var allowedTools: [String] = []
    var disallowedTools: [String] = []
    var maxTurns: Int?
    /// Written to a 0600 file in the run directory, never put in argv.
    var appendSystemPrompt: InterpolatedString?
    var resume: String?

    /// Reads and checks the options of `session`; throws `agent.invalid_options`.
    init(session: SessionSpec) throws {
        let descriptor = ClaudeCodeAgent.descriptor
        let reader = try AgentOptionReader(session: session, kind: descriptor.kind, schema: descriptor.sessionOptions)
        try reader.rejectUnknownKeys()
        if let model = try reader.plainText("model") {
            try reader.checkWord(model, key: "model", what: "a model alias or id")
            self.model = model
        }
        if let mode = try reader.choice("permission_mode", among: Self.permissionModes) { permissionMode = mode }
        allowedTools = try reader.toolRules("allowed_tools")
        disallowedTools = try reader.toolRules("disallowed_tools")
        if let turns = try reader.integer("max_turns") {
            guard turns >= 1 else { throw reader.invalid("`max_turns` must be at least 1 (got \(turns))") }
            maxTurns = turns
        }
        if let text = try reader.text("append_system_prompt"), !(text.plainValue?.isEmpty ?? false) {
            appendSystemPrompt = text
        }
        if let resume = try reader.plainText("resume") {
            try reader.checkWord(resume, key: "resume", what: "a session id or name", allowLeadingDash: true)
            self.resume = resume
        }
    }

    /// Whether permission checks are bypassed (the CLI refuses that as root without `IS_SANDBOX=1`).
    var bypassesPermissions: Bool { permissionMode == "bypassPermissions" }
}
