/// A growable byte buffer for writers that append millions of small pieces
/// (JSON plans, event lines): appends are plain stores, without the uniqueness
/// and bounds checks of `[UInt8]`. Owned by one writer; not shared.
final class ByteBuffer {
    private var storage: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        storage = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
    }

    deinit {
        storage.deallocate()
    }

    private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < count + extra { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: storage, count: count)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        if count == capacity { reserve(1) }
        storage[count] = byte
        count += 1
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (storage + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    func append(_ bytes: some Collection<UInt8>) {
        // Contiguous bytes (arrays, slices, native strings' UTF-8) are copied at once.
        let copied: Void? = bytes.withContiguousStorageIfAvailable { append($0) }
        if copied != nil { return }
        reserve(bytes.count)
        for byte in bytes {
            storage[count] = byte
            count += 1
        }
    }

    /// Empties the buffer; its memory is kept for the next appends.
    func removeAll() {
        count = 0
    }

    /// Calls `body` with the bytes written so far.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    /// The bytes written so far, copied into an array.
    var array: [UInt8] {
        Array(UnsafeBufferPointer(start: storage, count: count))
    }
}
