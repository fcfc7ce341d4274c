import Executor

/// How a scalar was written; the schema uses it to decide what the text means.
public enum ScalarStyle: UInt8, Sendable, Equatable {
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

/// A parsed YAML document: every node's kind, position and children in flat
/// arrays (one allocation per array, not per node), shared by the lightweight
/// ``YAMLNode`` views into it. Immutable once built.
public final class YAMLDocument: Sendable {
    /// One node: what it is, where it starts, and its payload.
    struct Record: Sendable {
        /// 0 scalar, 1 mapping, 2 sequence.
        var kind: UInt8
        /// The scalar style (scalars only).
        var style: ScalarStyle
        /// 1-based index into `tags`, or 0 for no tag.
        var tag: UInt16
        var line: Int32
        var column: Int32
        /// Scalars: index into `scalars`. Containers: index into `children`.
        var first: Int32
        /// Containers: number of entries in `children` (mappings store key, value, key, value…).
        var count: Int32
    }

    /// The file as named in diagnostics.
    public let file: String
    let records: [Record]
    let scalars: [String]
    let children: [Int32]
    let tags: [String]

    init(file: String, records: [Record], scalars: [String], children: [Int32], tags: [String]) {
        self.file = file
        self.records = records
        self.scalars = scalars
        self.children = children
        self.tags = tags
    }
}

/// One node of a parsed YAML document, with the position it was written at.
///
/// Aliases are resolved (the alias shares the anchored node's content) and
/// merge keys (`<<`) applied, so consumers see plain mappings, sequences and
/// scalars. A node is a cheap view (document + index); copying it copies no content.
public struct YAMLNode: Sendable, Equatable {
    /// The node's content, materialised (allocates for containers; prefer ``pairs``/``items``).
    public enum Content: Sendable, Equatable {
        /// A scalar.
        case scalar(YAMLScalar)
        /// A mapping, entries in document order.
        case mapping([YAMLPair])
        /// A sequence.
        case sequence([YAMLNode])
    }

    /// The document the node belongs to.
    public let document: YAMLDocument
    /// The node's index in the document.
    let index: Int32

    init(document: YAMLDocument, index: Int32) {
        self.document = document
        self.index = index
    }

    private var record: YAMLDocument.Record { document.records[Int(index)] }

    /// Where the node starts.
    public var location: SourceLocation {
        let record = record
        return SourceLocation(file: document.file, line: Int(record.line), column: Int(record.column))
    }

    /// The resolved tag, when one was written (`tag:yaml.org,2002:str`).
    public var tag: String? {
        let tag = record.tag
        return tag == 0 ? nil : document.tags[Int(tag) - 1]
    }

    /// The content (allocates arrays for containers).
    public var content: Content {
        if let scalar { return .scalar(scalar) }
        if let pairs { return .mapping(Array(pairs)) }
        return .sequence(Array(items ?? Items(document: document, first: 0, count: 0)))
    }

    /// The scalar, when this node is one.
    public var scalar: YAMLScalar? {
        let record = record
        guard record.kind == 0 else { return nil }
        return YAMLScalar(text: document.scalars[Int(record.first)], style: record.style)
    }

    /// The scalar's text, when this node is a scalar.
    public var scalarText: String? {
        let record = record
        return record.kind == 0 ? document.scalars[Int(record.first)] : nil
    }

    /// The entries, when this node is a mapping.
    public var pairs: Pairs? {
        let record = record
        guard record.kind == 1 else { return nil }
        return Pairs(document: document, first: Int(record.first), count: Int(record.count) / 2)
    }

    /// The items, when this node is a sequence.
    public var items: Items? {
        let record = record
        guard record.kind == 2 else { return nil }
        return Items(document: document, first: Int(record.first), count: Int(record.count))
    }

    /// The value for scalar key `key`, when this node is a mapping that has it.
    public subscript(key: String) -> YAMLNode? {
        guard let pairs else { return nil }
        for index in pairs.indices where pairs.keyText(at: index) == key { return pairs[index].value }
        return nil
    }

    /// What kind of node this is, for messages ("a mapping", "a list", "text").
    public var kindDescription: String {
        switch record.kind {
        case 1: "a mapping"
        case 2: "a list"
        default: (scalar?.isNull ?? false) ? "null" : "a scalar"
        }
    }

    /// Same node of the same document.
    public static func == (lhs: YAMLNode, rhs: YAMLNode) -> Bool {
        lhs.document === rhs.document && lhs.index == rhs.index
    }

    /// The entries of a mapping, without copying them.
    public struct Pairs: RandomAccessCollection, Sendable {
        let document: YAMLDocument
        let first: Int
        public let count: Int

        public var startIndex: Int { 0 }
        public var endIndex: Int { count }

        /// No entries.
        public static let empty = Pairs(document: YAMLDocument(file: "", records: [], scalars: [], children: [], tags: []), first: 0, count: 0)

        public subscript(position: Int) -> YAMLPair {
            let base = first + 2 * position
            return YAMLPair(
                key: YAMLNode(document: document, index: document.children[base]),
                value: YAMLNode(document: document, index: document.children[base + 1]))
        }

        /// The key text of entry `position`, without building nodes.
        public func keyText(at position: Int) -> String {
            let record = document.records[Int(document.children[first + 2 * position])]
            return record.kind == 0 ? document.scalars[Int(record.first)] : ""
        }
    }

    /// The items of a sequence, without copying them.
    public struct Items: RandomAccessCollection, Sendable {
        let document: YAMLDocument
        let first: Int
        public let count: Int

        public var startIndex: Int { 0 }
        public var endIndex: Int { count }

        /// No items.
        public static let empty = Items(document: YAMLDocument(file: "", records: [], scalars: [], children: [], tags: []), first: 0, count: 0)

        public subscript(position: Int) -> YAMLNode {
            YAMLNode(document: document, index: document.children[first + position])
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
    public var keyText: String { key.scalarText ?? "" }
}
