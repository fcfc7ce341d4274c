/// Where a secret value comes from: what plans and messages show instead of the value.
public struct SecretSource: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The kind of origin.
    public enum Kind: String, Sendable, Hashable, Codable, Comparable {
        /// An environment variable of the process running runjob (`${env:NAME}`).
        case env
        /// A file on the machine running runjob (`${file:PATH}`).
        case file
        /// A value that only exists at run time (a token a provider returned, for example).
        case runtime
        /// A value of a stored login (`${auth:claude}`, `${auth:claude.access_token}`).
        case auth

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The kind of origin.
    public var kind: Kind
    /// The variable name, the file path as written in the manifest, or a runtime label.
    public var name: String

    /// Creates a source description.
    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// A source for the environment variable `name`.
    public static func env(_ name: String) -> SecretSource { SecretSource(kind: .env, name: name) }
    /// A source for the file at `path` (as written in the manifest).
    public static func file(_ path: String) -> SecretSource { SecretSource(kind: .file, name: path) }
    /// A source for the value `name` of a stored login (`claude`, `claude.access_token`).
    public static func auth(_ name: String) -> SecretSource { SecretSource(kind: .auth, name: name) }
    /// A source for a value produced at run time.
    public static func runtime(_ label: String) -> SecretSource { SecretSource(kind: .runtime, name: label) }

    /// `env:NAME`, `file:PATH`, `auth:NAME` or `runtime:LABEL`.
    public var description: String { "\(kind.rawValue):\(name)" }

    /// Orders by kind, then name.
    public static func < (lhs: SecretSource, rhs: SecretSource) -> Bool {
        (lhs.kind, lhs.name) < (rhs.kind, rhs.name)
    }
}
