/// One output a resource adapter declares (`app_id`, `admin_token`): what
/// `${resource:NAME.OUTPUT}` may name, and whether its value is secret.
public struct ResourceOutputField: Sendable, Equatable {
    /// The output's name.
    public var name: String
    /// One line for the schema and help texts.
    public var doc: String
    /// Whether the value is secret: redacted everywhere, never in a label or a plan.
    public var isSecret: Bool

    /// Declares an output.
    public init(_ name: String, secret: Bool, doc: String) {
        self.name = name
        self.doc = doc
        self.isSecret = secret
    }
}

/// What a resource adapter declares: its `kind`, the options of a `resources:` entry,
/// its outputs, and the factory that makes it for a run.
public struct ResourceDescriptor: Sendable {
    /// The `kind:` value (`instant`).
    public var kind: String
    /// One line for help texts and the schema.
    public var summary: String
    /// Options besides the common ones (`kind`, `optional`, `keep`).
    public var options: OptionSchema
    /// The outputs, in help order.
    public var outputs: [ResourceOutputField]
    /// Makes the adapter for one resource from its options and this process's environment;
    /// throws a `ResourceError` saying why it cannot be used here.
    public var make: @Sendable (ResourceContext) throws -> any ResourceProvider

    /// Declares a resource adapter.
    public init(
        kind: String, summary: String, options: OptionSchema, outputs: [ResourceOutputField],
        make: @escaping @Sendable (ResourceContext) throws -> any ResourceProvider
    ) {
        self.kind = kind
        self.summary = summary
        self.options = options
        self.outputs = outputs
        self.make = make
    }

    /// The output named `name`.
    public func output(_ name: String) -> ResourceOutputField? { outputs.first { $0.name == name } }
}

/// What a resource factory gets: the resource's options, the environment, whether this is a
/// quick look (`status`), its logger.
public typealias ResourceContext = AdapterContext
