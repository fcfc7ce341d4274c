import Executor

/// The output formats of `validate --format`.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    /// `FILE:LINE:COL: error[CODE]: path: message` lines for terminals and editors.
    case text
    /// One JSON document with every diagnostic.
    case json
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::…`).
    case github
}

/// Renders diagnostics in one of the ``DiagnosticFormat``s. Pure: returns text, prints nothing.
public struct DiagnosticRenderer: Sendable {
    /// The format.
    public var format: DiagnosticFormat
    /// Whether to colour the text format (only on a terminal, never with `NO_COLOR`).
    public var useColor: Bool

    /// A renderer.
    public init(format: DiagnosticFormat, useColor: Bool = false) {
        self.format = format
        self.useColor = useColor
    }

    /// The rendered text of `diagnostics` (with a trailing newline when non-empty).
    public func render(_ diagnostics: [ManifestDiagnostic]) -> String {
        switch format {
        case .text: return diagnostics.map(text).joined()
        case .github: return diagnostics.map(github).joined()
        case .json: return json(diagnostics).prettyText + "\n"
        }
    }

    private func paint(_ text: String, _ code: String) -> String {
        useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    private func text(_ diagnostic: ManifestDiagnostic) -> String {
        let label = diagnostic.severity == .error ? paint("error", "1;31") : paint("warning", "1;33")
        var out = "\(paint(diagnostic.location.description, "1")): \(label)[\(diagnostic.code)]: \(diagnostic.fullMessage)\n"
        for note in diagnostic.notes {
            out += "  \(note.location): \(paint("note", "1;36")): \(note.message)\n"
        }
        return out
    }

    private func github(_ diagnostic: ManifestDiagnostic) -> String {
        let command = diagnostic.severity == .error ? "error" : "warning"
        let location = diagnostic.location
        let properties = [
            "file=\(escapeProperty(location.file))", "line=\(location.line)", "col=\(location.column)",
            "title=\(escapeProperty(diagnostic.code.rawValue))",
        ].joined(separator: ",")
        var message = diagnostic.fullMessage
        for note in diagnostic.notes { message += "\n\(note.location): \(note.message)" }
        return "::\(command) \(properties)::\(escapeData(message))\n"
    }

    private func escapeData(_ text: String) -> String {
        text.replacing("%", with: "%25").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
    }

    private func escapeProperty(_ text: String) -> String {
        escapeData(text).replacing(":", with: "%3A").replacing(",", with: "%2C")
    }

    private func json(_ diagnostics: [ManifestDiagnostic]) -> JSONValue {
        let errors = diagnostics.filter { $0.severity == .error }.count
        return .object([
            "version": .int(1),
            "errors": .int(errors),
            "warnings": .int(diagnostics.count - errors),
            "diagnostics": .array(diagnostics.map(Self.json)),
        ])
    }

    /// One diagnostic as a JSON object.
    public static func json(_ diagnostic: ManifestDiagnostic) -> JSONValue {
        var members: [JSONValue.Member] = [
            .init("severity", .string(diagnostic.severity.rawValue)),
            .init("code", .string(diagnostic.code.rawValue)),
            .init("message", .string(diagnostic.message)),
            .init("file", .string(diagnostic.location.file)),
            .init("line", .int(diagnostic.location.line)),
            .init("column", .int(diagnostic.location.column)),
        ]
        if let path = diagnostic.path { members.append(.init("path", .string(path))) }
        if let suggestion = diagnostic.suggestion { members.append(.init("suggestion", .string(suggestion))) }
        if !diagnostic.notes.isEmpty {
            members.append(
                .init(
                    "notes",
                    .array(
                        diagnostic.notes.map {
                            .object([
                                "file": .string($0.location.file), "line": .int($0.location.line), "column": .int($0.location.column),
                                "message": .string($0.message),
                            ])
                        })))
        }
        return .object(members)
    }
}
