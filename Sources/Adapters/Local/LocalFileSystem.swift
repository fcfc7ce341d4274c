import Executor
import Foundation

/// A file-system call that failed, said in words a user can act on (the path and
/// the system's reason, never a Foundation error domain).
package struct LocalFileError: Error, Equatable, CustomStringConvertible {
    /// The sentence: `cannot create /x/runjob: /x is not a directory`.
    package var description: String

    /// `what: <reason for errno code>`.
    init(_ what: String, code: Int32) {
        description = what + ": " + LocalFileSystem.reason(code)
    }

    /// A complete sentence.
    init(_ sentence: String) {
        description = sentence
    }
}

/// The provider's own folder operations with plain POSIX calls: creating folder
/// chains, removing trees that may vanish meanwhile, scratch files, whole reads and writes.
enum LocalFileSystem {
    /// The system's words for `code` (`No such file or directory`).
    static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Whether something (a link too) is at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Whether `path` is a directory (following links).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates the absolute `path` and its missing parents (new ones get exactly `mode`, whatever the umask);
    /// existing directories are fine. A component that exists but is no directory
    /// is reported as such (`/x is not a directory`).
    static func makeDirectories(_ path: String, mode: mode_t) throws(LocalFileError) {
        var prefix = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, mode) == 0 {
                _ = chmod(prefix, mode)  // the umask may have taken bits away
                continue
            }
            let code = errno
            if code == EEXIST {
                if isDirectory(prefix) { continue }
                throw LocalFileError("\(prefix) is not a directory")
            }
            throw LocalFileError("cannot create \(prefix)", code: code)
        }
    }

    /// A new file in `directory` that has no name (created 0600, unlinked at once), open
    /// for reading and writing, close-on-exec. The caller closes it.
    static func scratchFile(in directory: String) throws(LocalFileError) -> Int32 {
        var template = Array((directory + "/.runjob-io.XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard descriptor >= 0 else { throw LocalFileError("cannot create a temporary file in \(directory)", code: errno) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        unlink(template)
        return descriptor
    }

    /// Writes all of `bytes` to `descriptor` at its current offset; the error is the system's reason.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws(LocalFileError) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { raw in raw.baseAddress.map { write(descriptor, $0 + written, raw.count - written) } ?? 0 }
            if count < 0 {
                if errno == EINTR { continue }
                throw LocalFileError(reason(errno))
            }
            written += count
        }
    }

    /// Everything in the file behind `descriptor`, from offset 0; `nil` when it holds more than
    /// `limit` bytes. The error is the system's reason.
    static func readAll(_ descriptor: Int32, limit: Int) throws(LocalFileError) -> [UInt8]? {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw LocalFileError(reason(errno)) }
        let size = Int(info.st_size)
        guard size <= limit else { return nil }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let count = bytes.withUnsafeMutableBytes { raw in raw.baseAddress.map { pread(descriptor, $0 + done, size - done, off_t(done)) } ?? 0 }
            if count < 0 {
                if errno == EINTR { continue }
                throw LocalFileError(reason(errno))
            }
            if count == 0 { break }
            done += count
        }
        return Array(bytes[0..<done])
    }

    /// The file at `path` if it is a regular file of at most `limit` bytes. Opening never
    /// blocks (a FIFO planted by a session is refused, not waited on); `followLinks: false`
    /// refuses a symbolic link at the last component.
    static func readRegular(_ path: String, limit: Int, followLinks: Bool = true) -> LocalFile.ReadResult {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .missing }
            return .unreadable(code == ELOOP ? "it is a symbolic link" : reason(code))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .unreadable(reason(errno)) }
        if (info.st_mode & S_IFMT) == S_IFDIR { return .directory }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .unreadable("it is not a regular file") }
        do throws(LocalFileError) {
            guard let bytes = try readAll(descriptor, limit: limit) else { return .tooLarge(Int(info.st_size)) }
            return .bytes(bytes)
        } catch {
            return .unreadable(error.description)
        }
    }

    /// Writes `bytes` to `path` atomically (a new 0600 file beside it, then a rename).
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(LocalFileError) {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR)
        guard descriptor >= 0 else { throw LocalFileError("cannot create \(temporary)", code: errno) }
        do throws(LocalFileError) {
            try writeAll(bytes, to: descriptor)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw LocalFileError("cannot write \(temporary): \(error.description)")
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw LocalFileError("cannot rename \(temporary) to \(path)", code: code)
        }
    }

    /// The names in `folder` (not `.` and `..`); none when it does not exist or is no
    /// folder (or, with `followLinks: false`, is a symbolic link).
    static func names(in folder: String, followLinks: Bool = true) throws(LocalFileError) -> [String] {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR || code == ELOOP { return [] }
            throw LocalFileError("cannot read \(folder)", code: code)
        }
        guard let directory = fdopendir(descriptor) else {
            let code = errno
            close(descriptor)
            throw LocalFileError("cannot read \(folder)", code: code)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.bindMemory(to: UInt8.self).prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `path` with every symbolic link followed (`realpath(3)`); `nil` when it cannot be resolved.
    static func realPath(_ path: String) -> String? {
        guard let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        return String(cString: real)
    }
}
