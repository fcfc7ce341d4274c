/// A long-running process to start on an instance, as data.
///
/// Process managers must honour every field or refuse the spec with
/// `process.unsupported`; nothing is silently dropped.
public struct ProcessSpec: Sendable, Equatable {
    /// Where the process's stdin comes from.
    public enum Input: Sendable, Equatable {
        /// `/dev/null` (agents must never wait on a stdin that does not end).
        case none
        /// The named entry of ``inputFiles`` (the prompt).
        case file(String)
    }

    /// Restart behaviour.
    public enum Restart: Sendable, Equatable {
        /// Never restart (the default for agents and `run:` sessions).
        case never
        /// Restart on failure up to `maxRestarts` times.
        case onFailure(maxRestarts: Int)
    }

    /// A file written into the run directory before the process starts (mode 0600).
    public struct InputFile: Sendable, Equatable {
        /// File name inside the run directory (`<session>.prompt`).
        public var name: String
        /// Content (may be secret).
        public var content: InterpolatedString

        /// Creates an input file.
        public init(name: String, content: InterpolatedString) {
            self.name = name
            self.content = content
        }
    }

    /// Process name, unique on the instance (`cc-review`, `setup`).
    public var name: String
    /// The session it belongs to.
    public var session: String
    /// What runs (argv or script; its own cwd/env fields are ignored in favour of the ones below).
    public var program: CommandSpec.Program
    /// Absolute working directory; a missing one fails the start loudly.
    public var cwd: String
    /// Environment: plain values are exported in the wrapper, secret ones go to a 0600 env file.
    public var env: [EnvVar]
    /// Files to place in the run directory first.
    public var inputFiles: [InputFile]
    /// Where stdin comes from.
    public var stdin: Input
    /// Restart policy.
    public var restart: Restart
    /// Directories put first on PATH after the login shell resets it (`~/.local/bin`).
    public var pathPrefix: [String]

    /// Creates a process spec.
    public init(
        name: String, session: String, program: CommandSpec.Program, cwd: String, env: [EnvVar] = [], inputFiles: [InputFile] = [],
        stdin: Input = .none, restart: Restart = .never, pathPrefix: [String] = []
    ) {
        self.name = name
        self.session = session
        self.program = program
        self.cwd = cwd
        self.env = env
        self.inputFiles = inputFiles
        self.stdin = stdin
        self.restart = restart
        self.pathPrefix = pathPrefix
    }
}
