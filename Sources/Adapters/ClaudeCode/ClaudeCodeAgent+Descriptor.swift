import Executor

extension ClaudeCodeAgent {
    /// Largest prompt `claude -p` accepts on stdin.
    public static let maxPromptBytes = 10_000_000

    /// `agent: claude`.
    public static let descriptor = AgentDescriptor(
        kind: "claude",
        summary: "Claude Code in print mode (`claude -p --output-format stream-json`), prompt on stdin",
        sessionOptions: OptionSchema([
            OptionField("model", .text(.line), doc: "Model alias or id (sonnet, opus, claude-sonnet-4-5, …)", default: "the CLI's default"),
            OptionField(
                "permission_mode", .choice(["default", "acceptEdits", "plan", "auto", "dontAsk", "bypassPermissions"]),
                doc: "Claude Code permission mode; bypassPermissions sets IS_SANDBOX=1 when running as root", default: "default"),
            OptionField("allowed_tools", .list(.text(.line)), doc: "Tools allowed without asking (Read, Edit, Bash(git log:*), …)"),
            OptionField("disallowed_tools", .list(.text(.line)), doc: "Tools denied"),
            OptionField("max_turns", .integer(min: 1, max: nil), doc: "Cap on agentic turns (the prompt counts as one)"),
            OptionField("append_system_prompt", .text(.any), doc: "Text appended to the default system prompt"),
            OptionField("resume", .text(.line), doc: "Session id to resume"),
        ]),
        requiresPrompt: true,
        maxPromptBytes: maxPromptBytes,
        processNamePrefix: "cc-",
        make: { ClaudeCodeAgent() })
}
