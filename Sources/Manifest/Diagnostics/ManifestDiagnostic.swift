import Executor

/// One finding about a manifest: where, what, and what to do about it.
public struct ManifestDiagnostic: Error, Sendable, Equatable {
    /// Errors stop the command (exit 2); warnings are printed and the command goes on.
    public enum Severity: String, Sendable, Equatable, Comparable {
        case error
        case warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .error && rhs == .warning }
    }

    /// A related place, such as the other member of a cycle or the first definition of a key.
    public struct Note: Sendable, Equatable {
        /// Where.
        public var location: SourceLocation
        /// What is there.
        public var message: String

        /// Creates a note.
        public init(_ location: SourceLocation, _ message: String) {
            self.location = location
            self.message = message
        }
    }

    /// Error or warning.
    public var severity: Severity
    /// The stable code (`manifest.unknown_key`, …).
    public var code: ErrorCode
    /// What is wrong, in a sentence a user can act on (never a secret value).
    public var message: String
    /// Where.
    public var location: SourceLocation
    /// The YAML path (`sessions.review.after.setup`), when the finding is inside the document.
    public var path: String?
    /// A replacement the user probably meant (`setup` for `stup`).
    public var suggestion: String?
    /// Related places.
    public var notes: [Note]

    /// Creates a diagnostic.
    public init(
        _ severity: Severity, _ code: ErrorCode, _ message: String, at location: SourceLocation, path: String? = nil,
        suggestion: String? = nil, notes: [Note] = []
    ) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.path = path
        self.suggestion = suggestion
        self.notes = notes
    }

    /// The message with the path in front and the suggestion behind, as one line.
    public var fullMessage: String {
        var text = message
        if let path, !path.isEmpty { text = "\(path): \(text)" }
        if let suggestion { text += "; did you mean '\(suggestion)'?" }
        return text
    }
}

/// Collects diagnostics while a manifest is read, in the order they were found.
struct DiagnosticBag {
    private(set) var items: [ManifestDiagnostic] = []

    var hasErrors: Bool { items.contains { $0.severity == .error } }

    mutating func append(_ diagnostic: ManifestDiagnostic) {
        items.append(diagnostic)
    }

    mutating func error(
        _ code: ErrorCode, _ message: String, at location: SourceLocation, path: String? = nil, suggestion: String? = nil,
        notes: [ManifestDiagnostic.Note] = []
    ) {
        items.append(ManifestDiagnostic(.error, code, message, at: location, path: path, suggestion: suggestion, notes: notes))
    }

    mutating func warning(_ code: ErrorCode, _ message: String, at location: SourceLocation, path: String? = nil, suggestion: String? = nil) {
        items.append(ManifestDiagnostic(.warning, code, message, at: location, path: path, suggestion: suggestion))
    }
}
