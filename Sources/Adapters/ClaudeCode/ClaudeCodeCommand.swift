/// The `claude -p` argv for a session's options, as data.
///
/// Shape: `claude -p --output-format stream-json --verbose [--model M]
/// [--permission-mode P] [--max-turns N] [--append-system-prompt-file F]
/// [--resume=<id>] [--allowedTools a,b] [--disallowedTools c,d]`.
/// Variadic tool options get one comma-joined word each and come last, so they
/// can swallow nothing; ids use the `=` form so that a value starting with `-`
/// is not read as a flag; no prompt argument (it comes on stdin).
enum ClaudeCodeCommand {
    /// The program name (found on PATH; `~/.local/bin` comes first).
    static let program = "claude"

    /// The argv for `options`; `systemPromptFile` is the absolute path of the appended system prompt's file.
    static func argv(_ options: ClaudeCodeOptions, systemPromptFile: String?) -> [String] {
        var argv = [program, "-p", "--output-format", "stream-json", "--verbose"]
        if let model = options.model { argv += ["--model", model] }
        if let mode = options.permissionMode { argv += ["--permission-mode", mode] }
        if let turns = options.maxTurns { argv += ["--max-turns", String(turns)] }
        if let systemPromptFile { argv += ["--append-system-prompt-file", systemPromptFile] }
        if let resume = options.resume { argv.append("--resume=" + resume) }
        if !options.allowedTools.isEmpty { argv += ["--allowedTools", options.allowedTools.joined(separator: ",")] }
        if !options.disallowedTools.isEmpty { argv += ["--disallowedTools", options.disallowedTools.joined(separator: ",")] }
        return argv
    }
}
