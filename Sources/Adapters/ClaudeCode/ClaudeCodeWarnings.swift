import Executor

/// Setup problems of a Claude Code session that do not stop it.
///
/// Credential precedence (agent-clis.md §1.6, first match wins): cloud-provider
/// switches → `ANTHROPIC_AUTH_TOKEN` → `ANTHROPIC_API_KEY` → `apiKeyHelper` →
/// `CLAUDE_CODE_OAUTH_TOKEN` → the stored login (`.credentials.json`). In `-p`
/// mode an API key is used without asking, so a stray one silently wins.
enum ClaudeCodeWarnings {
    /// The cloud-provider switches, which outrank every Anthropic credential.
    static let cloudSwitches = ["CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX", "CLAUDE_CODE_USE_FOUNDRY"]

    /// Warnings for `session` (texts do not name the session).
    static func warnings(for session: SessionSpec) -> [String] {
        var warnings: [String] = []
        let set = session.setEnvNames
        for name in cloudSwitches where set.contains(name) && isTruthy(session.env, name) {
            warnings.append(
                "\(name) is set in the env: Claude Code uses that cloud provider and ignores ANTHROPIC_* keys, "
                    + "CLAUDE_CODE_OAUTH_TOKEN and the stored login (~/.claude/.credentials.json)")
        }
        if set.contains("ANTHROPIC_AUTH_TOKEN") {
            warnings.append(
                "ANTHROPIC_AUTH_TOKEN is set in the env: it outranks ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN and the stored login "
                    + "(~/.claude/.credentials.json), which are then ignored")
        }
        if set.contains("ANTHROPIC_API_KEY") {
            warnings.append(
                "ANTHROPIC_API_KEY is set in the env: in -p mode Claude Code uses it ahead of CLAUDE_CODE_OAUTH_TOKEN and the stored login "
                    + "(~/.claude/.credentials.json), so installed credentials are ignored and usage is billed to the key; "
                    + "remove it to use the subscription login")
        }
        if case .agent(_, let options) = session.program, options.integer("max_turns") == 1 {
            warnings.append("max_turns: 1 stops before any tool runs (delivering the prompt counts as a turn); use 2 or more")
        }
        return warnings
    }

    /// Whether a switch is on: a true-looking literal, or a value not known here.
    private static func isTruthy(_ env: [EnvVar], _ name: String) -> Bool {
        guard let value = env.last(where: { $0.name == name })?.value else { return false }
        guard let plain = value.plainValue else { return true }
        return ["1", "true", "yes", "on"].contains(plain.lowercased())
    }
}
