#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads files on the machine running runjob with plain POSIX calls (a size
/// check before reading, no Foundation start-up cost).
public enum LocalFile {
    /// The outcome of reading a file.
    public enum ReadResult: Sendable, Equatable {
        /// The file's bytes.
        case bytes([UInt8])
        /// There is no such file.
        case missing
        /// The path is a directory.
        case directory
        /// The file is larger than the limit (its size in bytes).
        case tooLarge(Int)
        /// It exists but cannot be read; the reason says why.
        case unreadable(String)
    }

    /// The whole file at `path`, refusing files over `limit` bytes before reading them.
    public static func read(_ path: String, limit: Int) -> ReadResult {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            return errno == ENOENT || errno == ENOTDIR ? .missing : .unreadable(String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .unreadable(String(cString: strerror(errno))) }
        if (info.st_mode & S_IFMT) == S_IFDIR { return .directory }
        let size = Int(info.st_size)
        if size > limit { return .tooLarge(size) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + 1)
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { readBytes(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .unreadable(String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit { return .tooLarge(bytes.count) }
        }
        return .bytes(bytes)
    }
}

/// `read(2)`, under a name that does not clash with ``LocalFile/read(_:limit:)``.
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
