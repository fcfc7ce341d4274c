/// The encoded forms under which a secret value could leak, so the redactor can
/// recognise each of them: raw, JSON-escaped (several escaping styles), shell
/// single-quoted, percent-encoded (URLs, forms), hexadecimal (`xxd -p`, `od`), and
/// standard/URL-safe base64 at all three byte alignments.
enum SecretVariants {
    /// Secrets shorter than this are not redacted (they would mangle ordinary text).
    static let minimumLength = 4
    /// Base64 fragments shorter than this are not used as patterns.
    static let minimumBase64Core = 8
    /// JSON string values (and lines) of a structured secret at least this long
    /// are redacted on their own, so printing one field of a credentials file is caught.
    static let minimumFragment = 16

    /// Every byte pattern that betrays `value`, normalised as ``MatchScan`` reads text
    /// (without line breaks, so wrapped forms match too).
    static func patterns(for value: String, base64: Bool = true) -> [[UInt8]] {
        let bytes = Array(value.utf8)
        guard MatchScan.normalize(bytes).count >= minimumLength else { return [] }
        var result: Set<[UInt8]> = [MatchScan.normalize(bytes)]
        for style in JSONEscapeStyle.allCases {
            result.insert(MatchScan.normalize(Array(style.escape(value).utf8)))
        }
        if value.contains("'") {
            result.insert(MatchScan.normalize(Array(value.replacing("'", with: "'\\''").utf8)))
        }
        for encoded in [percentEncoded(bytes, spaceAsPlus: false), percentEncoded(bytes, spaceAsPlus: true)] where encoded != bytes {
            result.insert(encoded)
        }
        if base64 && bytes.count >= minimumBase64Core {
            result.insert(hex(bytes, digits: Array("0123456789abcdef".utf8)))
            result.insert(hex(bytes, digits: Array("0123456789ABCDEF".utf8)))
        }
        for alignment in 0..<(base64 ? 3 : 0) {
            for alphabet in [Base64.standard, Base64.urlSafe] {
                let core = base64Core(bytes, alignment: alignment, alphabet: alphabet)
                if core.count >= minimumBase64Core { result.insert(core) }
            }
        }
        return result.filter { $0.count >= minimumLength }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// `bytes` percent-encoded as URLs and forms do: unreserved characters (RFC 3986) as
    /// they are, everything else `%XX` (uppercase), and a space as `+` for forms.
    static func percentEncoded(_ bytes: [UInt8], spaceAsPlus: Bool) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            if ASCII.isLetter(byte) || ASCII.isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
            {
                out.append(byte)
            } else if spaceAsPlus && byte == 0x20 {
                out.append(UInt8(ascii: "+"))
            } else {
                out += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
            }
        }
        return out
    }

    /// `bytes` as hexadecimal digits, two per byte.
    static func hex(_ bytes: [UInt8], digits: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        return out
    }

    /// Parts of a structured secret worth redacting on their own: each long line of a
    /// multi-line secret (raw and escaped: a line is printed, rarely encoded alone), and each
    /// long string of a JSON secret (a credentials file's token: also in base64).
    static func fragments(of value: String) -> [(text: String, base64: Bool)] {
        var parts: [(text: String, base64: Bool)] = []
        if value.contains("\n") {
            for line in value.split(separator: "\n") {
                let trimmed = line.trimmingASCIIWhitespace()
                if trimmed.utf8.count >= minimumFragment { parts.append((trimmed, false)) }
            }
        }
        if let json = try? JSONValue.parse(Array(value.utf8)) {
            var strings: [String] = []
            collectStrings(json, into: &strings)
            parts += strings.map { ($0, true) }
        }
        return parts.filter { $0.text != value }
    }

    private static func collectStrings(_ value: JSONValue, into parts: inout [String]) {
        switch value {
        case .string(let text) where text.utf8.count >= minimumFragment: parts.append(text)
        case .array(let items): items.forEach { collectStrings($0, into: &parts) }
        case .object(let members): members.forEach { collectStrings($0.value, into: &parts) }
        default: break
        }
    }

    /// The base64 characters that depend only on `bytes` when they start `alignment`
    /// bytes into a 3-byte group: present in the encoding of any text containing them there.
    static func base64Core(_ bytes: [UInt8], alignment: Int, alphabet: Base64.Alphabet) -> [UInt8] {
        let padded = [UInt8](repeating: 0, count: alignment) + bytes + [0, 0]
        let encoded = Base64.encode(padded, alphabet: alphabet, padding: false)
        let firstBit = 8 * alignment
        let endBit = 8 * (alignment + bytes.count)
        let first = (firstBit + 5) / 6
        let end = endBit / 6
        guard first < end, end <= encoded.count else { return [] }
        return Array(encoded[first..<end])
    }
}

/// The ways JSON encoders escape a string (Swift's, Python's, JavaScript's).
enum JSONEscapeStyle: CaseIterable {
    /// `"` `\` and control characters escaped; `/` and non-ASCII raw.
    case minimal
    /// As minimal, plus `/` escaped as `\/` (Foundation's JSONEncoder default).
    case slashes
    /// Non-ASCII as `\uXXXX` with lowercase hex (Python's `ensure_ascii`).
    case asciiLower
    /// Non-ASCII as `\uXXXX` with uppercase hex.
    case asciiUpper

    /// The escaped body of a JSON string for `text`, without the surrounding quotes.
    func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "/" where self == .slashes: out += "\\/"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + hex4(scalar.value, upper: self == .asciiUpper)
                } else if scalar.value > 0x7E && (self == .asciiLower || self == .asciiUpper) {
                    for unit in String(scalar).utf16 {
                        out += "\\u" + hex4(UInt32(unit), upper: self == .asciiUpper)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    private func hex4(_ value: UInt32, upper: Bool) -> String {
        let digits = String(value, radix: 16, uppercase: upper)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
