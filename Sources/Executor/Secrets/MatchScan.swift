/// One pass of a ``PatternAutomaton`` over a text that may arrive in pieces: the
/// automaton state, where the bytes it read came from, and the merged ranges to mask.
///
/// Line breaks never stop a match: LF, CR and the two-character escapes `\n` and `\r`
/// are skipped (patterns are normalised the same way, see ``MatchScan/normalize(_:)``),
/// so base64 wrapped at any width (`base64`'s 76 columns, PEM's 64), with LF or CRLF,
/// raw or inside a JSON string, is recognised like its unwrapped form.
struct MatchScan {
    /// The automaton's state.
    var state: Int32 = 0
    /// Bytes read by the automaton so far (skipped line breaks not counted).
    private(set) var consumed = 0
    /// Positions of the last bytes read, so a match's start can be found (a power-of-two ring).
    private var ring: [Int]
    private let ringMask: Int
    /// A backslash that waits for the next byte to know whether it starts an escaped line break.
    private(set) var pendingBackslash: Int?
    /// Merged, sorted, disjoint ranges (absolute positions) to mask.
    private(set) var masked: [Range<Int>] = []

    /// A scan for patterns up to `longest` bytes.
    init(longest: Int) {
        var capacity = 1
        while capacity < max(1, longest) { capacity <<= 1 }
        ring = [Int](repeating: 0, count: capacity)
        ringMask = capacity - 1
    }

    /// Reads `text`, whose first byte is at absolute position `base`.
    mutating func read(_ text: [UInt8], base: Int, with automaton: PatternAutomaton) {
        text.withUnsafeBufferPointer { read($0, base: base, with: automaton) }
    }

    /// Reads `text`, whose first byte is at absolute position `base`.
    mutating func read(_ text: UnsafeBufferPointer<UInt8>, base: Int, with automaton: PatternAutomaton) {
        for index in 0..<text.count {
            let byte = text[index]
            if let backslash = pendingBackslash {
                pendingBackslash = nil
                if byte == UInt8(ascii: "n") || byte == UInt8(ascii: "r") { continue }
                step(UInt8(ascii: "\\"), at: backslash, automaton)
            }
            if byte == 0x0A || byte == 0x0D { continue }
            if byte == UInt8(ascii: "\\") {
                pendingBackslash = base + index
                continue
            }
            step(byte, at: base + index, automaton)
        }
    }

    /// Reads a backslash that was the last byte (the text ended without its next byte).
    mutating func finish(with automaton: PatternAutomaton) {
        guard let backslash = pendingBackslash else { return }
        pendingBackslash = nil
        step(UInt8(ascii: "\\"), at: backslash, automaton)
    }

    @inline(__always)
    private mutating func step(_ byte: UInt8, at position: Int, _ automaton: PatternAutomaton) {
        state = automaton.next(state, byte)
        ring[consumed & ringMask] = position
        consumed &+= 1
        let length = automaton.matchLength(state)
        if length > 0 { mask(ring[(consumed - length) & ringMask]..<(position + 1)) }
    }

    /// The absolute position of the `back`-th last byte read (1: the last one).
    func positionOfRead(back: Int) -> Int {
        ring[(consumed - back) & ringMask]
    }

    /// The earliest position a later match could still cover: the start of the partial
    /// match in progress, or `end` (the next position) when there is none.
    func frontier(depth: Int, end: Int) -> Int {
        var frontier = depth > 0 ? positionOfRead(back: depth) : end
        if let backslash = pendingBackslash { frontier = min(frontier, backslash) }
        return frontier
    }

    /// Adds a range to mask, merging it with the ranges it overlaps or touches.
    mutating func mask(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        if let last = masked.last, last.upperBound < range.lowerBound {
            masked.append(range)  // the usual case: matches arrive in order
            return
        }
        // A match that reaches back over earlier ones, or a range from a cut: merge what it touches.
        var lower = range.lowerBound
        var upper = range.upperBound
        var first = masked.count
        var last = -1
        var index = masked.count - 1
        while index >= 0 && masked[index].upperBound >= lower {
            if masked[index].lowerBound <= upper {
                lower = min(lower, masked[index].lowerBound)
                upper = max(upper, masked[index].upperBound)
                first = index
                last = max(last, index)
            }
            index -= 1
        }
        if last >= 0 {
            masked.replaceSubrange(first...last, with: [lower..<upper])
        } else {
            masked.insert(lower..<upper, at: index + 1)
        }
    }

    /// Drops the masked ranges that end at or before `position` (they have been written out).
    mutating func dropMasked(before position: Int) {
        let count = masked.prefix { $0.upperBound <= position }.count
        if count > 0 { masked.removeFirst(count) }
    }

    /// `pattern` as the scan reads text: without LF, CR and the escapes `\n`, `\r`.
    static func normalize(_ pattern: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(pattern.count)
        var index = 0
        while index < pattern.count {
            let byte = pattern[index]
            if byte == 0x0A || byte == 0x0D {
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\\"), index + 1 < pattern.count,
                pattern[index + 1] == UInt8(ascii: "n") || pattern[index + 1] == UInt8(ascii: "r")
            {
                index += 2
                continue
            }
            out.append(byte)
            index += 1
        }
        return out
    }

    /// The bytes of `text[range]` as the scan reads them, each with its position in `text`.
    static func normalized(_ text: [UInt8], _ range: Range<Int>) -> (bytes: [UInt8], positions: [Int]) {
        var bytes: [UInt8] = []
        var positions: [Int] = []
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = text[index]
            if byte == 0x0A || byte == 0x0D {
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\\"), index + 1 < range.upperBound,
                text[index + 1] == UInt8(ascii: "n") || text[index + 1] == UInt8(ascii: "r")
            {
                index += 2
                continue
            }
            bytes.append(byte)
            positions.append(index)
            index += 1
        }
        return (bytes, positions)
    }
}
