/// Writes JSON text into a byte buffer, compact or indented, without building
/// intermediate strings: the fast path for large plans and for event lines.
public struct JSONWriter: Sendable {
    /// The text written so far (UTF-8).
    public private(set) var bytes: [UInt8] = []
    private let indentStep: Int

    /// A writer; `indent` > 0 pretty-prints with that many spaces per level.
    public init(indent: Int = 0, capacity: Int = 256) {
        self.indentStep = indent
        bytes.reserveCapacity(capacity)
    }

    /// Writes a whole value, members in their stored order.
    public mutating func write(_ value: JSONValue, level: Int = 0) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .int(let number): writeInt(number)
        case .double(let number): append(JSONNumber.format(number))
        case .string(let text): writeString(text)
        case .array(let items):
            if items.isEmpty { append("[]"); return }
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(level + 1)
                write(item, level: level + 1)
            }
            newline(level)
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { append("{}"); return }
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(level + 1)
                writeString(member.key)
                bytes.append(UInt8(ascii: ":"))
                if indentStep > 0 { bytes.append(UInt8(ascii: " ")) }
                write(member.value, level: level + 1)
            }
            newline(level)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Appends raw, already valid JSON text (or punctuation).
    public mutating func append(_ raw: String) {
        bytes.append(contentsOf: raw.utf8)
    }

    /// Appends a line break and indentation for `level` (nothing when compact).
    public mutating func newline(_ level: Int) {
        guard indentStep > 0 else { return }
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * indentStep))
    }

    /// Writes an integer.
    public mutating func writeInt(_ number: Int) {
        bytes.append(contentsOf: String(number).utf8)
    }

    /// Writes a quoted, escaped string (RFC 8785 escaping: only `"`, `\` and control characters).
    public mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "f"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 15)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The text as a String.
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}

extension JSONValue {
    /// Compact JSON text, members in stored order.
    public var compactText: String {
        var writer = JSONWriter()
        writer.write(self)
        return writer.string
    }

    /// Indented JSON text (two spaces), members in stored order.
    public var prettyText: String {
        var writer = JSONWriter(indent: 2)
        writer.write(self)
        return writer.string
    }
}
