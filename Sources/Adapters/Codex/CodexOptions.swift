import AdapterKit
import Executor

/// A Codex session's options, read from the session and checked, with the
/// descriptor's defaults applied (sandbox `workspace-write`, git check skipped).
struct CodexOptions: Equatable {
    /// The sandbox modes `--sandbox` accepts.
    static let sandboxModes = ["read-only", "workspace-write", "danger-full-access"]
    /// runjob's default: the CLI's own default (`read-only`) could not write the work it is asked for.
    static let defaultSandbox = "workspace-write"

    var model: String?
    var sandbox = CodexOptions.defaultSandbox
    var skipGitRepoCheck = true

    /// Reads and checks the options of `session`; throws `agent.invalid_options`.
    init(session: SessionSpec) throws {
        let descriptor = CodexAgent.descriptor
        let reader = try AgentOptionReader(session: session, kind: descriptor.kind, schema: descriptor.sessionOptions)
        try reader.rejectUnknownKeys()
        if let model = try reader.plainText("model") {
            try reader.checkWord(model, key: "model", what: "a model id")
            self.model = model
        }
        if let sandbox = try reader.choice("sandbox", among: Self.sandboxModes) { self.sandbox = sandbox }
        if let skip = try reader.boolean("skip_git_repo_check") { skipGitRepoCheck = skip }
    }
}

/// The `codex exec` argv for a session's options, as data:
/// `codex exec --json [--model M] --sandbox S [--skip-git-repo-check] -`.
/// The trailing `-` reads the prompt from stdin to EOF (a prompt argument would
/// also read stdin and append it, and keeps the prompt out of argv).
enum CodexCommand {
    /// The program name (found on PATH; `~/.local/bin` comes first).
    static let program = "codex"

    /// The argv for `options`.
    static func argv(_ options: CodexOptions) -> [String] {
        var argv = [program, "exec", "--json"]
        if let model = options.model { argv += ["--model", model] }
        argv += ["--sandbox", options.sandbox]
        if options.skipGitRepoCheck { argv.append("--skip-git-repo-check") }
        argv.append("-")
        return argv
    }
}
