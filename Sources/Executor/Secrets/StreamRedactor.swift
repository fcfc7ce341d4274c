/// Redacts a byte stream that arrives in chunks (a session's log), with the same
/// result as redacting the whole stream at once: it holds back only the bytes that a
/// match in progress could still cover, so a secret split across chunks is caught.
///
/// It knows the secrets its redactor knew when it was made. Not thread-safe: one
/// instance per stream, used by one task.
public struct StreamRedactor: Sendable {
    private let compiled: Redactor.Compiled?
    private var scan: MatchScan
    /// The bytes from absolute position `written` on, not yet returned.
    private var held: [UInt8] = []
    private var written = 0
    private var end = 0
    /// Whether the stream's start was cut off and that start has not been looked at yet.
    private var startCutPending: Bool

    /// A stream redactor over `redactor`'s secrets. `cutAtStart`: the stream begins after a
    /// cut (the last lines of a log, a read from an offset), so a secret's tail at its very
    /// start is masked too.
    public init(redactor: Redactor, cutAtStart: Bool = false) {
        compiled = redactor.compiled()
        scan = MatchScan(longest: compiled?.automaton.longest ?? 1)
        startCutPending = cutAtStart && compiled != nil
    }

    /// Takes the next chunk and returns the redacted bytes that are safe to write now.
    public mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
        guard let compiled else { return chunk }
        held += chunk
        scan.read(chunk, base: end, with: compiled.automaton)
        end += chunk.count
        if startCutPending {
            // The tail of a secret at the start is at most one pattern long (plus line breaks).
            guard held.count >= 2 * compiled.automaton.longest + 2 * FragmentIndex.width else { return [] }
            resolveStartCut(compiled)
        }
        let frontier = scan.frontier(depth: compiled.automaton.depth(of: scan.state), end: end)
        // A masked range that reaches the frontier may still grow: keep it back whole.
        let limit = scan.masked.last(where: { $0.upperBound >= frontier }).map { min(frontier, $0.lowerBound) } ?? frontier
        return write(upTo: limit)
    }

    /// Returns what is held back, redacted. Call once at the end of the stream;
    /// `cutAtEnd`: more may follow later (a log still being written), so a secret's
    /// beginning at the very end is masked too.
    public mutating func finish(cutAtEnd: Bool = false) -> [UInt8] {
        guard let compiled else { return [] }
        scan.finish(with: compiled.automaton)
        if startCutPending { resolveStartCut(compiled) }
        if cutAtEnd { compiled.maskCutEnd(&scan) }
        return write(upTo: end)
    }

    private mutating func resolveStartCut(_ compiled: Redactor.Compiled) {
        startCutPending = false
        if let range = compiled.leadingFragment(in: held, from: 0) { scan.mask(range) }
    }

    /// The held bytes before absolute position `limit`, with the masked ranges replaced.
    private mutating func write(upTo limit: Int) -> [UInt8] {
        guard limit > written else { return [] }
        let ranges = scan.masked.filter { $0.lowerBound < limit }
        let out = Redactor.replace(held[..<(limit - written)], ranges: ranges, offset: written)
        held.removeFirst(limit - written)
        scan.dropMasked(before: limit)
        written = limit
        return out
    }
}
