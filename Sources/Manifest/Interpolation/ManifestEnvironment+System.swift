import Executor
import Foundation

extension ManifestEnvironment {
    /// The environment of this process and its files, for a manifest at `manifestPath`
    /// (`-` or `nil`: relative `${file:…}` paths start from the current directory).
    public static func system(manifestPath: String?, variables: [String: String] = ProcessInfo.processInfo.environment) -> ManifestEnvironment {
        let base: String
        if let manifestPath, manifestPath != "-", manifestPath.hasPrefix("/") {
            base = directory(of: manifestPath)
        } else if let manifestPath, manifestPath != "-" {
            base = directory(of: currentDirectory() + "/" + manifestPath)
        } else {
            base = currentDirectory()
        }
        return ManifestEnvironment(variables: variables, baseDirectory: base, home: variables["HOME"]) { path in
            readLocalFile(path, limit: Interpolator.maxFileBytes)
        }
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Reads a local file as UTF-8 text, refusing files over `limit` bytes before reading them.
    static func readLocalFile(_ path: String, limit: Int) -> FileContent {
        switch LocalFile.read(path, limit: limit) {
        case .missing: return .missing
        case .directory: return .unusable("it is a directory")
        case .tooLarge(let size): return .tooLarge(size)
        case .unreadable(let reason): return .unusable("it cannot be read (\(reason))")
        case .bytes(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else { return .unusable("it is not UTF-8 text") }
            return .text(text)
        }
    }
}
