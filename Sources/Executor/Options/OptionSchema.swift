/// The declared shape of a block of manifest options: its fields, their types,
/// whether they are required, whether they may hold secrets, and a doc line.
///
/// Adapters export one per block they own (a provider's `provider:` and machine
/// options, an agent's session options, …). The manifest validator and the JSON
/// Schema that `runjob schema` prints are both generated from these values, so
/// they cannot drift apart.
public struct OptionSchema: Sendable {
    /// The fields, in documentation order.
    public var fields: [OptionField]

    /// A schema with the given fields.
    public init(_ fields: [OptionField]) {
        self.fields = fields
    }

    /// A schema with no fields.
    public static let empty = OptionSchema([])

    /// The field named `name`, if declared.
    public func field(_ name: String) -> OptionField? {
        fields.first { $0.name == name }
    }

    /// This schema followed by `other`'s fields.
    /// A field of `other` with the name of one of these replaces it (a provider gives a
    /// common machine field its own meaning: the ssh provider's `home`).
    public func merging(_ other: OptionSchema) -> OptionSchema {
        let replaced = Set(other.fields.map(\.name))
        return OptionSchema(fields.filter { !replaced.contains($0.name) } + other.fields)
    }
}

/// One declared option.
public struct OptionField: Sendable {
    /// The YAML key.
    public var name: String
    /// What the value must be.
    public var type: OptionType
    /// Whether the key must be present.
    public var required: Bool
    /// Where secrets are allowed in the value.
    public var secrets: SecretPolicy
    /// One line for README, `runjob schema` and diagnostics.
    public var doc: String
    /// What applies when the key is absent, for documentation (`nil`: nothing).
    public var defaultDescription: String?

    /// Declares an option.
    public init(
        _ name: String, _ type: OptionType, required: Bool = false, secrets: SecretPolicy = .forbidden,
        doc: String, default defaultDescription: String? = nil
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.secrets = secrets
        self.doc = doc
        self.defaultDescription = defaultDescription
    }
}

/// Whether a field may contain `${env:…}`/`${file:…}` secrets.
public enum SecretPolicy: Sendable, Equatable {
    /// A secret here is an error (`manifest.secret_not_allowed`).
    case forbidden
    /// Secrets are welcome (keys, tokens, credential contents, env values).
    case allowed
    /// Part of a command: a secret would show in process lists (`manifest.secret_in_command`).
    case command
    /// Secrets and resource outputs (`${resource:…}`) are welcome: a session's `env` and
    /// `prompt`, a credential file's `content`. Everywhere else an output is
    /// `manifest.output_not_allowed`.
    case allowedWithOutputs
}

/// The type of an option value.
public indirect enum OptionType: Sendable {
    /// A string scalar in the given format.
    case text(TextFormat)
    /// A path on the instance: absolute or `~`-relative.
    case path
    /// An octal file mode (`0600` or `"0600"`).
    case mode
    /// A whole number within bounds.
    case integer(min: Int?, max: Int?)
    /// `true` or `false` (never `yes`/`no`/`on`/`off`).
    case boolean
    /// A duration: whole seconds, or text such as `500ms`, `30s`, `5m`, `2h`.
    case duration
    /// One of the listed words.
    case choice([String])
    /// A list of values.
    case list(OptionType)
    /// A mapping from keys of the given format to values.
    case map(key: TextFormat, value: OptionType)
    /// A nested block with its own fields.
    case object(OptionSchema)
    /// Any YAML value, kept as JSON (machine info).
    case json
    /// A command: a shell string, `{shell: …}` or `{argv: […]}`.
    case command
    /// A block whose fields depend on the value of one of its keys (`kind`, `agent`).
    case variants(Variants)
}

/// A block whose fields depend on a discriminator key, such as a provider block
/// (`kind: morph` brings Morph's options) or a session (`agent: claude` brings
/// Claude's options).
public struct Variants: Sendable {
    /// One possible shape.
    public struct Case: Sendable {
        /// The discriminator value that selects it.
        public var name: String
        /// One line for documentation.
        public var doc: String
        /// Its fields, without the discriminator.
        public var schema: OptionSchema

        /// Creates a case.
        public init(name: String, doc: String, schema: OptionSchema) {
            self.name = name
            self.doc = doc
            self.schema = schema
        }
    }

    /// The key whose value selects the case (`kind`, `agent`).
    public var discriminator: String
    /// The cases, in documentation order.
    public var cases: [Case]
    /// Whether a bare scalar means `{discriminator: scalar}` (`provider: local`).
    public var allowsShorthand: Bool
    /// The shape when the discriminator is absent (`nil`: the discriminator is required).
    public var fallback: Case?

    /// Creates a variants type.
    public init(discriminator: String, cases: [Case], allowsShorthand: Bool, fallback: Case? = nil) {
        self.discriminator = discriminator
        self.cases = cases
        self.allowsShorthand = allowsShorthand
        self.fallback = fallback
    }

    /// The case named `name`.
    public func `case`(_ name: String) -> Case? { cases.first { $0.name == name } }
}

/// What a string scalar must look like.
public enum TextFormat: Sendable, Equatable {
    /// Any text.
    case any
    /// A runjob name: `^[a-z][a-z0-9_-]{0,62}$`.
    case name
    /// An environment variable name: `^[A-Za-z_][A-Za-z0-9_]*$`.
    case envName
    /// An `http://` or `https://` URL.
    case url
    /// A label or metadata key: 1–63 characters of letters, digits, `.`, `_`, `-`, `/`.
    case labelKey
    /// A non-empty single line.
    case line
}
