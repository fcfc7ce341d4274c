/// A command to run on an instance, as data: an argv list or a bash script,
/// with an absolute working directory and plain environment variables.
///
/// Secret values never go into a CommandSpec (argv and environment of remote
/// commands can be visible in process lists); they travel on stdin or in 0600
/// files. ``ShellScript`` turns a spec into bash text, quoting every value.
public struct CommandSpec: Sendable, Equatable {
    /// What runs.
    public enum Program: Sendable, Equatable {
        /// Program and arguments, no shell interpretation.
        case argv([String])
        /// A bash script.
        case shell(String)
    }

    /// What runs.
    public var program: Program
    /// Absolute working directory (`nil`: the instance home).
    public var cwd: String?
    /// Plain environment variables, in order.
    public var env: [(name: String, value: String)]
    /// A short name for logs and errors (`credentials:claude`).
    public var label: String?
    /// Whether the command only reads (status, logs, state): it changes nothing on the instance.
    public var readOnly: Bool

    /// Creates a command.
    public init(_ program: Program, cwd: String? = nil, env: [(name: String, value: String)] = [], label: String? = nil, readOnly: Bool = false) {
        self.program = program
        self.cwd = cwd
        self.env = env
        self.label = label
        self.readOnly = readOnly
    }

    /// An argv command.
    public static func argv(_ arguments: [String], cwd: String? = nil, label: String? = nil) -> CommandSpec {
        CommandSpec(.argv(arguments), cwd: cwd, label: label)
    }

    /// A shell command.
    public static func shell(_ script: String, cwd: String? = nil, label: String? = nil) -> CommandSpec {
        CommandSpec(.shell(script), cwd: cwd, label: label)
    }

    /// Compares program, cwd, environment and label.
    public static func == (lhs: CommandSpec, rhs: CommandSpec) -> Bool {
        lhs.program == rhs.program && lhs.cwd == rhs.cwd && lhs.label == rhs.label && lhs.readOnly == rhs.readOnly
            && lhs.env.map(\.name) == rhs.env.map(\.name) && lhs.env.map(\.value) == rhs.env.map(\.value)
    }
}

/// Renders a ``CommandSpec`` as one bash script — the only place commands become shell text.
public enum ShellScript {
    /// Bash text that changes to the cwd (failing loudly when missing), exports the
    /// environment, and runs the program (argv with `exec`, a script inline).
    public static func render(_ command: CommandSpec) -> String {
        var lines: [String] = []
        if let cwd = command.cwd {
            lines.append("cd -- \(ShellQuoting.quote(cwd)) || exit \(RemoteExitStatus.missingDirectory.code)")
        }
        for variable in command.env {
            lines.append("export \(variable.name)=\(ShellQuoting.quote(variable.value))")
        }
        switch command.program {
        case .argv(let arguments):
            lines.append("exec " + ShellQuoting.join(arguments))
        case .shell(let script):
            lines.append(script)
        }
        return lines.joined(separator: "\n")
    }
}
