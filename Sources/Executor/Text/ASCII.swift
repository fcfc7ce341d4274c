/// Byte-level ASCII character classes: the fast path for names, which are ASCII by definition.
public enum ASCII {
    /// `A–Z` or `a–z`.
    @inlinable public static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    /// `0–9`.
    @inlinable public static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// `a–z`.
    @inlinable public static func isLowercase(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
    }

    /// Whether `text` is an environment variable name: `[A-Za-z_][A-Za-z0-9_]*`.
    public static func isEnvironmentName(_ text: String) -> Bool {
        var first = true
        for byte in text.utf8 {
            let ok = byte == UInt8(ascii: "_") || isLetter(byte) || (!first && isDigit(byte))
            if !ok { return false }
            first = false
        }
        return !first
    }
}
