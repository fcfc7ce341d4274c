/// Finds every occurrence of many byte patterns in one pass over a text (Aho–Corasick):
/// the time is linear in the text whatever the number of patterns, so a run with
/// thousands of secret forms redacts as fast as a run with one.
///
/// Built once from a fixed set of patterns and immutable afterwards, so it is safe to
/// share between tasks. States are `Int32` indices; state 0 is the root (nothing matched).
final class PatternAutomaton: @unchecked Sendable {
    /// Per state: the state of its longest proper suffix that is also a trie state.
    private let fail: UnsafeMutableBufferPointer<Int32>
    /// Per state: how many bytes of a pattern it stands for.
    private let depths: UnsafeMutableBufferPointer<Int32>
    /// Per state: the length of the longest pattern that ends here (0: none).
    private let matches: UnsafeMutableBufferPointer<Int32>
    /// Per state: its children as a slice `edgeStart[s]..<edgeStart[s + 1]` of the edge arrays, sorted by byte.
    private let edgeStart: UnsafeMutableBufferPointer<Int32>
    private let edgeByte: UnsafeMutableBufferPointer<UInt8>
    private let edgeTarget: UnsafeMutableBufferPointer<Int32>
    /// Per state: the index of its full transition row in `rows`, or -1 (busy states and the root have one).
    private let rowIndex: UnsafeMutableBufferPointer<Int32>
    /// Full transition rows of 256 entries (children and failure transitions resolved).
    private let rows: UnsafeMutableBufferPointer<Int32>
    /// The length of the longest pattern.
    let longest: Int

    /// A child is looked up in a list up to this many children; busier states (and those at
    /// depth 2 or less, while rows remain) get a full row.
    private static let sparseLimit = 6
    /// At most this many full rows (1 KiB each).
    private static let maximumRows = 8192

    /// An automaton for `patterns` (empty patterns are ignored).
    init(patterns: [[UInt8]]) {
        let sorted = patterns.filter { !$0.isEmpty }.sorted { $0.lexicographicallyPrecedes($1) }
        // 1. The trie, built from sorted patterns: each pattern shares its prefix with the previous one.
        var depth: [Int32] = [0]
        var terminal: [Bool] = [false]
        var parents: [Int32] = []
        var bytes: [UInt8] = []
        var children: [Int32] = []
        var path: [Int32] = [0]
        var previous: [UInt8] = []
        var longest = 0
        for pattern in sorted {
            longest = max(longest, pattern.count)
            var common = 0
            let limit = min(previous.count, pattern.count)
            while common < limit && previous[common] == pattern[common] { common += 1 }
            path.removeLast(path.count - 1 - common)
            for index in common..<pattern.count {
                let node = Int32(depth.count)
                depth.append(Int32(index + 1))
                terminal.append(false)
                parents.append(path[path.count - 1])
                bytes.append(pattern[index])
                children.append(node)
                path.append(node)
            }
            terminal[Int(path[path.count - 1])] = true
            previous = pattern
        }
        let count = depth.count
        // 2. Edges grouped by parent (a counting sort keeps each parent's bytes in ascending order).
        var start = [Int32](repeating: 0, count: count + 1)
        for parent in parents { start[Int(parent) + 1] += 1 }
        for index in 0..<count { start[index + 1] += start[index] }
        var fill = start
        var edgeByte = [UInt8](repeating: 0, count: parents.count)
        var edgeTarget = [Int32](repeating: 0, count: parents.count)
        for (edge, parent) in parents.enumerated() {
            let slot = Int(fill[Int(parent)])
            fill[Int(parent)] += 1
            edgeByte[slot] = bytes[edge]
            edgeTarget[slot] = children[edge]
        }
        // 3. Failure links and matches, breadth first; full rows for shallow and busy states.
        var fail = [Int32](repeating: 0, count: count)
        var match = [Int32](repeating: 0, count: count)
        var rowIndex = [Int32](repeating: -1, count: count)
        var rows: [Int32] = []
        func child(_ state: Int32, _ byte: UInt8) -> Int32? {
            var low = Int(start[Int(state)])
            var high = Int(start[Int(state) + 1])
            while low < high {
                let middle = (low + high) / 2
                if edgeByte[middle] < byte { low = middle + 1 } else { high = middle }
            }
            return low < Int(start[Int(state) + 1]) && edgeByte[low] == byte ? edgeTarget[low] : nil
        }
        func transition(_ state: Int32, _ byte: UInt8) -> Int32 {
            var current = state
            while true {
                let row = rowIndex[Int(current)]
                if row >= 0 { return rows[Int(row) * 256 + Int(byte)] }
                if let target = child(current, byte) { return target }
                current = fail[Int(current)]
            }
        }
        var queue: [Int32] = [0]
        queue.reserveCapacity(count)
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            let edges = Int(start[Int(state)])..<Int(start[Int(state) + 1])
            for edge in edges {
                let target = edgeTarget[edge]
                fail[Int(target)] = state == 0 ? 0 : transition(fail[Int(state)], edgeByte[edge])
                match[Int(target)] = terminal[Int(target)] ? depth[Int(target)] : match[Int(fail[Int(target)])]
                queue.append(target)
            }
            // Shallow states are visited on almost every byte of ordinary text: they get rows first.
            let busy = depth[Int(state)] <= 2 || edges.count > Self.sparseLimit
            if busy && rows.count / 256 < Self.maximumRows {
                var row = [Int32](repeating: 0, count: 256)
                for byte in 0...255 {
                    let value = UInt8(byte)
                    row[byte] = child(state, value) ?? (state == 0 ? 0 : transition(fail[Int(state)], value))
                }
                rowIndex[Int(state)] = Int32(rows.count / 256)
                rows += row
            }
        }
        self.fail = Self.copy(fail)
        self.depths = Self.copy(depth)
        self.matches = Self.copy(match)
        self.edgeStart = Self.copy(start)
        self.edgeByte = Self.copy(edgeByte)
        self.edgeTarget = Self.copy(edgeTarget)
        self.rowIndex = Self.copy(rowIndex)
        self.rows = Self.copy(rows)
        self.longest = longest
    }

    deinit {
        fail.deallocate()
        depths.deallocate()
        matches.deallocate()
        edgeStart.deallocate()
        edgeByte.deallocate()
        edgeTarget.deallocate()
        rowIndex.deallocate()
        rows.deallocate()
    }

    private static func copy<Element>(_ array: [Element]) -> UnsafeMutableBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: max(1, array.count))
        _ = buffer.initialize(from: array)
        return buffer
    }

    /// Whether the automaton has no pattern.
    var isEmpty: Bool { longest == 0 }

    /// How many pattern bytes `state` stands for.
    func depth(of state: Int32) -> Int { Int(depths[Int(state)]) }

    /// The state after `state` reads `byte`.
    @inline(__always)
    func next(_ state: Int32, _ byte: UInt8) -> Int32 {
        var current = state
        while true {
            let row = rowIndex[Int(current)]
            if row >= 0 { return rows[Int(row) &* 256 &+ Int(byte)] }
            var edge = Int(edgeStart[Int(current)])
            let end = Int(edgeStart[Int(current) &+ 1])
            while edge < end {
                let candidate = edgeByte[edge]
                if candidate == byte { return edgeTarget[edge] }
                if candidate > byte { break }
                edge &+= 1
            }
            current = fail[Int(current)]
        }
    }

    /// The length of the longest pattern that ends in `state` (0: none).
    @inline(__always)
    func matchLength(_ state: Int32) -> Int { Int(matches[Int(state)]) }
}
