/// Redacts a byte stream that arrives in chunks, catching secrets that straddle
/// chunk boundaries: it holds back just enough bytes to complete any pattern.
///
/// Not thread-safe: one instance per stream, used by one task.
public struct StreamRedactor: Sendable {
    private let redactor: Redactor
    private var pending: [UInt8] = []

    /// A stream redactor over `redactor`'s secrets.
    public init(redactor: Redactor) {
        self.redactor = redactor
    }

    /// Takes the next chunk and returns the redacted bytes that are safe to emit now.
    public mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
        pending += chunk
        let hold = max(0, redactor.longestPattern - 1)
        guard pending.count > hold else { return [] }
        let redacted = redactor.redact(bytes: pending)
        if redacted == pending {
            let cut = pending.count - hold
            let out = Array(pending[..<cut])
            pending.removeFirst(cut)
            return out
        }
        // Something matched: emit through the end of the last match that starts before
        // the safe boundary, keep the rest (which might begin a longer match).
        let safeEnd = pending.count - hold
        let ranges = redactor.matchRanges(in: pending)
        var cut = safeEnd
        for range in ranges where range.lowerBound < safeEnd {
            cut = max(cut, range.upperBound)
        }
        let head = Array(pending[..<cut])
        pending.removeFirst(cut)
        return redactor.redact(bytes: head)
    }

    /// Flushes what is held back, redacted. Call once at the end of the stream.
    public mutating func finish() -> [UInt8] {
        defer { pending = [] }
        return redactor.redact(bytes: pending)
    }
}

extension Redactor {
    /// The merged match ranges of every known secret form in `bytes`.
    func matchRanges(in bytes: [UInt8]) -> [Range<Int>] {
        Self.matches(in: bytes, patterns: currentPatterns)
    }
}
