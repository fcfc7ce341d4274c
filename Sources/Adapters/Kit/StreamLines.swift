import Executor

/// One line of a JSON-lines stream, classified.
package enum StreamLine: Equatable {
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
package enum StreamLines {
    /// The byte ranges of the non-blank lines of `bytes`, trimmed of ASCII whitespace.
    package static func ranges(_ bytes: [UInt8]) -> [Range<Int>] {
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
    package static func looksLikeJSON(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        guard let first = range.first else { return false }
        return bytes[first] == UInt8(ascii: "{") || bytes[first] == UInt8(ascii: "[")
    }

    /// The line at `range`, classified.
    package static func classify(_ bytes: [UInt8], _ range: Range<Int>) -> StreamLine {
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
    package static func render(_ bytes: [UInt8], redactor: Redactor, event: (JSONValue) -> [String]) -> [String]? {
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
