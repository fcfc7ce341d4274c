/// A command as the manifest declares it: an argv list or a shell script.
///
/// Arguments may start with `~`/`~/` (the instance home, expanded at run time);
/// secrets are never allowed inside (they would show in process lists), so the
/// texts are plain.
public enum CommandTemplate: Sendable, Hashable, CustomStringConvertible {
    /// Program and arguments, run without a shell.
    case argv([String])
    /// A bash script.
    case shell(String)

    /// A one-line rendering for plans: the argv quoted for bash, or the script.
    public var description: String {
        switch self {
        case .argv(let arguments): ShellQuoting.join(arguments)
        case .shell(let script): script
        }
    }

    /// The plan's JSON form: `{"argv": [...]}` or `{"shell": "..."}`.
    public var json: JSONValue {
        switch self {
        case .argv(let arguments): .object(["argv": .array(arguments.map { .string($0) })])
        case .shell(let script): .object(["shell": .string(script)])
        }
    }
}
