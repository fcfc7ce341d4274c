import Foundation
import RunjobKit

/// Reads a manifest named on the command line (`-` for stdin) and loads it.
struct ManifestInput {
    /// The argument as given.
    let argument: String

    /// The name diagnostics use for it.
    var displayName: String { argument == "-" ? "<stdin>" : argument }

    /// The file's bytes, or a diagnostic when it cannot be read.
    func readBytes(limit: Int) -> Result<[UInt8], ManifestError> {
        if argument == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return .success(Array(data))
        }
        switch LocalFile.read(argument, limit: limit) {
        case .bytes(let bytes): return .success(bytes)
        case .missing: return .failure(unreadable("no such file"))
        case .directory: return .failure(unreadable("it is a directory"))
        case .unreadable(let reason): return .failure(unreadable(reason))
        case .tooLarge(let size):
            return .failure(
                ManifestError(diagnostics: [
                    ManifestDiagnostic(
                        .error, ErrorCode.Manifest.tooLarge, "the file is \(size) bytes; manifests are limited to \(limit) bytes",
                        at: SourceLocation(file: displayName, line: 1, column: 1))
                ]))
        }
    }

    private func unreadable(_ reason: String) -> ManifestError {
        ManifestError(diagnostics: [
            ManifestDiagnostic(
                .error, ErrorCode.Manifest.fileUnreadable, "cannot read the manifest: \(reason)",
                at: SourceLocation(file: displayName, line: 1, column: 1))
        ])
    }

    /// Loads the manifest with the process environment.
    func load(strict: Bool, limits: YAMLLimits = .default) -> Result<Manifest, ManifestError> {
        switch readBytes(limit: limits.maxBytes) {
        case .failure(let error): return .failure(error)
        case .success(let bytes): return load(bytes: bytes, strict: strict, limits: limits)
        }
    }

    /// Loads the manifest from `bytes` already read (a second read of stdin would find nothing).
    func load(bytes: [UInt8], strict: Bool, limits: YAMLLimits = .default) -> Result<Manifest, ManifestError> {
        let loader = ManifestLoader(
            registry: Adapters.registry, environment: .system(manifestPath: argument), limits: limits, strict: strict)
        do {
            return .success(try loader.load(bytes, file: displayName))
        } catch {
            return .failure(error)
        }
    }
}
