import Synchronization

/// Replaces every known secret in text with `[redacted]`.
///
/// One redactor belongs to one run: secrets from the manifest are added when the
/// run starts, secrets that appear at run time (a token an API returned) as they
/// appear. It recognises each secret raw, JSON-escaped, shell-quoted and in all
/// three base64 alignments (see ``SecretVariants``). Safe to share between tasks.
public final class Redactor: Sendable {
    /// What replaces a secret.
    public static let replacement = "[redacted]"
    private static let replacementBytes = Array(replacement.utf8)

    private let patterns = Mutex<[[UInt8]]>([])

    /// An empty redactor.
    public init() {}

    /// A redactor that knows the given secrets.
    public convenience init(secrets: [Secret]) {
        self.init()
        for secret in secrets { add(secret) }
    }

    /// Adds a secret; unresolved secrets have nothing to redact and are ignored.
    public func add(_ secret: Secret) {
        guard let value = secret.reveal() else { return }
        add(value: value)
    }

    /// Adds every secret of an interpolated string.
    public func add(_ text: InterpolatedString) {
        for secret in text.secrets { add(secret) }
        if text.containsSecret, let whole = text.reveal() { add(value: whole) }
    }

    /// Adds a raw secret value (and the fields of a structured value, see ``SecretVariants``).
    public func add(value: String) {
        var new = SecretVariants.patterns(for: value)
        for fragment in SecretVariants.fragments(of: value) {
            new += SecretVariants.patterns(for: fragment)
        }
        guard !new.isEmpty else { return }
        patterns.withLock { current in
            var all = Set(current)
            all.formUnion(new)
            current = all.sorted { $0.count > $1.count || ($0.count == $1.count && $0.lexicographicallyPrecedes($1)) }
        }
    }

    /// The longest pattern in bytes (how much a stream must hold back).
    public var longestPattern: Int {
        patterns.withLock { $0.first?.count ?? 0 }
    }

    /// The current patterns, longest first.
    var currentPatterns: [[UInt8]] { patterns.withLock { $0 } }

    /// Whether no secret is known.
    public var isEmpty: Bool { patterns.withLock { $0.isEmpty } }

    /// `text` with every secret replaced.
    public func redact(_ text: String) -> String {
        let current = patterns.withLock { $0 }
        guard !current.isEmpty else { return text }
        let bytes = Array(text.utf8)
        let ranges = Self.matches(in: bytes, patterns: current)
        guard !ranges.isEmpty else { return text }
        return String(decoding: Self.replace(bytes, ranges: ranges), as: UTF8.self)
    }

    /// `bytes` with every secret replaced.
    public func redact(bytes: [UInt8]) -> [UInt8] {
        let current = patterns.withLock { $0 }
        guard !current.isEmpty else { return bytes }
        let ranges = Self.matches(in: bytes, patterns: current)
        return ranges.isEmpty ? bytes : Self.replace(bytes, ranges: ranges)
    }

    /// Whether `bytes` contain any known secret form.
    public func containsSecret(_ bytes: [UInt8]) -> Bool {
        let current = patterns.withLock { $0 }
        return !Self.matches(in: bytes, patterns: current).isEmpty
    }

    /// Matches in `bytes`, merged into disjoint ranges sorted by start.
    static func matches(in bytes: [UInt8], patterns: [[UInt8]]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        for pattern in patterns {
            var start = 0
            while let index = ByteSearch.firstIndex(of: pattern, in: bytes, from: start) {
                found.append(index..<(index + pattern.count))
                start = index + 1
            }
        }
        guard !found.isEmpty else { return [] }
        found.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int>] = [found[0]]
        for range in found.dropFirst() {
            let last = merged[merged.count - 1]
            if range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    private static func replace(_ bytes: [UInt8], ranges: [Range<Int>]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var position = 0
        for range in ranges {
            out += bytes[position..<range.lowerBound]
            out += replacementBytes
            position = range.upperBound
        }
        out += bytes[position...]
        return out
    }
}
