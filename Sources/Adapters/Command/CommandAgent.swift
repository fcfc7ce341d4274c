import Executor

/// Runs any agent CLI given as argv (`argv:` in the session), with the prompt,
/// if any, on stdin. The escape hatch for agent CLIs without an adapter.
public struct CommandAgent: Agent {
    /// `command`.
    public let kind = "command"

    /// An agent.
    public init() {}

    /// The session's argv (with `~/` as the instance home), the prompt as an input file on stdin.
    public func processSpec(for session: SessionSpec, context: AgentContext) throws -> ProcessSpec {
        guard case .agent(_, let options) = session.program, let argv = options.textList("argv"), !argv.isEmpty else {
            throw AgentError(
                ErrorCode.Agent.invalidOptions, "a `command` session needs `argv: [program, args…]`", context: [.init("session", session.name)])
        }
        var spec = ProcessSpec(
            name: ProcessNaming.sanitize(session.name), session: session.name,
            program: .argv(argv.map { RemotePath.expandArgument($0, home: context.home) }), cwd: session.cwd.resolved(home: context.home))
        if let prompt = session.prompt {
            let file = spec.name + ".prompt"
            spec.inputFiles = [.init(name: file, content: prompt)]
            spec.stdin = .file(file)
        }
        return spec
    }
}
