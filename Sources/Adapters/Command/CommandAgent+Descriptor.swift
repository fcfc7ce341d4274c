import Executor

extension CommandAgent {
    /// `agent: command`.
    public static let descriptor = AgentDescriptor(
        kind: "command",
        summary: "Any agent CLI given as argv; the prompt (if any) arrives on stdin",
        sessionOptions: OptionSchema([
            OptionField(
                "argv", .list(.text(.any)), required: true, secrets: .command,
                doc: "Program and arguments, e.g. [aider, --yes-always, --message-file, /dev/stdin]")
        ]),
        requiresPrompt: false,
        make: { CommandAgent() })
}
