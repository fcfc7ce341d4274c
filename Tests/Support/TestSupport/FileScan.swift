import Foundation

/// Looking at files as a test does: their text, their mode, and which hold a value.
public enum FileScan {
    /// The text of the file at `path`, or `nil`.
    public static func text(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The POSIX mode bits of the file at `path`, or `nil`.
    public static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
    }

    /// Every path under `folder`, relative to it, sorted (links not followed).
    public static func tree(_ folder: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        return enumerator.compactMap { $0 as? String }.sorted()
    }

    /// Every regular file under `path` whose content contains `needle`, sorted.
    public static func files(under path: String, containing needle: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            let full = path + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                let data = FileManager.default.contents(atPath: full), String(decoding: data, as: UTF8.self).contains(needle)
            else { continue }
            found.append(full)
        }
        return found.sorted()
    }
}
