/// A Unix permission mode such as 0600, always read and written in octal.
public struct FileMode: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The mode bits (at most 0o7777).
    public let rawValue: UInt16

    /// A mode from its bits; `nil` above 0o7777.
    public init?(rawValue: UInt16) {
        guard rawValue <= 0o7777 else { return nil }
        self.rawValue = rawValue
    }

    /// Reads the octal digits of `text` (`0700`, `700`, `0o700`); `nil` when they are not octal
    /// or exceed 0o7777. The digits are always octal, whether or not the YAML had quotes.
    public init?(octal text: String) {
        var digits = Substring(text)
        if digits.hasPrefix("0o") || digits.hasPrefix("0O") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy({ ("0"..."7").contains($0) }),
            let value = UInt16(digits, radix: 8), value <= 0o7777
        else { return nil }
        self.rawValue = value
    }

    private init(bits: UInt16) {
        self.rawValue = bits & 0o7777
    }

    /// Owner read/write only.
    public static let ownerOnly = FileMode(bits: 0o600)
    /// Owner read/write/execute only (directories).
    public static let ownerOnlyDirectory = FileMode(bits: 0o700)
    /// Owner read/write, group read (`~/.machine.json`).
    public static let ownerWriteGroupRead = FileMode(bits: 0o640)

    /// Four octal digits, e.g. `0600`.
    public var description: String {
        let digits = String(rawValue, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Encodes as the four-digit octal text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Decodes the octal text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let mode = FileMode(octal: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an octal mode: \(text)")
        }
        self = mode
    }
}
