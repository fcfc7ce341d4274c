/// A string assembled from literal text and secrets, such as
/// `Bearer ${env:TOKEN}` or a credentials file's `${file:…}` content.
///
/// Like ``Secret`` it shows placeholders wherever it is printed or encoded;
/// ``reveal()`` assembles the real value.
public struct InterpolatedString: Sendable, Equatable, CustomStringConvertible, Encodable,
    ExpressibleByStringLiteral
{
    /// One piece of the string.
    public enum Part: Sendable, Equatable {
        /// Text written in the manifest (or a `|plain` value).
        case literal(String)
        /// A secret value.
        case secret(Secret)
        /// A `|plain` variable that was not set: not secret, but unknown.
        case unset(SecretSource)
        /// A resource's output (`${resource:db.admin_token}`): known only at run time, once the
        /// resource exists; ``bound(to:)`` puts the value in.
        case output(OutputReference)
    }

    /// The pieces in order.
    public var parts: [Part]

    /// Creates a string from its pieces; adjacent literals are merged.
    public init(parts: [Part]) {
        var merged: [Part] = []
        for part in parts {
            if case .literal(let text) = part, case .literal(let previous)? = merged.last {
                merged[merged.count - 1] = .literal(previous + text)
            } else if case .literal(let text) = part, text.isEmpty {
                continue
            } else {
                merged.append(part)
            }
        }
        self.parts = merged
    }

    /// A plain string without secrets.
    public init(_ literal: String) {
        parts = literal.isEmpty ? [] : [.literal(literal)]
    }

    /// A plain string without secrets.
    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// A string made of one secret.
    public init(secret: Secret) {
        self.init(parts: [.secret(secret)])
    }

    /// Whether any part is a secret.
    public var containsSecret: Bool {
        parts.contains { if case .secret = $0 { true } else { false } }
    }

    /// The secrets it contains, in order.
    public var secrets: [Secret] {
        parts.compactMap { if case .secret(let secret) = $0 { secret } else { nil } }
    }

    /// The resource outputs it refers to, in order.
    public var outputs: [OutputReference] {
        parts.compactMap { if case .output(let reference) = $0 { reference } else { nil } }
    }

    /// Sources whose value is unknown (unset variables, missing files). Resource outputs are
    /// not among them: they are known at run time by design.
    public var unresolvedSources: [SecretSource] {
        parts.compactMap {
            switch $0 {
            case .literal, .output: nil
            case .secret(let secret): secret.isResolved ? nil : secret.source
            case .unset(let source): source
            }
        }
    }

    /// The string with every resource output replaced by its value (a secret output as a
    /// ``Secret`` of source `runtime:resource:NAME.OUTPUT`, another one as text); `nil` when
    /// a resource it refers to has no value (an optional resource that failed).
    public func bound(to outputs: ResourceOutputs) -> InterpolatedString? {
        guard parts.contains(where: { if case .output = $0 { true } else { false } }) else { return self }
        var bound: [Part] = []
        bound.reserveCapacity(parts.count)
        for part in parts {
            guard case .output(let reference) = part else {
                bound.append(part)
                continue
            }
            guard let value = outputs.value(of: reference) else { return nil }
            bound.append(reference.isSecret ? .secret(Secret(source: reference.secretSource, value: value)) : .literal(value))
        }
        return InterpolatedString(parts: bound)
    }

    /// Whether every part has a known value.
    public var isResolved: Bool { unresolvedSources.isEmpty }

    /// The text when it holds no secret and nothing unset; otherwise `nil`.
    public var plainValue: String? {
        var text = ""
        for part in parts {
            guard case .literal(let literal) = part else { return nil }
            text += literal
        }
        return text
    }

    /// The assembled value, or `nil` while some part is unresolved.
    public func reveal() -> String? {
        var text = ""
        for part in parts {
            switch part {
            case .literal(let literal): text += literal
            case .secret(let secret):
                guard let value = secret.reveal() else { return nil }
                text += value
            case .unset, .output: return nil
            }
        }
        return text
    }

    /// The text with placeholders for secrets and unset values.
    public var description: String { placeholder(.withState) }

    /// The text with placeholders in the given style.
    public func placeholder(_ style: PlaceholderStyle) -> String {
        parts.map { part -> String in
            switch part {
            case .literal(let literal): literal
            case .secret(let secret): secret.placeholder(style)
            case .unset(let source): style == .withState ? "<unset \(source)>" : "<plain \(source)>"
            case .output(let reference): reference.placeholder
            }
        }.joined()
    }

    /// Encodes as ``description``.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
