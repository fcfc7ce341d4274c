import Executor

/// What a manifest may read from the machine running runjob: environment
/// variables and files for `${env:…}` / `${file:…}`, and stored logins for
/// `${auth:…}`. Injected, so tests pass their own and nothing reads the real
/// environment behind the caller's back.
public struct ManifestEnvironment: Sendable {
    /// The outcome of reading a file named in `${file:…}`.
    public enum FileContent: Sendable, Equatable {
        /// The file's text.
        case text(String)
        /// There is no such file.
        case missing
        /// It is larger than the limit (its size in bytes).
        case tooLarge(Int)
        /// It exists but cannot be used (unreadable, not UTF-8, a directory); the reason says which.
        case unusable(String)
    }

    /// Environment variables.
    public var variables: [String: String]
    /// Folder that relative `${file:…}` paths start from (the manifest's folder).
    public var baseDirectory: String
    /// Home directory for `${file:~/…}` (the user running runjob); `nil` makes `~` paths missing.
    public var home: String?
    /// Reads an absolute path.
    public var readFile: @Sendable (String) -> FileContent
    /// Reads a stored login (`${auth:NAME}`); by default through the login adapter, from `variables`.
    public var readLogin: @Sendable (LoginSourceDescriptor) -> LoginState

    /// Creates an environment; without `readLogin`, logins are read by their adapters from `variables`.
    public init(
        variables: [String: String], baseDirectory: String, home: String?,
        readLogin: (@Sendable (LoginSourceDescriptor) -> LoginState)? = nil, readFile: @escaping @Sendable (String) -> FileContent
    ) {
        self.variables = variables
        self.baseDirectory = baseDirectory
        self.home = home
        self.readFile = readFile
        self.readLogin = readLogin ?? { descriptor in descriptor.read(variables) }
    }

    /// An environment with the given variables and no files.
    public static func variablesOnly(_ variables: [String: String]) -> ManifestEnvironment {
        ManifestEnvironment(variables: variables, baseDirectory: "/", home: nil) { _ in .missing }
    }

    /// The absolute path a `${file:…}` reference names.
    public func resolvePath(_ path: String) -> String? {
        if path == "~" || path.hasPrefix("~/") {
            guard let home else { return nil }
            return home + path.dropFirst()
        }
        if path.hasPrefix("/") { return path }
        let base = baseDirectory.hasSuffix("/") ? baseDirectory : baseDirectory + "/"
        return base + (path.hasPrefix("./") ? String(path.dropFirst(2)) : path)
    }
}
