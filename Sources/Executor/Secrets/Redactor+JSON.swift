extension Redactor {
    /// `value` with every string value redacted, before it is serialized: the structure,
    /// the keys and every number, Boolean and null stay as they are, so the document
    /// still parses whatever a secret's value is.
    public func redact(_ value: JSONValue) -> JSONValue {
        guard compiled() != nil else { return value }
        return redactStrings(value)
    }

    private func redactStrings(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): .string(redact(text))
        case .array(let items): .array(items.map(redactStrings))
        case .object(let members): .object(members.map { JSONValue.Member($0.key, redactStrings($0.value)) })
        case .null, .bool, .int, .double: value
        }
    }
}
