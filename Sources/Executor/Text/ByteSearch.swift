#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Fast substring search over byte arrays (memchr for the first byte, memcmp for the rest).
enum ByteSearch {
    /// The first index at or after `start` where `needle` occurs in `haystack`.
    static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, start >= 0, haystack.count - start >= needle.count else { return nil }
        return haystack.withUnsafeBytes { hay -> Int? in
            needle.withUnsafeBytes { pattern -> Int? in
                guard let base = hay.baseAddress, let patternBase = pattern.baseAddress else { return nil }
                let first = Int32(needle[0])
                let last = hay.count - pattern.count
                var position = start
                while position <= last {
                    guard let found = memchr(base + position, first, last - position + 1) else { return nil }
                    let index = base.distance(to: UnsafeRawPointer(found))
                    if memcmp(base + index, patternBase, pattern.count) == 0 { return index }
                    position = index + 1
                }
                return nil
            }
        }
    }
}
