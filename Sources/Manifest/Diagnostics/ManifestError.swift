import Executor

/// A manifest that cannot be used: every error found in it (and the warnings),
/// sorted by position. Thrown once, after the whole file was checked.
public struct ManifestError: RunjobError, Equatable {
    /// All findings, errors and warnings, by file position.
    public var diagnostics: [ManifestDiagnostic]

    /// Creates an error from findings (at least one should be an error).
    public init(diagnostics: [ManifestDiagnostic]) {
        self.diagnostics = diagnostics.sorted { ($0.location, $0.severity) < ($1.location, $1.severity) }
    }

    /// Only the errors.
    public var errors: [ManifestDiagnostic] { diagnostics.filter { $0.severity == .error } }

    /// The first error's code.
    public var code: ErrorCode { errors.first?.code ?? ErrorCode.Manifest.yamlSyntax }

    /// How many errors, and the first one.
    public var message: String {
        guard let first = errors.first else { return "the manifest has problems" }
        let count = errors.count
        return count == 1 ? first.fullMessage : "\(first.fullMessage) (and \(count - 1) more error\(count == 2 ? "" : "s"))"
    }

    /// The first error's location.
    public var context: [ErrorContext] {
        guard let first = errors.first else { return [] }
        return [ErrorContext("at", first.location.description)]
    }
}
