/// Writes JSON text into a byte buffer, compact or indented, without building
/// intermediate strings: the fast path for large plans and for event lines.
///
/// A writer is a reference: it owns one growing buffer and is used by one task.
public final class JSONWriter {
    private let buffer: ByteBuffer
    private let indentStep: Int
    /// A line break followed by enough spaces for deep nesting; slices of it indent lines.
    private let indentation: [UInt8]

    /// A writer; `indent` > 0 pretty-prints with that many spaces per level.
    public init(indent: Int = 0, capacity: Int = 256) {
        self.indentStep = indent
        self.indentation = indent > 0 ? [UInt8(ascii: "\n")] + [UInt8](repeating: UInt8(ascii: " "), count: 64 * indent) : []
        self.buffer = ByteBuffer(capacity: capacity)
    }

    /// The text written so far (UTF-8), copied into an array.
    public var bytes: [UInt8] { buffer.array }

    /// Calls `body` with the text written so far, without copying it.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try buffer.withUnsafeBytes(body)
    }

    /// How many bytes were written.
    public var count: Int { buffer.count }

    /// Forgets what was written, keeping the memory for what comes next.
    public func removeAll() {
        buffer.removeAll()
    }

    /// Writes a whole value, members in their stored order.
    public func write(_ value: JSONValue, level: Int = 0) {
        switch value {
        case .null: buffer.append([0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let flag): flag ? buffer.append([0x74, 0x72, 0x75, 0x65]) : buffer.append([0x66, 0x61, 0x6C, 0x73, 0x65])
        case .int(let number): writeInt(number)
        case .double(let number): append(JSONNumber.format(number))
        case .string(let text): writeString(text)
        case .array(let items):
            if items.isEmpty {
                buffer.append(UInt8(ascii: "["))
                buffer.append(UInt8(ascii: "]"))
                return
            }
            buffer.append(UInt8(ascii: "["))
            var first = true
            for item in items {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                newline(level + 1)
                write(item, level: level + 1)
            }
            newline(level)
            buffer.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty {
                buffer.append(UInt8(ascii: "{"))
                buffer.append(UInt8(ascii: "}"))
                return
            }
            buffer.append(UInt8(ascii: "{"))
            var first = true
            for member in members {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                newline(level + 1)
                writeString(member.key)
                buffer.append(UInt8(ascii: ":"))
                if indentStep > 0 { buffer.append(UInt8(ascii: " ")) }
                write(member.value, level: level + 1)
            }
            newline(level)
            buffer.append(UInt8(ascii: "}"))
        }
    }

    /// Writes an array of `count` strings, `element(i)` giving each: the same bytes as
    /// `write(.array(…), level:)` of those strings, without building the values.
    public func writeStrings(count: Int, level: Int, _ element: (Int) -> String) {
        buffer.append(UInt8(ascii: "["))
        for index in 0..<count {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            newline(level + 1)
            writeString(element(index))
        }
        if count > 0 { newline(level) }
        buffer.append(UInt8(ascii: "]"))
    }

    /// Writes an object of `count` members whose values are strings, `member(i)` giving
    /// each in order: the same bytes as `write(.object(…), level:)` of those members,
    /// without building the values.
    public func writeStringMembers(count: Int, level: Int, _ member: (Int) -> (key: String, value: String)) {
        buffer.append(UInt8(ascii: "{"))
        for index in 0..<count {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            newline(level + 1)
            let (key, value) = member(index)
            writeString(key)
            buffer.append(UInt8(ascii: ":"))
            if indentStep > 0 { buffer.append(UInt8(ascii: " ")) }
            writeString(value)
        }
        if count > 0 { newline(level) }
        buffer.append(UInt8(ascii: "}"))
    }

    /// Appends raw, already valid JSON text (or punctuation).
    public func append(_ raw: String) {
        buffer.append(raw.utf8)
    }

    /// Appends a line break and indentation for `level` (nothing when compact).
    public func newline(_ level: Int) {
        guard indentStep > 0 else { return }
        let width = 1 + level * indentStep
        if width <= indentation.count {
            buffer.append(indentation[0..<width])
        } else {
            buffer.append(UInt8(ascii: "\n"))
            buffer.append(repeatElement(UInt8(ascii: " "), count: level * indentStep))
        }
    }

    /// Writes an integer.
    public func writeInt(_ number: Int) {
        if number >= 0 && number < 10 {
            buffer.append(UInt8(ascii: "0") + UInt8(number))
            return
        }
        var digits: [UInt8] = []
        var value = number.magnitude
        while value > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(value % 10))
            value /= 10
        }
        if number < 0 { buffer.append(UInt8(ascii: "-")) }
        buffer.append(digits.reversed())
    }

    /// Writes a quoted, escaped string (RFC 8785 escaping: only `"`, `\` and control characters).
    public func writeString(_ text: String) {
        buffer.append(UInt8(ascii: "\""))
        var text = text
        let copied: Bool = text.withUTF8 { utf8 in
            // Fast path: no byte needs escaping, copy the whole run at once.
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                return false
            }
            buffer.append(utf8)
            return true
        }
        if copied {
            buffer.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\\")); buffer.append(byte)
            case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(byte)
            case 0x0A: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
            case 0x0D: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
            case 0x09: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
            case 0x08: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "b"))
            case 0x0C: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "f"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                buffer.append(Array("\\u00".utf8))
                buffer.append(hex[Int(byte >> 4)])
                buffer.append(hex[Int(byte & 15)])
            default: buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    /// The text as a String.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends raw bytes that are already valid JSON.
    public func append(bytes raw: [UInt8]) {
        raw.withUnsafeBufferPointer { buffer.append($0) }
    }
}

extension JSONValue {
    /// Compact JSON text, members in stored order.
    public var compactText: String {
        let writer = JSONWriter()
        writer.write(self)
        return writer.string
    }

    /// Indented JSON text (two spaces), members in stored order.
    public var prettyText: String {
        let writer = JSONWriter(indent: 2)
        writer.write(self)
        return writer.string
    }
}
