extension JSONValue {
    /// The RFC 8785 (JCS) canonical form: no whitespace, object members sorted by
    /// the UTF-16 code units of their names, numbers in ECMAScript form. Equal
    /// documents give equal bytes in every process, which is what digests need.
    public func canonicalBytes() -> [UInt8] {
        let writer = JSONWriter()
        Self.writeCanonical(self, into: writer)
        return writer.bytes
    }

    private static func writeCanonical(_ value: JSONValue, into writer: JSONWriter) {
        switch value {
        case .array(let items):
            writer.append("[")
            for (index, item) in items.enumerated() {
                if index > 0 { writer.append(",") }
                writeCanonical(item, into: writer)
            }
            writer.append("]")
        case .object(let members):
            writer.append("{")
            let sorted = isSorted(members) ? members : members.sorted { precedes($0.key, $1.key) }
            for (index, member) in sorted.enumerated() {
                if index > 0 { writer.append(",") }
                writer.writeString(member.key)
                writer.append(":")
                writeCanonical(member.value, into: writer)
            }
            writer.append("}")
        default:
            writer.write(value)
        }
    }
}

extension JSONValue {
    private static func isSorted(_ members: [Member]) -> Bool {
        var index = 1
        while index < members.count {
            if !precedes(members[index - 1].key, members[index].key) { return false }
            index += 1
        }
        return true
    }

    /// RFC 8785 key order: by UTF-16 code units. For ASCII the UTF-8 bytes give the
    /// same order and are much faster to walk; anything else falls back to UTF-16.
    static func precedes(_ a: String, _ b: String) -> Bool {
        var left = a.utf8.makeIterator()
        var right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?):
                if x >= 0x80 || y >= 0x80 { return a.utf16.lexicographicallyPrecedes(b.utf16) }
                if x != y { return x < y }
            }
        }
    }
}

/// Number formatting as ECMAScript's `Number.prototype.toString` (RFC 8785 §3.2.2.3).
enum JSONNumber {
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == 0 { return "0" }
        if value < 0 { return "-" + format(-value) }
        // Swift's description gives the shortest round-tripping digits.
        let (digits, pointPosition) = decompose(value.description)
        let k = digits.count
        let n = pointPosition
        if k <= n && n <= 21 {
            return digits + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            let index = digits.index(digits.startIndex, offsetBy: n)
            return digits[..<index] + "." + digits[index...]
        }
        if -6 < n && n <= 0 {
            return "0." + String(repeating: "0", count: -n) + digits
        }
        let exponent = n - 1
        let sign = exponent < 0 ? "-" : "+"
        let mantissa = k == 1 ? digits : String(digits.prefix(1)) + "." + digits.dropFirst()
        return mantissa + "e" + sign + String(abs(exponent))
    }

    /// Splits Swift's description (`1.5`, `1e-07`, `12345.0`) into significant digits
    /// and the position of the decimal point relative to their start.
    private static func decompose(_ text: String) -> (String, Int) {
        var mantissa = text
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(text[..<e])
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var integerPart = mantissa
        var fraction = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = String(mantissa[..<dot])
            fraction = String(mantissa[mantissa.index(after: dot)...])
        }
        var digits = integerPart + fraction
        var point = integerPart.count + exponent
        while digits.first == "0" && digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" && digits.count > 1 {
            digits.removeLast()
        }
        return (digits, point)
    }
}
