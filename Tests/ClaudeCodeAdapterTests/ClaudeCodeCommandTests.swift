import ClaudeCodeAdapter
import Executor
import Testing

@Suite("Claude Code command")
struct ClaudeCodeCommandTests {
    let context = AgentContext(home: "/home/u", runDirectory: "/home/u/.runjob/r1")

    @Test("without options: the headless stream-json command, prompt on stdin, cwd under the instance home")
    func minimal() throws {
        let spec = try ClaudeCodeAgent().processSpec(for: claudeSession(), context: context)
        #expect(spec.name == "cc-review")
        #expect(spec.session == "review")
        #expect(spec.program == .argv(["claude", "-p", "--output-format", "stream-json", "--verbose"]))
        #expect(spec.cwd == "/home/u/app")
        #expect(spec.stdin == .file("cc-review.prompt"))
        #expect(spec.inputFiles == [.init(name: "cc-review.prompt", content: "Review the code.")])
        #expect(spec.env.isEmpty)
        #expect(spec.restart == .never)
    }

    @Test("every option, in a fixed order: variadic tools last and comma-joined, resume in = form, system prompt as a file")
    func allOptions() throws {
        let session = claudeSession([
            OptionEntry("model", .text("opus")),
            OptionEntry("permission_mode", .text("acceptEdits")),
            OptionEntry("allowed_tools", .list([.text("Read"), .text("Edit"), .text("Bash(git log:*)")])),
            OptionEntry("disallowed_tools", .list([.text("WebFetch")])),
            OptionEntry("max_turns", .integer(12)),
            OptionEntry("append_system_prompt", .text("Be terse.\nNever push.")),
            OptionEntry("resume", .text("2f6c1e0a-8d1b-4c3e-9a57-0b7d4e2c9f10")),
        ])
        let spec = try ClaudeCodeAgent().processSpec(for: session, context: context)
        #expect(
            spec.program
                == .argv([
                    "claude", "-p", "--output-format", "stream-json", "--verbose", "--model", "opus", "--permission-mode", "acceptEdits",
                    "--max-turns", "12", "--append-system-prompt-file", "/home/u/.runjob/r1/cc-review.system-prompt",
                    "--resume=2f6c1e0a-8d1b-4c3e-9a57-0b7d4e2c9f10", "--allowedTools", "Read,Edit,Bash(git log:*)", "--disallowedTools",
                    "WebFetch",
                ]))
        #expect(
            spec.inputFiles == [
                .init(name: "cc-review.prompt", content: "Review the code."),
                .init(name: "cc-review.system-prompt", content: "Be terse.\nNever push."),
            ])
        #expect(spec.env.isEmpty)
    }

    @Test("a resume id starting with - stays one word thanks to the = form")
    func resumeWithDash() throws {
        let spec = try ClaudeCodeAgent().processSpec(for: claudeSession([OptionEntry("resume", .text("-nightly"))]), context: context)
        guard case .argv(let argv) = spec.program else { Issue.record("not argv"); return }
        #expect(argv.last == "--resume=-nightly")
        #expect(!argv.contains("--resume"))
    }

    @Test("bypassPermissions sets IS_SANDBOX=1; other modes do not")
    func sandboxFlag() throws {
        let bypass = try ClaudeCodeAgent().processSpec(
            for: claudeSession([OptionEntry("permission_mode", .text("bypassPermissions"))]), context: context)
        #expect(bypass.env == [EnvVar("IS_SANDBOX", "1")])
        guard case .argv(let argv) = bypass.program else { Issue.record("not argv"); return }
        #expect(argv.suffix(2) == ["--permission-mode", "bypassPermissions"])
        let plan = try ClaudeCodeAgent().processSpec(for: claudeSession([OptionEntry("permission_mode", .text("plan"))]), context: context)
        #expect(plan.env.isEmpty)
    }

    @Test("an empty appended system prompt is left out; an absolute cwd is kept; names are sanitized with the cc- prefix")
    func edges() throws {
        let session = claudeSession([OptionEntry("append_system_prompt", .text(""))], name: "nightly_review", cwd: .absolute("/srv/repo"))
        let spec = try ClaudeCodeAgent().processSpec(for: session, context: context)
        #expect(spec.name == "cc-nightly-review")
        #expect(spec.cwd == "/srv/repo")
        #expect(spec.inputFiles.map(\.name) == ["cc-nightly-review.prompt"])
        #expect(ClaudeCodeAgent.processName(for: "42") == "cc-42")
    }

    @Test("secrets stay out of argv: secret env values and a secret prompt only travel as data")
    func secretsStayOut() throws {
        let key = Secret(source: .env("GITHUB_TOKEN"), value: "ghp_secret_value_0123456789")
        let prompt = InterpolatedString(parts: [
            .literal("Use the token "), .secret(Secret(source: .env("PROMPT_SECRET"), value: "s3cr3t-prompt-value")),
        ])
        let session = claudeSession(prompt: prompt, env: [EnvVar("GITHUB_TOKEN", InterpolatedString(secret: key))])
        let spec = try ClaudeCodeAgent().processSpec(for: session, context: context)
        guard case .argv(let argv) = spec.program else { Issue.record("not argv"); return }
        #expect(!argv.joined(separator: " ").contains("secret"))
        #expect(spec.inputFiles.first?.content == prompt)
        #expect(spec.env.isEmpty)  // the session's env is added by SessionProcesses, never by the agent
    }

    @Test(
        "invalid options throw agent.invalid_options with the session in the context",
        arguments: [
            OptionEntry("permission_mode", .text("yolo")),
            OptionEntry("model", .text("")),
            OptionEntry("model", .text("--dangerously-skip-permissions")),
            OptionEntry("model", .text("opus 4")),
            OptionEntry("max_turns", .integer(0)),
            OptionEntry("max_turns", .text("3")),
            OptionEntry("allowed_tools", .list([.text("Read"), .text("")])),
            OptionEntry("allowed_tools", .list([.text("--tools")])),
            OptionEntry("disallowed_tools", .text("Bash")),
            OptionEntry("resume", .text("")),
            OptionEntry("resume", .text("a b")),
            OptionEntry("sandbox", .text("read-only")),
            OptionEntry("model", .text(InterpolatedString(secret: Secret(source: .env("MODEL"), value: "opus")))),
        ])
    func invalidOptions(entry: OptionEntry) {
        let error = #expect(throws: AgentError.self) {
            try ClaudeCodeAgent().processSpec(for: claudeSession([entry]), context: context)
        }
        #expect(error?.code == ErrorCode.Agent.invalidOptions)
        #expect(error?.context.contains(ErrorContext("session", "review")) == true)
        #expect(error?.message.contains("`\(entry.key)") == true)
    }

    @Test("a missing or blank prompt is agent.missing_prompt; an oversized one is refused")
    func prompts() {
        for prompt in [nil, "", "  \n"] as [InterpolatedString?] {
            let error = #expect(throws: AgentError.self) {
                try ClaudeCodeAgent().processSpec(for: claudeSession(prompt: prompt), context: context)
            }
            #expect(error?.code == ErrorCode.Agent.missingPrompt)
            #expect(error?.context.contains(ErrorContext("session", "review")) == true)
        }
        let huge = InterpolatedString(String(repeating: "x", count: ClaudeCodeAgent.maxPromptBytes + 1))
        let error = #expect(throws: AgentError.self) { try ClaudeCodeAgent().processSpec(for: claudeSession(prompt: huge), context: context) }
        #expect(error?.code == ErrorCode.Agent.invalidOptions)
    }

    @Test("a session of another kind, or a run: session, is refused")
    func wrongKind() {
        var session = claudeSession()
        session.program = .agent(kind: "codex", options: AdapterOptions())
        #expect(throws: AgentError.self) { try ClaudeCodeAgent().processSpec(for: session, context: context) }
        session.program = .run(.shell("true"))
        #expect(throws: AgentError.self) { try ClaudeCodeAgent().processSpec(for: session, context: context) }
    }
}

@Suite("Claude Code warnings")
struct ClaudeCodeWarningTests {
    @Test("ANTHROPIC_API_KEY in the env outranks the installed login (secret or plain)")
    func apiKey() {
        let key = Secret(source: .env("ANTHROPIC_API_KEY"), value: "sk-ant-api03-0123456789")
        let warnings = ClaudeCodeAgent().warnings(for: claudeSession(env: [EnvVar("ANTHROPIC_API_KEY", InterpolatedString(secret: key))]))
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("ANTHROPIC_API_KEY is set") == true)
        #expect(warnings.first?.contains("CLAUDE_CODE_OAUTH_TOKEN and the stored login (~/.claude/.credentials.json)") == true)
        #expect(warnings.first?.contains("sk-ant") == false)
    }

    @Test("ANTHROPIC_AUTH_TOKEN and a cloud switch outrank it all; a switch set to 0 does not")
    func higherSources() {
        let warnings = ClaudeCodeAgent().warnings(
            for: claudeSession(env: [
                EnvVar("ANTHROPIC_AUTH_TOKEN", "tok"), EnvVar("CLAUDE_CODE_USE_BEDROCK", "1"), EnvVar("CLAUDE_CODE_USE_VERTEX", "0"),
            ]))
        #expect(warnings.count == 2)
        #expect(warnings.contains { $0.hasPrefix("CLAUDE_CODE_USE_BEDROCK is set") })
        #expect(warnings.contains { $0.hasPrefix("ANTHROPIC_AUTH_TOKEN is set") && $0.contains("outranks ANTHROPIC_API_KEY") })
    }

    @Test("max_turns: 1 leaves no room for a tool")
    func oneTurn() {
        let warnings = ClaudeCodeAgent().warnings(for: claudeSession([OptionEntry("max_turns", .integer(1))]))
        #expect(warnings == ["max_turns: 1 stops before any tool runs (delivering the prompt counts as a turn); use 2 or more"])
    }

    @Test("no warning for OAuth token, credentials, an empty key, or max_turns 2")
    func none() {
        let session = claudeSession(
            [OptionEntry("max_turns", .integer(2))],
            env: [EnvVar("CLAUDE_CODE_OAUTH_TOKEN", "t"), EnvVar("ANTHROPIC_API_KEY", ""), EnvVar("CLAUDE_CONFIG_DIR", "~/.claude")])
        #expect(ClaudeCodeAgent().warnings(for: session).isEmpty)
    }
}
