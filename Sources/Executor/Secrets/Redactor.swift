import Synchronization

/// Replaces every known secret in text with `[redacted]`.
///
/// One redactor belongs to one run: secrets from the manifest are added when the run
/// starts, secrets that appear at run time (a token an API returned) as they appear.
/// It recognises each secret raw, JSON-escaped, shell-quoted and base64-encoded (all
/// three alignments, standard and URL-safe), also when line breaks were put into it
/// (base64 wrapped at any width, LF or CRLF, see ``MatchScan``), and each long line or
/// JSON string of a structured secret on its own (see ``SecretVariants``).
///
/// Where a text was cut, a piece of a secret of 12 bytes or more that runs up to the cut
/// is masked as well: at a `…` (``cutMark``, which runjob puts wherever it shortens a
/// text) and at the ends named by ``Cut``. Redact whole texts, then shorten them; redact
/// values before they are serialized, never a serialized JSON document.
///
/// All forms of all secrets are found in one pass over the text (``PatternAutomaton``),
/// so the cost does not grow with the number of secrets. Safe to share between tasks.
public final class Redactor: Sendable {
    /// What replaces a secret.
    public static let replacement = "[redacted]"
    /// The mark runjob puts where it shortened a text: a secret's piece next to it is masked.
    public static let cutMark = "…"

    /// The ends of a text that were cut off before it reached runjob.
    public struct Cut: OptionSet, Sendable {
        public let rawValue: Int
        /// Creates a set of cut ends.
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// The text starts after a cut (its beginning is missing: a tail, a read from an offset).
        public static let start = Cut(rawValue: 1)
        /// The text ends at a cut (more may follow: a head, a log still being written).
        public static let end = Cut(rawValue: 2)
    }

    private static let replacementBytes = Array(replacement.utf8)
    private static let cutMarkBytes = Array(cutMark.utf8)

    private struct State {
        var patterns: Set<[UInt8]> = []
        var compiled: Compiled?
    }

    private let state = Mutex(State())

    /// An empty redactor.
    public init() {}

    /// A redactor that knows the given secrets.
    public convenience init(secrets: [Secret]) {
        self.init()
        for secret in secrets { add(secret) }
    }

    /// Adds a secret. Unresolved secrets have nothing to redact, and values that are not
    /// sensitive (a default written in the manifest) are not secret: both are ignored.
    public func add(_ secret: Secret) {
        guard secret.isSensitive, let value = secret.reveal() else { return }
        add(value: value)
    }

    /// Adds every secret of an interpolated string (and the assembled value as a whole).
    public func add(_ text: InterpolatedString) {
        for secret in text.secrets { add(secret) }
        if text.secrets.contains(where: \.isSensitive), let whole = text.reveal() { add(value: whole) }
    }

    /// Adds a raw secret value (and the fields of a structured value, see ``SecretVariants``).
    public func add(value: String) {
        var new = SecretVariants.patterns(for: value)
        for fragment in SecretVariants.fragments(of: value) {
            new += SecretVariants.patterns(for: fragment.text, base64: fragment.base64)
        }
        guard !new.isEmpty else { return }
        state.withLock { state in
            let before = state.patterns.count
            state.patterns.formUnion(new)
            if state.patterns.count != before { state.compiled = nil }
        }
    }

    /// Whether no secret is known.
    public var isEmpty: Bool { state.withLock { $0.patterns.isEmpty } }

    /// The matcher for the current secrets (built on first use after a change), or `nil` when none is known.
    func compiled() -> Compiled? {
        state.withLock { state in
            if let compiled = state.compiled { return compiled }
            guard !state.patterns.isEmpty else { return nil }
            let compiled = Compiled(patterns: Array(state.patterns))
            state.compiled = compiled
            return compiled
        }
    }

    /// `text` with every secret replaced; `cut` names the ends that were cut off.
    public func redact(_ text: String, cut: Cut = []) -> String {
        guard let compiled = compiled() else { return text }
        let bytes = Array(text.utf8)
        let ranges = compiled.maskedRanges(in: bytes, cut: cut)
        guard !ranges.isEmpty else { return text }
        return String(decoding: Self.replace(bytes, ranges: ranges), as: UTF8.self)
    }

    /// `bytes` with every secret replaced; `cut` names the ends that were cut off.
    public func redact(bytes: [UInt8], cut: Cut = []) -> [UInt8] {
        guard let compiled = compiled() else { return bytes }
        let ranges = compiled.maskedRanges(in: bytes, cut: cut)
        return ranges.isEmpty ? bytes : Self.replace(bytes, ranges: ranges)
    }

    /// `bytes` with `ranges` (sorted, disjoint, relative to `offset`) replaced.
    static func replace(_ bytes: some Collection<UInt8>, ranges: [Range<Int>], offset: Int = 0) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var position = bytes.startIndex
        for range in ranges {
            let lower = bytes.index(bytes.startIndex, offsetBy: range.lowerBound - offset)
            let upper = bytes.index(bytes.startIndex, offsetBy: range.upperBound - offset)
            out += bytes[position..<lower]
            out += replacementBytes
            position = upper
        }
        out += bytes[position...]
        return out
    }

    /// The matcher for one set of secret forms: the automaton, and the fragment windows for cuts.
    final class Compiled: Sendable {
        let automaton: PatternAutomaton
        private let patterns: [[UInt8]]
        private let index = Mutex<FragmentIndex?>(nil)

        init(patterns: [[UInt8]]) {
            self.patterns = patterns
            automaton = PatternAutomaton(patterns: patterns)
        }

        /// The fragment windows (built on first use: only cut texts need them).
        var fragments: FragmentIndex {
            index.withLock { index in
                if let index { return index }
                let built = FragmentIndex(patterns: patterns)
                index = built
                return built
            }
        }

        /// The merged ranges of `bytes` to mask.
        func maskedRanges(in bytes: [UInt8], cut: Cut) -> [Range<Int>] {
            var scan = MatchScan(longest: automaton.longest)
            scan.read(bytes, base: 0, with: automaton)
            scan.finish(with: automaton)
            if cut.contains(.end) { maskCutEnd(&scan) }
            if cut.contains(.start), let range = leadingFragment(in: bytes, from: 0) { scan.mask(range) }
            var search = 0
            while let mark = ByteSearch.firstIndex(of: Redactor.cutMarkBytes, in: bytes, from: search) {
                if let range = trailingFragment(in: bytes, before: mark) { scan.mask(range) }
                if let range = leadingFragment(in: bytes, from: mark + Redactor.cutMarkBytes.count) { scan.mask(range) }
                search = mark + Redactor.cutMarkBytes.count
            }
            return scan.masked
        }

        /// Masks the beginning of a secret that the end of the text cut off (12 bytes or more):
        /// the bytes of the match in progress, up to the last one read (line breaks after it stay).
        func maskCutEnd(_ scan: inout MatchScan) {
            let depth = automaton.depth(of: scan.state)
            guard depth >= FragmentIndex.width else { return }
            scan.mask(scan.positionOfRead(back: depth)..<(scan.positionOfRead(back: 1) + 1))
        }

        /// The piece of a secret (12 bytes or more) that starts `bytes` at `start`, if any.
        func leadingFragment(in bytes: [UInt8], from start: Int) -> Range<Int>? {
            var reader = NormalizedReader(bytes, from: start, forward: true)
            var window: [UInt8] = []
            var first: Int?
            var end: Int?
            while let (byte, position) = reader.next() {
                if first == nil { first = position }
                window.append(byte)
                if window.count > FragmentIndex.width { window.removeFirst() }
                guard window.count == FragmentIndex.width else { continue }
                guard fragments.contains(window) else { break }
                end = position + 1
            }
            guard let first, let end else { return nil }
            return first..<end
        }

        /// The piece of a secret (12 bytes or more) that ends `bytes` just before `end`, if any.
        func trailingFragment(in bytes: [UInt8], before end: Int) -> Range<Int>? {
            var reader = NormalizedReader(bytes, from: end - 1, forward: false)
            var window: [UInt8] = []
            var last: Int?
            var start: Int?
            while let (byte, position) = reader.next() {
                if last == nil { last = position }
                window.insert(byte, at: 0)
                if window.count > FragmentIndex.width { window.removeLast() }
                guard window.count == FragmentIndex.width else { continue }
                guard fragments.contains(window) else { break }
                start = position
            }
            guard let last, let start else { return nil }
            return start..<(last + 1)
        }
    }
}

/// Reads a text byte by byte from a position, forward or backward, skipping line breaks
/// the way ``MatchScan`` does (LF, CR, and the escapes `\n`, `\r`).
struct NormalizedReader {
    private let bytes: [UInt8]
    private var index: Int
    private let forward: Bool

    init(_ bytes: [UInt8], from index: Int, forward: Bool) {
        self.bytes = bytes
        self.index = index
        self.forward = forward
    }

    /// The next byte that is not part of a line break, and its position.
    mutating func next() -> (UInt8, Int)? {
        while index >= 0 && index < bytes.count {
            let byte = bytes[index]
            let position = index
            if byte == 0x0A || byte == 0x0D {
                index += forward ? 1 : -1
                continue
            }
            let isEscapeLetter = byte == UInt8(ascii: "n") || byte == UInt8(ascii: "r")
            if forward, byte == UInt8(ascii: "\\"), index + 1 < bytes.count,
                bytes[index + 1] == UInt8(ascii: "n") || bytes[index + 1] == UInt8(ascii: "r")
            {
                index += 2
                continue
            }
            if !forward, isEscapeLetter, index > 0, bytes[index - 1] == UInt8(ascii: "\\") {
                index -= 2
                continue
            }
            index += forward ? 1 : -1
            return (byte, position)
        }
        return nil
    }
}
