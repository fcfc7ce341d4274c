/// A validated option value, as the validator produced it from the YAML.
public enum OptionValue: Sendable, Equatable {
    case text(InterpolatedString)
    case path(RemotePath)
    case mode(FileMode)
    case integer(Int)
    case boolean(Bool)
    /// A duration in milliseconds.
    case duration(Int)
    case list([OptionValue])
    /// Entries in the order they were written.
    case map([OptionEntry])
    case object(AdapterOptions)
    case json(JSONValue)
    case command(CommandTemplate)
    /// A variants block: the selected case (`nil` for the fallback) and its options.
    case variant(String?, AdapterOptions)

    /// The plan's JSON form: secrets as placeholders, durations in milliseconds.
    public func json(_ style: PlaceholderStyle = .withState) -> JSONValue {
        switch self {
        case .text(let text): .string(text.placeholder(style))
        case .path(let path): .string(path.description)
        case .mode(let mode): .string(mode.description)
        case .integer(let value): .int(value)
        case .boolean(let value): .bool(value)
        case .duration(let milliseconds): .int(milliseconds)
        case .list(let items): .array(items.map { $0.json(style) })
        case .map(let entries): .object(entries.map { .init($0.key, $0.value.json(style)) })
        case .object(let options): options.json(style)
        case .json(let value): value
        case .command(let command): command.json
        case .variant(_, let options): options.json(style)
        }
    }

    /// Every secret inside, in order.
    public var secrets: [Secret] {
        switch self {
        case .text(let text): text.secrets
        case .list(let items): items.flatMap(\.secrets)
        case .map(let entries): entries.flatMap(\.value.secrets)
        case .object(let options), .variant(_, let options): options.secrets
        default: []
        }
    }

    /// Every interpolated string inside, in order.
    public var interpolatedStrings: [InterpolatedString] {
        switch self {
        case .text(let text): [text]
        case .list(let items): items.flatMap(\.interpolatedStrings)
        case .map(let entries): entries.flatMap(\.value.interpolatedStrings)
        case .object(let options), .variant(_, let options): options.values.flatMap(\.value.interpolatedStrings)
        default: []
        }
    }
}

/// One key/value pair of a map option.
public struct OptionEntry: Sendable, Equatable {
    /// The key as written.
    public var key: String
    /// The value.
    public var value: OptionValue

    /// Creates an entry.
    public init(_ key: String, _ value: OptionValue) {
        self.key = key
        self.value = value
    }
}

/// The validated options of one adapter block, in declaration order of the schema.
public struct AdapterOptions: Sendable, Equatable {
    /// Present options in schema order.
    public private(set) var values: [OptionEntry]

    /// Options from entries (kept in the given order).
    public init(_ values: [OptionEntry] = []) {
        self.values = values
    }

    /// The value of `name`, if given.
    public subscript(name: String) -> OptionValue? {
        values.first { $0.key == name }?.value
    }

    /// A text option.
    public func text(_ name: String) -> InterpolatedString? {
        if case .text(let value)? = self[name] { value } else { nil }
    }

    /// A text option without secrets.
    public func plainText(_ name: String) -> String? {
        text(name)?.plainValue
    }

    /// An integer option.
    public func integer(_ name: String) -> Int? {
        if case .integer(let value)? = self[name] { value } else { nil }
    }

    /// A Boolean option.
    public func boolean(_ name: String) -> Bool? {
        if case .boolean(let value)? = self[name] { value } else { nil }
    }

    /// A duration option in milliseconds.
    public func durationMilliseconds(_ name: String) -> Int? {
        if case .duration(let value)? = self[name] { value } else { nil }
    }

    /// A path option.
    public func path(_ name: String) -> RemotePath? {
        if case .path(let value)? = self[name] { value } else { nil }
    }

    /// A list of plain texts.
    public func textList(_ name: String) -> [String]? {
        guard case .list(let items)? = self[name] else { return nil }
        return items.compactMap { if case .text(let text) = $0 { text.plainValue } else { nil } }
    }

    /// A nested block.
    public func object(_ name: String) -> AdapterOptions? {
        if case .object(let value)? = self[name] { value } else { nil }
    }

    /// Every secret in these options.
    public var secrets: [Secret] { values.flatMap(\.value.secrets) }

    /// The plan's JSON form (an object, schema order).
    public func json(_ style: PlaceholderStyle = .withState) -> JSONValue { .object(values.map { .init($0.key, $0.value.json(style)) }) }

    /// Whether no option is set.
    public var isEmpty: Bool { values.isEmpty }
}
