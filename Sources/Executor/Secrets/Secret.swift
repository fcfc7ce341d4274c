/// A secret value that never reveals itself by accident.
///
/// Its `description`, `debugDescription`, string interpolation, `dump`/`Mirror`
/// and JSON encoding all show only the source (`<secret env:MORPH_API_KEY>`).
/// The value is reachable only through ``reveal()``, which call sites use at the
/// last moment (writing a file on the instance, an HTTP header, a redactor).
/// A secret may be *unresolved*: its variable or file was missing when the
/// manifest was read. Plans still work then; `apply` refuses them.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, Encodable
{
    /// Where the value comes from.
    public let source: SecretSource
    private let value: String?
    /// Whether the value must be kept out of every output. `false` for a default written
    /// in the manifest (`${env:NAME:-default}` with `NAME` unset): it is in the repository,
    /// so redacting it would only mangle output. It still counts as the source's value
    /// (placeholders and digests treat it like any secret).
    public let isSensitive: Bool
    /// Why an unresolved secret has no value, as placeholders show it (`unset`, `not logged in`).
    public let missingState: String

    /// A resolved secret holding `value`.
    public init(source: SecretSource, value: String) {
        self.source = source
        self.value = value
        self.isSensitive = true
        self.missingState = "unset"
    }

    /// The default written in the manifest for `source`, used because the source had no
    /// value: known, but not sensitive.
    public init(source: SecretSource, defaultValue: String) {
        self.source = source
        self.value = defaultValue
        self.isSensitive = false
        self.missingState = "unset"
    }

    /// A secret whose variable, file or login was missing; `state` says how placeholders
    /// show it (`<secret auth:claude (not logged in)>`).
    public init(unresolved source: SecretSource, state: String = "unset") {
        self.source = source
        self.value = nil
        self.isSensitive = true
        self.missingState = state
    }

    /// Whether the value is known.
    public var isResolved: Bool { value != nil }

    /// The value, or `nil` when unresolved. Use only where the value must leave the process.
    public func reveal() -> String? { value }

    /// The value's size in UTF-8 bytes (0 when unresolved).
    public var byteCount: Int { value?.utf8.count ?? 0 }

    /// `<secret SOURCE>`, or `<secret SOURCE (unset)>` (or another missing state) when unresolved.
    public var description: String { placeholder(.withState) }

    /// The placeholder in the given style.
    public func placeholder(_ style: PlaceholderStyle) -> String {
        isResolved || style == .sourceOnly ? "<secret \(source)>" : "<secret \(source) (\(missingState))>"
    }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// A mirror that shows the source only.
    public var customMirror: Mirror {
        Mirror(self, children: ["source": source.description], displayStyle: .struct)
    }

    /// Encodes as the placeholder string, never the value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
