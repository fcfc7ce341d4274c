/// The provider block of a manifest: which adapter boots machines, with its options.
public struct ProviderSpec: Sendable, Equatable {
    /// The adapter kind (`local`, `morph`, …).
    public var kind: String
    /// The adapter's validated options.
    public var options: AdapterOptions

    /// Creates a provider spec.
    public init(kind: String, options: AdapterOptions = AdapterOptions()) {
        self.kind = kind
        self.options = options
    }

    /// The plan's JSON form (secrets as placeholders; options under `options`).
    public func json(_ style: PlaceholderStyle = .withState) -> JSONValue {
        options.isEmpty ? .object(["kind": .string(kind)]) : .object(["kind": .string(kind), "options": options.json(style)])
    }
}

/// The process manager block: which adapter keeps sessions running.
public struct ProcessManagerSpec: Sendable, Equatable {
    /// The adapter kind (`shell`, `pm2`).
    public var kind: String
    /// The adapter's validated options.
    public var options: AdapterOptions

    /// Creates a process manager spec.
    public init(kind: String, options: AdapterOptions = AdapterOptions()) {
        self.kind = kind
        self.options = options
    }

    /// The plan's JSON form (options under `options`).
    public func json(_ style: PlaceholderStyle = .withState) -> JSONValue {
        options.isEmpty ? .object(["kind": .string(kind)]) : .object(["kind": .string(kind), "options": options.json(style)])
    }
}
