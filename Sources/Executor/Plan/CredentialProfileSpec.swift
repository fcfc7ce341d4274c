/// A set of credential files to install on a machine, with their directories
/// and an optional command that checks the result.
public struct CredentialProfileSpec: Sendable, Equatable {
    /// A directory to create (with its mode) before files are written.
    public struct Directory: Sendable, Equatable {
        /// Where.
        public var path: RemotePath
        /// Mode to apply (`nil`: leave as created).
        public var mode: FileMode?

        /// Creates a directory entry.
        public init(path: RemotePath, mode: FileMode? = nil) {
            self.path = path
            self.mode = mode
        }
    }

    /// A file to write atomically.
    public struct File: Sendable, Equatable {
        /// Where.
        public var path: RemotePath
        /// Mode of the file (credential files default to 0600).
        public var mode: FileMode
        /// The content; usually a secret (`${file:…}`).
        public var content: InterpolatedString

        /// Creates a file entry.
        public init(path: RemotePath, mode: FileMode = .ownerOnly, content: InterpolatedString) {
            self.path = path
            self.mode = mode
            self.content = content
        }
    }

    /// The profile's name (`claude`).
    public var name: String
    /// Directories, created in order.
    public var directories: [Directory]
    /// Files, written in order.
    public var files: [File]
    /// Environment variables given to every session that uses the profile.
    public var env: [EnvVar]
    /// A command that must exit 0 after installation.
    public var verify: CommandTemplate?

    /// Creates a profile.
    public init(name: String, directories: [Directory] = [], files: [File] = [], env: [EnvVar] = [], verify: CommandTemplate? = nil) {
        self.name = name
        self.directories = directories
        self.files = files
        self.env = env
        self.verify = verify
    }

    /// Every secret of the profile.
    public var secrets: [Secret] { files.flatMap(\.content.secrets) + env.flatMap(\.value.secrets) }

    /// Every interpolated value of the profile (for secrets digests and redaction).
    public var interpolatedValues: [InterpolatedString] { files.map(\.content) + env.map(\.value) }

    /// The plan's JSON form: contents as placeholders, never values.
    ///
    /// Keys are sorted, so canonical JSON needs no sorting.
    public func json(_ style: PlaceholderStyle = .withState) -> JSONValue {
        var members: [JSONValue.Member] = []
        members.append(
            .init(
                "dirs",
                .array(
                    directories.map { directory in
                        var entry: [JSONValue.Member] = []
                        if let mode = directory.mode { entry.append(.init("mode", .string(mode.description))) }
                        entry.append(.init("path", .string(directory.path.description)))
                        return .object(entry)
                    })))
        if !env.isEmpty { members.append(.init("env", EnvVar.json(env, style))) }
        members.append(
            .init(
                "files",
                .array(
                    files.map { file in
                        .object([
                            "content": .string(file.content.placeholder(style)), "mode": .string(file.mode.description),
                            "path": .string(file.path.description),
                        ])
                    })))
        members.append(.init("name", .string(name)))
        if let verify { members.append(.init("verify", verify.json)) }
        return .object(members)
    }
}
