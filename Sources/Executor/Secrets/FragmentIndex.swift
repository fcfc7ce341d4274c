/// Every run of ``width`` consecutive bytes of the secret forms, to recognise a piece
/// of a secret where a text was cut: the tail of a secret at the start of a text whose
/// beginning was cut off, or the head of one before a `…` that marks a cut.
///
/// Built on demand (only texts with a cut need it); immutable and safe to share.
final class FragmentIndex: Sendable {
    /// The shortest piece of a secret recognised at a cut.
    static let width = 12

    /// A window of ``FragmentIndex/width`` bytes, packed.
    private struct Window: Hashable {
        var head: UInt64
        var tail: UInt32

        init(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) {
            var head: UInt64 = 0
            for offset in 0..<8 { head = head << 8 | UInt64(bytes[start + offset]) }
            var tail: UInt32 = 0
            for offset in 8..<12 { tail = tail << 8 | UInt32(bytes[start + offset]) }
            self.head = head
            self.tail = tail
        }
    }

    private let windows: Set<Window>

    /// The windows of `patterns` (normalised as ``MatchScan`` reads text).
    init(patterns: some Sequence<[UInt8]>) {
        var windows = Set<Window>()
        for pattern in patterns where pattern.count >= Self.width {
            pattern.withUnsafeBufferPointer { buffer in
                for start in 0...(buffer.count - Self.width) { windows.insert(Window(buffer, at: start)) }
            }
        }
        self.windows = windows
    }

    /// Whether `window` (exactly ``width`` bytes) occurs in some secret form.
    func contains(_ window: [UInt8]) -> Bool {
        guard window.count == Self.width else { return false }
        return window.withUnsafeBufferPointer { windows.contains(Window($0, at: 0)) }
    }
}
