import Executor
import Foundation

/// One live process as `/proc` shows it.
struct LocalProcess: Sendable, Equatable {
    var pid: Int32
    var parent: Int32
    var group: Int32
    var session: Int32
    /// Whether it carries the instance's marker in its environment or works inside its folder.
    var marked: Bool
}

/// A snapshot of the processes on this machine (Linux `/proc`). The async forms read
/// `/proc` on a Dispatch thread, not on the cooperative pool that every task shares.
enum LocalProcessTable {
    /// Every live process (zombies left out) by pid, each marked when its environment
    /// holds `marker` or its working directory is one of `folders` or below.
    static func snapshot(marker: String, folders: [String]) async -> [Int32: LocalProcess] {
        await offPool { scan(marker: marker, folders: folders) }
    }

    /// ``snapshot(marker:folders:)`` on the calling thread.
    static func scan(marker: String, folders: [String]) -> [Int32: LocalProcess] {
        let markerBytes = Array(marker.utf8)
        var reader = ProcReader()
        var table: [Int32: LocalProcess] = [:]
        for name in (try? LocalFileSystem.names(in: "/proc")) ?? [] {
            guard let pid = Int32(name), var process = process(pid, reader: &reader) else { continue }
            process.marked = hasMarker(pid, markerBytes, reader: &reader) || worksInside(pid, folders)
            table[pid] = process
        }
        return table
    }

    /// Whether a live process (not a zombie waiting to be reaped) is in process group `group`.
    static func groupHasLiveMembers(_ group: Int32) async -> Bool {
        guard kill(-group, 0) == 0 || errno == EPERM else { return false }
        return await offPool {
            var reader = ProcReader()
            for name in (try? LocalFileSystem.names(in: "/proc")) ?? [] {
                if let pid = Int32(name), let process = process(pid, reader: &reader), process.group == group { return true }
            }
            return false
        }
    }

    /// This process and its ancestors (never signalled, whatever they carry).
    static func ownLine() -> Set<Int32> {
        var reader = ProcReader()
        var line: Set<Int32> = [getpid()]
        var current = getppid()
        while current > 1, !line.contains(current), let process = process(current, reader: &reader) {
            line.insert(current)
            current = process.parent
        }
        return line
    }

    /// The process `pid` (unmarked), or `nil` when it is gone or a zombie.
    private static func process(_ pid: Int32, reader: inout ProcReader) -> LocalProcess? {
        guard let bytes = reader.read("/proc/\(pid)/stat", limit: 4096), let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "), maxSplits: 5)
        guard fields.count > 3, fields[0].first != UInt8(ascii: "Z"), fields[0].first != UInt8(ascii: "X"),
            let parent = number(fields[1]), let group = number(fields[2]), let session = number(fields[3])
        else { return nil }
        return LocalProcess(pid: pid, parent: parent, group: group, session: session, marked: false)
    }

    private static func hasMarker(_ pid: Int32, _ marker: [UInt8], reader: inout ProcReader) -> Bool {
        guard let environ = reader.read("/proc/\(pid)/environ", limit: 4 << 20) else { return false }
        return environ.split(separator: 0, omittingEmptySubsequences: true).contains { $0.elementsEqual(marker) }
    }

    private static func worksInside(_ pid: Int32, _ folders: [String]) -> Bool {
        guard !folders.isEmpty else { return false }
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink("/proc/\(pid)/cwd", &buffer, 4096)
        guard count > 0 else { return false }
        let cwd = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return folders.contains { cwd == $0 || cwd.hasPrefix($0 + "/") || cwd == $0 + " (deleted)" }
    }

    private static func number<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int32? {
        Int32(String(decoding: bytes, as: UTF8.self))
    }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async { continuation.resume(returning: work()) }
        }
    }
}

/// Reads `/proc` files (whose size `stat` does not tell) into one buffer reused across reads.
private struct ProcReader {
    private var buffer = [UInt8](repeating: 0, count: 16 << 10)

    /// The first `limit` bytes at most of the file at `path`; `nil` when it cannot be read.
    mutating func read(_ path: String, limit: Int) -> ArraySlice<UInt8>? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var total = 0
        while total < limit {
            if total == buffer.count { buffer += [UInt8](repeating: 0, count: min(buffer.count, limit - total)) }
            let count = buffer.withUnsafeMutableBytes { raw in
                raw.baseAddress.map { Foundation.read(descriptor, $0 + total, raw.count - total) } ?? -1
            }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            total += count
        }
        return buffer[0..<total]
    }
}
