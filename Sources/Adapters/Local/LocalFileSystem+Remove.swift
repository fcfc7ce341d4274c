import Foundation

extension LocalFileSystem {
    /// Removes `path` and everything below it without following links. Entries that
    /// disappear meanwhile (a second destroy at the same time) count as removed;
    /// folders a session made unwritable are opened up first.
    static func removeTree(_ path: String) throws(LocalFileError) {
        var lastError: LocalFileError?
        // ENOTEMPTY: a process that was still stopping wrote into the folder; go again.
        for _ in 0..<5 {
            do throws(LocalFileError) {
                try removeEntry(AT_FDCWD, Array(path.utf8CString), display: path)
                return
            } catch {
                lastError = error
            }
        }
        if let lastError { throw lastError }
    }

    private static func removeEntry(_ parent: Int32, _ name: [CChar], display: String) throws(LocalFileError) {
        if unlinkat(parent, name, 0) == 0 || errno == ENOENT { return }
        guard errno == EISDIR || errno == EPERM else { throw LocalFileError("cannot remove \(display)", code: errno) }
        try removeContents(parent, name, display: display)
        if unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT { return }
        throw LocalFileError("cannot remove \(display)", code: errno)
    }

    private static func removeContents(_ parent: Int32, _ name: [CChar], display: String) throws(LocalFileError) {
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        var descriptor = openat(parent, name, flags)
        if descriptor < 0 && errno == EACCES {
            _ = fchmodat(parent, name, S_IRWXU, 0)
            descriptor = openat(parent, name, flags)
        }
        guard descriptor >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return }  // gone, or replaced: the caller's rmdir says
            throw LocalFileError("cannot open \(display)", code: errno)
        }
        _ = fchmod(descriptor, S_IRWXU)  // entries of a folder a session made read-only can be removed
        guard let directory = fdopendir(descriptor) else {
            let code = errno
            close(descriptor)
            throw LocalFileError("cannot read \(display)", code: code)
        }
        defer { closedir(directory) }
        var names: [[CChar]] = []
        while let entry = readdir(directory) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.bindMemory(to: CChar.self).prefix { $0 != 0 }) + [0]
            }
            if entryName == [46, 0] || entryName == [46, 46, 0] { continue }  // "." and ".."
            names.append(entryName)
        }
        let folder = dirfd(directory)
        for entryName in names {
            let text = String(decoding: entryName.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
            try removeEntry(folder, entryName, display: display + "/" + text)
        }
    }
}
