import Foundation

/// A fresh directory under the system temp folder, removed by ``remove()``.
/// Tests never touch the real `$HOME`; they put everything in one of these.
public struct TemporaryDirectory: Sendable {
    /// The absolute path.
    public let path: String

    /// Creates a new, empty directory.
    public init(prefix: String = "runjob-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        let name = "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
        path = base + "/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `path/relative`.
    public func file(_ relative: String) -> String { path + "/" + relative }

    /// Writes `text` to `path/relative` (creating folders) and returns the absolute path.
    @discardableResult
    public func write(_ relative: String, _ text: String) throws -> String {
        let full = file(relative)
        let folder = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        return full
    }

    /// Deletes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
