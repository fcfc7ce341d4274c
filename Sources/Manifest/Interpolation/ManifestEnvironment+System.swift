import Foundation

extension ManifestEnvironment {
    /// The environment of this process and its files, for a manifest at `manifestPath`
    /// (`-` or `nil`: relative `${file:…}` paths start from the current directory).
    public static func system(manifestPath: String?, variables: [String: String] = ProcessInfo.processInfo.environment) -> ManifestEnvironment {
        let base: String
        if let manifestPath, manifestPath != "-" {
            let absolute = manifestPath.hasPrefix("/") ? manifestPath : FileManager.default.currentDirectoryPath + "/" + manifestPath
            base = (absolute as NSString).deletingLastPathComponent
        } else {
            base = FileManager.default.currentDirectoryPath
        }
        return ManifestEnvironment(variables: variables, baseDirectory: base, home: variables["HOME"]) { path in
            readLocalFile(path, limit: Interpolator.maxFileBytes)
        }
    }

    /// Reads a local file as UTF-8 text, refusing files over `limit` bytes before reading them.
    static func readLocalFile(_ path: String, limit: Int) -> FileContent {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        if isDirectory.boolValue { return .unusable("it is a directory") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > limit {
            return .tooLarge(size)
        }
        guard let data = FileManager.default.contents(atPath: path) else { return .unusable("it cannot be read (permissions?)") }
        guard let text = String(data: data, encoding: .utf8) else { return .unusable("it is not UTF-8 text") }
        return .text(text)
    }
}
