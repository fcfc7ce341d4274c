import Executor

extension CodexAgent {
    /// `agent: codex`.
    public static let descriptor = AgentDescriptor(
        kind: "codex",
        summary: "OpenAI Codex CLI (`codex exec --json -`), prompt on stdin",
        sessionOptions: OptionSchema([
            OptionField("model", .text(.line), doc: "Model id", default: "the CLI's default"),
            OptionField(
                "sandbox", .choice(["read-only", "workspace-write", "danger-full-access"]), doc: "Codex sandbox mode",
                default: "workspace-write"),
            OptionField("skip_git_repo_check", .boolean, doc: "Run outside a git repository", default: "true"),
        ]),
        requiresPrompt: true,
        processNamePrefix: "cx-",
        make: { CodexAgent() })
}
