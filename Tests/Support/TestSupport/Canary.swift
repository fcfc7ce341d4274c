import Executor
import Synchronization

/// Canary secrets for leak tests: at least 24 bytes, with `"`, `\`, a newline and
/// non-ASCII, so every escaping path is exercised. ``leaks(in:)`` searches an
/// output raw, JSON-escaped and in all three base64 alignments.
public struct Canary: Sendable {
    /// The secret value.
    public let value: String

    /// A canary with a distinct tag (so several can be told apart).
    public init(tag: String) {
        value = "canary-\(tag)-\"quoted\"\\back\nslash-é漢字-7Qx9Zp3Lm"
    }

    /// A canary with an exact value, for secrets that must stay header-safe (API keys).
    public init(value: String) {
        self.value = value
    }

    /// A long canary (at least `length` bytes: longer than every cut-off in runjob) with
    /// quotes, backslashes, newlines, non-ASCII and `$(…)`, then lines of letters and digits
    /// that follow from `tag` (so two canaries never share a piece).
    public init(tag: String, length: Int) {
        var text = "canary-\(tag)-\"quoted\"\\back\nslash-é漢字-$(echo pwned)-`id`-7Qx9Zp3Lm\n"
        var state = UInt64(truncatingIfNeeded: tag.utf8.reduce(1469598103934665603) { ($0 ^ UInt64($1)) &* 1099511628211 })
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        while text.utf8.count < length {
            var line = ""
            for _ in 0..<60 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                line.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            text += line + "\n"
        }
        self.value = text
    }

    /// The forms under which the canary would betray itself.
    public var forms: [(name: String, bytes: [UInt8])] {
        var result: [(String, [UInt8])] = [("raw", Array(value.utf8))]
        for style in ["minimal", "slashes", "asciiLower", "asciiUpper"] {
            result.append(("json-\(style)", Array(Self.jsonEscape(value, style: style).utf8)))
        }
        for alignment in 0..<3 {
            let padded = [UInt8](repeating: 0, count: alignment) + Array(value.utf8) + [0, 0]
            let encoded = Base64.encode(padded, padding: false)
            let first = (8 * alignment + 5) / 6
            let end = 8 * (alignment + value.utf8.count) / 6
            result.append(("base64-\(alignment)", Array(encoded[first..<end])))
        }
        // Percent-encoded (URLs, forms) and hexadecimal (xxd -p, od).
        var percent: [UInt8] = []
        var hexLower: [UInt8] = []
        for byte in value.utf8 {
            let digits = Array("0123456789ABCDEF".utf8)
            let lower = Array("0123456789abcdef".utf8)
            if (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || "-_.~".utf8.contains(byte) {
                percent.append(byte)
            } else {
                percent += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
            }
            hexLower += [lower[Int(byte >> 4)], lower[Int(byte & 0x0F)]]
        }
        result.append(("percent", percent))
        result.append(("hex", hexLower))
        result.append(("HEX", Array(String(decoding: hexLower, as: UTF8.self).uppercased().utf8)))
        // Individual lines of a multi-line secret are just as telling.
        for (index, line) in value.split(separator: "\n").enumerated() where line.utf8.count >= 16 {
            result.append(("line-\(index)", Array(line.utf8)))
        }
        return result
    }

    /// The names of the forms found in `output` (empty: no leak): whole forms, and any
    /// piece of ``fragmentWidth`` bytes or more of one (a cut secret), also across line
    /// breaks (wrapped base64) — see ``fragmentLeaks(in:)``.
    public func leaks(in output: [UInt8]) -> [String] {
        forms.filter { contains(output, $0.bytes) }.map(\.name) + fragmentLeaks(in: output)
    }

    /// The shortest piece of a secret that counts as a leak.
    public static let fragmentWidth = 12

    /// The forms (raw, JSON-escaped, base64 at every alignment, standard and URL-safe) of
    /// which `output` holds a piece of ``fragmentWidth`` bytes, as it is or with its line
    /// breaks (LF, CR, `\\n`, `\\r`) removed.
    public func fragmentLeaks(in output: [UInt8]) -> [String] {
        let table = pieces
        var found: Set<String> = []
        for text in [output, Self.withoutLineBreaks(output)] where text.count >= Self.fragmentWidth {
            text.withUnsafeBufferPointer { buffer in
                for start in 0...(buffer.count - Self.fragmentWidth) {
                    if let name = table[Piece(buffer, at: start)] { found.insert("piece of " + name) }
                }
            }
        }
        return found.sorted()
    }

    /// Every piece of ``fragmentWidth`` bytes of every form, with the form's name.
    private var pieces: [Piece: String] {
        if let cached = Self.cache.withLock({ $0[value] }) { return cached }
        var sources: [(String, [UInt8])] = forms.filter { !$0.name.hasPrefix("line-") }
        for alignment in 0..<3 {
            let padded = [UInt8](repeating: 0, count: alignment) + Array(value.utf8) + [0, 0]
            let encoded = Base64.encode(padded, alphabet: Base64.urlSafe, padding: false)
            let first = (8 * alignment + 5) / 6
            let end = 8 * (alignment + value.utf8.count) / 6
            sources.append(("base64url-\(alignment)", Array(encoded[first..<end])))
        }
        var table: [Piece: String] = [:]
        for (name, form) in sources {
            let flat = Self.withoutLineBreaks(form)
            guard flat.count >= Self.fragmentWidth else { continue }
            flat.withUnsafeBufferPointer { buffer in
                for start in 0...(buffer.count - Self.fragmentWidth) { table[Piece(buffer, at: start)] = name }
            }
        }
        Self.cache.withLock { $0[value] = table }
        return table
    }

    private static let cache = Mutex<[String: [Piece: String]]>([:])

    /// Twelve bytes, packed.
    private struct Piece: Hashable {
        var head: UInt64 = 0
        var tail: UInt32 = 0
        init(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) {
            for offset in 0..<8 { head = head << 8 | UInt64(bytes[start + offset]) }
            for offset in 8..<12 { tail = tail << 8 | UInt32(bytes[start + offset]) }
        }
    }

    private static func withoutLineBreaks(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A || byte == 0x0D {
                index += 1
            } else if byte == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "n") || bytes[index + 1] == UInt8(ascii: "r") {
                index += 2
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    /// The names of the forms found in `output`.
    public func leaks(in output: String) -> [String] {
        leaks(in: Array(output.utf8))
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == first, Array(haystack[index..<(index + needle.count)]) == needle { return true }
            index += 1
        }
        return false
    }

    private static func jsonEscape(_ text: String, style: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "/" where style == "slashes": out += "\\/"
            default:
                if scalar.value > 0x7E && (style == "asciiLower" || style == "asciiUpper") {
                    for unit in String(scalar).utf16 {
                        let hex = String(unit, radix: 16, uppercase: style == "asciiUpper")
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
