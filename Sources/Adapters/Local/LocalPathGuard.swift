import Executor

/// Keeps file writes inside one instance folder: a target counts as inside when the
/// deepest part of it that exists, with every symbolic link followed, lies in the
/// folder. So a link a session planted in the home (`~/.claude -> /etc`) cannot send
/// a later credential write outside. (A link swapped in between this check and the
/// write is not caught: this is a guard against accidents and leftovers, not a sandbox.)
struct LocalPathGuard {
    /// The instance folder.
    var folder: String
    /// Its home (what `~` means in a target).
    var home: String

    /// Throws `provider.path_outside_instance` for the first directory, file or record of `batch` that leads outside.
    func check(_ batch: FileBatch, instance: String) throws(ProviderError) {
        let root = LocalFileSystem.realPath(folder) ?? folder
        for path in batch.directories.map(\.path) + batch.files.map(\.path) + batch.records.map(\.path) {
            let target = path == "~" ? home : path.hasPrefix("~/") ? home + path.dropFirst(1) : path
            let context = [ErrorContext("instance", instance), ErrorContext("batch", batch.label), ErrorContext("path", path)]
            let components = target.split(separator: "/", omittingEmptySubsequences: true)
            guard target.hasPrefix("/"), !components.contains(where: { $0 == ".." }) else {
                throw ProviderError(
                    ErrorCode.Provider.pathOutsideInstance,
                    "refusing to write \(path): only absolute paths without `..` are written on a local instance",
                    context: context)
            }
            guard let resolved = Self.resolveExisting(target) else {
                throw ProviderError(
                    ErrorCode.Provider.pathOutsideInstance, "refusing to write \(path): a symbolic link on the way cannot be followed",
                    context: context)
            }
            guard resolved == root || resolved.hasPrefix(root + "/") else {
                throw ProviderError(
                    ErrorCode.Provider.pathOutsideInstance,
                    "refusing to write \(path): it leads to \(resolved), outside the instance folder \(folder) (a symbolic link on the way points out)",
                    context: context)
            }
        }
    }

    /// `path` with its deepest existing part resolved (every link followed) and the rest
    /// appended; `nil` when an existing part cannot be resolved (a dangling link, a loop).
    static func resolveExisting(_ path: String) -> String? {
        var existing = path
        var rest: [Substring] = []
        while !LocalFileSystem.exists(existing) {
            guard let slash = existing.lastIndex(of: "/"), existing != "/" else { break }
            rest.insert(existing[existing.index(after: slash)...], at: 0)
            existing = slash == existing.startIndex ? "/" : String(existing[..<slash])
        }
        guard let base = LocalFileSystem.realPath(existing) else { return nil }
        let tail = rest.filter { !$0.isEmpty && $0 != "." }.joined(separator: "/")
        if tail.isEmpty { return base }
        return base == "/" ? "/" + tail : base + "/" + tail
    }
}
