import Executor

/// How the schema reads scalar text: numbers, Booleans, durations, formats.
enum ScalarParsing {
    /// Words YAML 1.1 reads as Booleans but runjob (like YAML 1.2) reads as text.
    static let yaml11Booleans: [String: Bool] = [
        "y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
        "n": false, "N": false, "no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
    ]

    /// `true`/`false` as YAML 1.2's core schema writes them.
    static func boolean(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": true
        case "false", "False", "FALSE": false
        default: nil
        }
    }

    /// A decimal whole number (`42`, `-3`, `+7`).
    static func integer(_ text: String) -> Int? {
        var digits = Substring(text)
        if digits.hasPrefix("+") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.drop(while: { $0 == "-" }).allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        return Int(digits)
    }

    /// A floating-point number as YAML 1.2's core schema writes it.
    static func float(_ text: String) -> Double? {
        guard let first = text.first, first.isNumber || first == "-" || first == "+" || first == "." else { return nil }
        guard text.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }) else { return nil }
        return Double(text)
    }

    /// A duration in milliseconds: whole seconds (`90`), or units (`500ms`, `30s`, `1.5m`, `2h`, `1h30m`).
    static func durationMilliseconds(_ text: String) -> Int? {
        if let seconds = integer(text) { return seconds >= 0 ? seconds * 1000 : nil }
        var total = 0.0
        var number = ""
        var rest = Substring(text)
        var sawUnit = false
        while let character = rest.first {
            if character.isNumber || character == "." {
                number.append(character)
                rest = rest.dropFirst()
                continue
            }
            guard let value = Double(number) else { return nil }
            let factor: Double
            if rest.hasPrefix("ms") {
                factor = 1
                rest = rest.dropFirst(2)
            } else {
                switch character {
                case "s": factor = 1000
                case "m": factor = 60_000
                case "h": factor = 3_600_000
                default: return nil
                }
                rest = rest.dropFirst()
            }
            total += value * factor
            number = ""
            sawUnit = true
        }
        guard sawUnit, number.isEmpty, total <= 1e15 else { return nil }
        return Int(total.rounded())
    }

    /// Whether `text` is a runjob name: `^[a-z][a-z0-9_-]{0,62}$`.
    static func isName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), bytes.count <= 63 else { return false }
        return bytes.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }

    /// Whether `text` is a label key: 1–63 of letters, digits, `.`, `_`, `-`, `/`.
    static func isLabelKey(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 63
            && text.utf8.allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
                    || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "/")
            }
    }

    /// Whether `text` is an http(s) URL with a host.
    static func isURL(_ text: String) -> Bool {
        for scheme in ["https://", "http://"] where text.hasPrefix(scheme) {
            let rest = text.dropFirst(scheme.count)
            return !rest.isEmpty && !rest.hasPrefix("/") && !text.contains(where: { $0 == " " || $0 == "\n" })
        }
        return false
    }

    /// A readable rendering of a name pattern problem.
    static let namePatternHelp = "names start with a lowercase letter and use only a–z, 0–9, _ and - (at most 63 characters)"
}
