/// One line of a JSON-lines stream, classified.
public enum StreamLine: Equatable {
    /// A JSON value (an object for every stream-json event).
    case json(JSONValue)
    /// Text that is not JSON (a banner, a warning): shown as it is.
    case text(String)
    /// A line that starts like JSON but does not parse: cut off mid-line (its length in bytes).
    case broken(Int)
}

/// Splits an agent's stdout into lines and reads each as JSON when it is JSON.
///
/// Robust by construction: any byte sequence is accepted. Lines are split on `\n`
/// (a trailing `\r` is dropped), blank lines are skipped, a last line without a
/// newline is still a line, and invalid UTF-8 inside a JSON line is replaced by
/// U+FFFD before a second attempt, so one bad byte does not hide an event.
public enum StreamLines {
    /// The byte ranges of the non-blank lines of `bytes`, trimmed of ASCII whitespace.
    public static func ranges(_ bytes: [UInt8]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        let count = bytes.count
        while start < count {
            var end = start
            while end < count && bytes[end] != 0x0A { end += 1 }
            var lower = start
            var upper = end
            while lower < upper && isSpace(bytes[lower]) { lower += 1 }
            while upper > lower && isSpace(bytes[upper - 1]) { upper -= 1 }
            if lower < upper { result.append(lower..<upper) }
            start = end + 1
        }
        return result
    }

    /// Whether the line at `range` starts like a JSON object or array.
    public static func looksLikeJSON(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        guard let first = range.first else { return false }
        return bytes[first] == UInt8(ascii: "{") || bytes[first] == UInt8(ascii: "[")
    }

    /// The line at `range`, classified.
    public static func classify(_ bytes: [UInt8], _ range: Range<Int>) -> StreamLine {
        guard looksLikeJSON(bytes, range) else { return .text(String(decoding: bytes[range], as: UTF8.self)) }
        let line = Array(bytes[range])
        if let value = try? JSONValue.parse(line) { return .json(value) }
        // Invalid UTF-8 makes the parser refuse a string: repair it and try once more.
        let repaired = Array(String(decoding: line, as: UTF8.self).utf8)
        if repaired != line, let value = try? JSONValue.parse(repaired) { return .json(value) }
        return .broken(line.count)
    }

    /// The readable lines of an agent's output: text lines as they are, a cut-off JSON
    /// line named by its size, each JSON event as `event` renders it. `nil` when the
    /// output holds no JSON line at all (it is not a stream of this kind).
    ///
    /// `event` receives each event with its strings already redacted, and text lines are
    /// redacted whole, so whatever a renderer shortens afterwards holds no piece of a secret.
    public static func render(_ bytes: [UInt8], redactor: Redactor, event: (JSONValue) -> [String]) -> [String]? {
        var lines: [String] = []
        var sawStream = false
        for range in ranges(bytes) {
            switch classify(bytes, range) {
            case .text(let text):
                lines.append(redactor.redact(text))
            case .broken(let size):
                sawStream = true
                lines.append("… a cut-off line of \(size) bytes (the stream ended mid-line)")
            case .json(let value):
                sawStream = true
                lines += event(redactor.redact(value))
            }
        }
        return sawStream ? lines : nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}

/// Small text helpers for one-line summaries.
public enum LineText {
    /// The first non-blank line of `text`, at most `limit` characters (with `…` when cut),
    /// and how many further non-blank lines there are.
    public static func firstLine(_ text: String, limit: Int = 100) -> (line: String, more: Int) {
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { String($0).trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
        guard let first = lines.first else { return ("", 0) }
        return (clip(first, limit: limit), lines.count - 1)
    }

    /// `text` on one line (line breaks become spaces), at most `limit` characters.
    public static func oneLine(_ text: String, limit: Int = 120) -> String {
        let flat = String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 })
        return clip(flat.trimmingASCIIWhitespace(), limit: limit)
    }

    /// `text` cut to `limit` characters, with `…` when cut.
    public static func clip(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(0, limit - 1))) + "…"
    }

    /// Dollars with four decimals: `$0.0021`.
    public static func dollars(_ amount: Double) -> String {
        let scaled = Int((max(0, amount) * 10_000).rounded())
        let fraction = String(scaled % 10_000)
        return "$\(scaled / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
    }

    /// Seconds with one decimal from milliseconds: `2.3s`.
    public static func seconds(milliseconds: Int) -> String {
        let tenths = (max(0, milliseconds) + 50) / 100
        return "\(tenths / 10).\(tenths % 10)s"
    }

    /// `1 turn`, `2 turns`.
    public static func count(_ value: Int, _ noun: String) -> String {
        "\(value) \(noun)\(value == 1 ? "" : "s")"
    }
}
