import Executor

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
        // Individual lines of a multi-line secret are just as telling.
        for (index, line) in value.split(separator: "\n").enumerated() where line.utf8.count >= 16 {
            result.append(("line-\(index)", Array(line.utf8)))
        }
        return result
    }

    /// The names of the forms found in `output` (empty: no leak).
    public func leaks(in output: [UInt8]) -> [String] {
        forms.filter { contains(output, $0.bytes) }.map(\.name)
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
