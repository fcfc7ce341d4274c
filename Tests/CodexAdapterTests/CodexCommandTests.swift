import CodexAdapter
import Executor
import Testing

@Suite("Codex command")
struct CodexCommandTests {
    let context = AgentContext(home: "/home/u", runDirectory: "/home/u/.runjob/r1")

    @Test("without options: JSON events, runjob's default sandbox, the git check skipped, prompt from stdin")
    func minimal() throws {
        let spec = try CodexAgent().processSpec(for: codexSession(), context: context)
        #expect(spec.name == "cx-build")
        #expect(spec.session == "build")
        #expect(spec.program == .argv(["codex", "exec", "--json", "--sandbox", "workspace-write", "--skip-git-repo-check", "-"]))
        #expect(spec.cwd == "/home/u/app")
        #expect(spec.stdin == .file("cx-build.prompt"))
        #expect(spec.inputFiles == [.init(name: "cx-build.prompt", content: "Build it.")])
        #expect(spec.env.isEmpty)
    }

    @Test("model, sandbox and a git check kept on")
    func allOptions() throws {
        let session = codexSession([
            OptionEntry("model", .text("gpt-5-codex")), OptionEntry("sandbox", .text("read-only")),
            OptionEntry("skip_git_repo_check", .boolean(false)),
        ])
        let spec = try CodexAgent().processSpec(for: session, context: context)
        #expect(spec.program == .argv(["codex", "exec", "--json", "--model", "gpt-5-codex", "--sandbox", "read-only", "-"]))
    }

    @Test("danger-full-access is passed as is; names are sanitized with the cx- prefix; absolute cwd kept")
    func edges() throws {
        let session = codexSession([OptionEntry("sandbox", .text("danger-full-access"))], name: "fix_bugs", cwd: .absolute("/srv/repo"))
        let spec = try CodexAgent().processSpec(for: session, context: context)
        #expect(spec.name == "cx-fix-bugs")
        #expect(spec.cwd == "/srv/repo")
        guard case .argv(let argv) = spec.program else { Issue.record("not argv"); return }
        #expect(argv.contains("danger-full-access"))
        #expect(CodexAgent.processName(for: "7") == "cx-7")
    }

    @Test("a secret prompt stays out of argv")
    func secretPrompt() throws {
        let prompt = InterpolatedString(parts: [.literal("Token: "), .secret(Secret(source: .env("P"), value: "s3cr3t-0123456789"))])
        let spec = try CodexAgent().processSpec(for: codexSession(prompt: prompt), context: context)
        guard case .argv(let argv) = spec.program else { Issue.record("not argv"); return }
        #expect(!argv.joined().contains("s3cr3t"))
        #expect(spec.inputFiles.first?.content == prompt)
    }

    @Test(
        "invalid options throw agent.invalid_options with the session in the context",
        arguments: [
            OptionEntry("sandbox", .text("yolo")),
            OptionEntry("sandbox", .boolean(true)),
            OptionEntry("model", .text("")),
            OptionEntry("model", .text("-m")),
            OptionEntry("model", .text("gpt 5")),
            OptionEntry("skip_git_repo_check", .text("yes")),
            OptionEntry("permission_mode", .text("plan")),
        ])
    func invalidOptions(entry: OptionEntry) {
        let error = #expect(throws: AgentError.self) { try CodexAgent().processSpec(for: codexSession([entry]), context: context) }
        #expect(error?.code == ErrorCode.Agent.invalidOptions)
        #expect(error?.context.contains(ErrorContext("session", "build")) == true)
        #expect(error?.message.contains("`\(entry.key)") == true)
    }

    @Test("a missing or blank prompt is agent.missing_prompt; another kind is refused")
    func prompts() {
        for prompt in [nil, "", " \n"] as [InterpolatedString?] {
            let error = #expect(throws: AgentError.self) { try CodexAgent().processSpec(for: codexSession(prompt: prompt), context: context) }
            #expect(error?.code == ErrorCode.Agent.missingPrompt)
        }
        var session = codexSession()
        session.program = .agent(kind: "claude", options: AdapterOptions())
        #expect(throws: AgentError.self) { try CodexAgent().processSpec(for: session, context: context) }
    }
}

@Suite("Codex warnings")
struct CodexWarningTests {
    @Test("CODEX_API_KEY outranks auth.json")
    func codexKey() {
        let warnings = CodexAgent().warnings(
            for: codexSession(env: [EnvVar("CODEX_API_KEY", InterpolatedString(secret: Secret(source: .env("K"), value: "sk-0123456789")))]))
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("CODEX_API_KEY is set in the env: `codex exec` uses it ahead of everything else") == true)
    }

    @Test("OPENAI_API_KEY alone is not read by current CLIs")
    func openAIKey() {
        let warnings = CodexAgent().warnings(for: codexSession(env: [EnvVar("OPENAI_API_KEY", "sk-x")]))
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("current Codex CLIs do not read it") == true)
    }

    @Test("no warning without those variables (or with empty values)")
    func none() {
        #expect(CodexAgent().warnings(for: codexSession(env: [EnvVar("CODEX_HOME", "~/.codex"), EnvVar("OPENAI_API_KEY", "")])).isEmpty)
    }
}
