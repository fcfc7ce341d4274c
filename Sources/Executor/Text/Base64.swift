/// Base64 encoding and decoding over byte arrays, in the standard and URL-safe alphabets.
public enum Base64 {
    /// An alphabet of 64 ASCII characters.
    public struct Alphabet: Sendable {
        let characters: [UInt8]
    }

    /// `A–Z a–z 0–9 + /` (RFC 4648 §4).
    public static let standard = Alphabet(characters: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8))
    /// `A–Z a–z 0–9 - _` (RFC 4648 §5).
    public static let urlSafe = Alphabet(characters: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8))

    /// Encodes `bytes`; with `padding`, the output length is a multiple of 4.
    public static func encode(_ bytes: [UInt8], alphabet: Alphabet = standard, padding: Bool = true) -> [UInt8] {
        let table = alphabet.characters
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(table[Int(value >> 18 & 63)])
            out.append(table[Int(value >> 12 & 63)])
            out.append(table[Int(value >> 6 & 63)])
            out.append(table[Int(value & 63)])
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            var value = UInt32(bytes[index]) << 16
            if rest == 2 { value |= UInt32(bytes[index + 1]) << 8 }
            out.append(table[Int(value >> 18 & 63)])
            out.append(table[Int(value >> 12 & 63)])
            if rest == 2 {
                out.append(table[Int(value >> 6 & 63)])
            }
            if padding {
                out += [UInt8](repeating: UInt8(ascii: "="), count: 3 - rest)
            }
        }
        return out
    }

    /// Encodes the UTF-8 bytes of `text` as a standard, padded base64 string.
    public static func encode(_ text: String) -> String {
        String(decoding: encode(Array(text.utf8)), as: UTF8.self)
    }

    /// Decodes standard or URL-safe base64 (padding optional, whitespace ignored);
    /// `nil` on any other character.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count / 4 * 3)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in text.utf8 {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            case UInt8(ascii: "="), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: " "): continue
            default: return nil
            }
            buffer = buffer << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }
}
