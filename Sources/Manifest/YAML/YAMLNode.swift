import Executor

/// How a scalar was written; the schema uses it to decide what the text means.
public enum ScalarStyle: Sendable, Equatable {
    /// Unquoted.
    case plain
    /// `'…'`
    case singleQuoted
    /// `"…"`
    case doubleQuoted
    /// `|` block.
    case literal
    /// `>` block.
    case folded

    /// Whether the scalar was quoted or a block (so it is certainly text).
    public var isQuotedOrBlock: Bool { self != .plain }
}

/// A scalar's source text (after YAML unescaping) and style.
public struct YAMLScalar: Sendable, Equatable {
    /// The text (escapes resolved, block indentation removed).
    public var text: String
    /// How it was written.
    public var style: ScalarStyle

    /// Creates a scalar.
    public init(text: String, style: ScalarStyle) {
        self.text = text
        self.style = style
    }

    /// Whether this is a plain scalar the YAML core schema reads as null (`~`, `null`, empty).
    public var isNull: Bool {
        style == .plain && (text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL")
    }
}

/// One node of a parsed YAML document, with the position it was written at.
///
/// Aliases are resolved (the alias shares the anchored node) and merge keys
/// (`<<`) applied, so consumers see plain mappings, sequences and scalars.
public struct YAMLNode: Sendable, Equatable {
    /// The node's content.
    public enum Content: Sendable, Equatable {
        /// A scalar.
        case scalar(YAMLScalar)
        /// A mapping, entries in document order.
        case mapping([YAMLPair])
        /// A sequence.
        case sequence([YAMLNode])
    }

    /// The content.
    public var content: Content
    /// Where the node starts.
    public var location: SourceLocation
    /// The resolved tag, when one was written (`tag:yaml.org,2002:str`).
    public var tag: String?

    /// Creates a node.
    public init(_ content: Content, location: SourceLocation, tag: String? = nil) {
        self.content = content
        self.location = location
        self.tag = tag
    }

    /// The scalar, when this node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { scalar } else { nil }
    }

    /// The entries, when this node is a mapping.
    public var pairs: [YAMLPair]? {
        if case .mapping(let pairs) = content { pairs } else { nil }
    }

    /// The items, when this node is a sequence.
    public var items: [YAMLNode]? {
        if case .sequence(let items) = content { items } else { nil }
    }

    /// The value for scalar key `key`, when this node is a mapping that has it.
    public subscript(key: String) -> YAMLNode? {
        pairs?.first { $0.key.scalar?.text == key }?.value
    }

    /// What kind of node this is, for messages ("a mapping", "a list", "text").
    public var kindDescription: String {
        switch content {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let scalar): scalar.isNull ? "null" : "a scalar"
        }
    }
}

/// One mapping entry.
public struct YAMLPair: Sendable, Equatable {
    /// The key node (always a scalar after reading).
    public var key: YAMLNode
    /// The value node.
    public var value: YAMLNode

    /// Creates an entry.
    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }

    /// The key's text.
    public var keyText: String { key.scalar?.text ?? "" }
}
