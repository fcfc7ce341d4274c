import Executor

/// Checks the raw bytes before the YAML parser sees them: size, encoding, NUL bytes.
enum InputCheck {
    /// The first problem of `bytes`, or `nil` when they are a UTF-8 text within limits.
    static func problem(in bytes: [UInt8], file: String, limits: YAMLLimits) -> ManifestDiagnostic? {
        if bytes.count > limits.maxBytes {
            return ManifestDiagnostic(
                .error, ErrorCode.Manifest.tooLarge,
                "the file is \(bytes.count) bytes; manifests are limited to \(limits.maxBytes) bytes",
                at: SourceLocation(file: file, line: 1, column: 1))
        }
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) {
            return ManifestDiagnostic(
                .error, ErrorCode.Manifest.invalidUTF8, "the file is UTF-16 encoded; save it as UTF-8",
                at: SourceLocation(file: file, line: 1, column: 1))
        }
        if isPlainASCIIText(bytes) { return nil }
        var line = 1
        var column = 1
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                if byte == 0 {
                    return ManifestDiagnostic(
                        .error, ErrorCode.Manifest.nulByte, "the file contains a NUL byte; manifests are text",
                        at: SourceLocation(file: file, line: line, column: column))
                }
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                index += 1
                continue
            }
            let length = sequenceLength(bytes, at: index)
            if length == 0 {
                return ManifestDiagnostic(
                    .error, ErrorCode.Manifest.invalidUTF8,
                    "invalid UTF-8 byte 0x\(String(byte, radix: 16, uppercase: true)); save the file as UTF-8",
                    at: SourceLocation(file: file, line: line, column: column))
            }
            index += length
            column += 1
        }
        return nil
    }

    /// Whether every byte is ASCII and none is NUL: the common case, checked eight bytes at a time.
    private static func isPlainASCIIText(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw -> Bool in
            let words = raw.count / 8
            var index = 0
            let highBits: UInt64 = 0x8080_8080_8080_8080
            let ones: UInt64 = 0x0101_0101_0101_0101
            while index < words {
                let word = raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
                // High bit set anywhere: not ASCII. (word - ones) & ~word & highBits: a zero byte.
                if word & highBits != 0 || (word &- ones) & ~word & highBits != 0 { return false }
                index += 1
            }
            for offset in (words * 8)..<raw.count where raw[offset] == 0 || raw[offset] >= 0x80 { return false }
            return true
        }
    }

    /// Length of the valid UTF-8 sequence starting at `index` (a non-ASCII lead byte), or 0.
    private static func sequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        var minimum: UInt32
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; minimum = 0x80; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; minimum = 0x800; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; minimum = 0x10000; value = UInt32(lead & 0x07)
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        for offset in 1..<length {
            let next = bytes[index + offset]
            guard next & 0xC0 == 0x80 else { return 0 }
            value = value << 6 | UInt32(next & 0x3F)
        }
        if value < minimum || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { return 0 }
        return length
    }
}
