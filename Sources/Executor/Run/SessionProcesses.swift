/// Builds the process of a session: `run:` sessions directly, agent sessions
/// through their agent (which sets only what is its own: command, stdin, extra
/// env). Adds what every session gets: the env of its credential profiles and
/// its own env, and `~/.local/bin` first on PATH.
public enum SessionProcesses {
    /// The process name of a `run:` session.
    public static func processName(for session: SessionSpec) -> String {
        ProcessNaming.sanitize(session.name)
    }

    /// The process name `session` gets on an instance: its agent's prefix (if any) and the sanitized name.
    public static func processName(for session: SessionSpec, agents: [String: any Agent]) -> String {
        let prefix = session.agentKind.flatMap { agents[$0]?.processNamePrefix } ?? ""
        return prefix + ProcessNaming.sanitize(session.name)
    }

    /// The digest of what a session's process gets from secrets: its own env, prompt and
    /// agent options, and the env of its credential profiles (their files are the
    /// profiles' own: a change re-installs the profile, not the session), and the ids of the
    /// resources its env and prompt use (`resourceIDs` by resource name; a missing one, an
    /// optional resource that failed, counts as none): a new app restarts the session.
    public static func secretsDigest(for session: SessionSpec, plan: Plan, resourceIDs: [String: String] = [:]) -> String {
        var entries: [JSONValue] = [.string(plan.secrets.scopes["session:\(session.name)"] ?? "")]
        for name in plan.resources.isEmpty ? [] : Set(session.outputs.map(\.resource)).sorted() {
            entries.append(.array([.string("resource"), .string(name), .string(resourceIDs[name] ?? "-")]))
        }
        for name in session.credentials {
            for variable in plan.credentialProfile(name)?.env ?? [] {
                for secret in variable.value.secrets {
                    entries.append(
                        .array([
                            .string(name), .string(variable.name), .string(secret.source.description),
                            .string(secret.reveal().map { SHA256Hex.digest($0) } ?? "unset"),
                        ]))
                }
            }
        }
        return SHA256Hex.digest(JSONValue.array(entries).canonicalBytes())
    }

    /// The process spec for `session` on an instance with home `home`, in `runDirectory`.
    public static func spec(
        for session: SessionSpec, plan: Plan, agents: [String: any Agent], home: String, runDirectory: String
    ) throws -> ProcessSpec {
        var spec: ProcessSpec
        switch session.program {
        case .run(let command):
            let program: CommandSpec.Program
            switch command {
            case .argv(let arguments): program = .argv(arguments.map { RemotePath.expandArgument($0, home: home) })
            case .shell(let script): program = .shell(script)
            }
            spec = ProcessSpec(name: processName(for: session), session: session.name, program: program, cwd: session.cwd.resolved(home: home))
            if let prompt = session.prompt {
                spec.inputFiles = [.init(name: "\(spec.name).prompt", content: prompt)]
                spec.stdin = .file("\(spec.name).prompt")
            }
        case .agent(let kind, _):
            guard let agent = agents[kind] else {
                throw AgentError(
                    ErrorCode.Agent.configuration, "no agent adapter `\(kind)` is available in this runjob",
                    context: [.init("session", session.name)])
            }
            spec = try agent.processSpec(for: session, context: AgentContext(home: home, runDirectory: runDirectory))
        }
        // Precedence: the profiles' env, then the session's, then what the agent itself sets.
        var env: [EnvVar] = []
        func set(_ variable: EnvVar) {
            env.removeAll { $0.name == variable.name }
            env.append(variable)
        }
        for name in session.credentials {
            for variable in plan.credentialProfile(name)?.env ?? [] { set(variable) }
        }
        for variable in session.env { set(variable) }
        for variable in spec.env { set(variable) }
        spec.env = env
        if !spec.pathPrefix.contains(home + "/.local/bin") { spec.pathPrefix.insert(home + "/.local/bin", at: 0) }
        return spec
    }
}
