import Executor

/// Renders a runtime error (a `RunjobError`: code, message, context) in one of the
/// ``DiagnosticFormat``s, the one way every command prints one. Redacts the message and
/// the context values with the given redactor before anything is shortened or serialized.
///
/// - text: `error[provider.timeout]: message (instance=…, step=…)`
/// - json: `{"error": {"code": …, "message": …, "context": {…}}}`
/// - github: `::error title=provider.timeout::message (instance=…)`
public struct RuntimeErrorRenderer: Sendable {
    /// The format.
    public var format: DiagnosticFormat

    /// A renderer.
    public init(format: DiagnosticFormat = .text) {
        self.format = format
    }

    /// The rendered error, with a trailing newline. Errors that are not `RunjobError`s are
    /// shown with their description (redacted) and no code.
    public func render(_ error: any Error, redactor: Redactor) -> String {
        guard let error = error as? any RunjobError else {
            let text = redactor.redact(String(describing: error))
            switch format {
            case .text: return "error: \(text)\n"
            case .json: return JSONValue.object(["error": .object(["message": .string(text)])]).prettyText + "\n"
            case .github: return "::error::\(Self.escapeData(text))\n"
            }
        }
        return render(code: error.code, message: error.message, context: error.context, redactor: redactor)
    }

    /// The rendered error for its parts.
    public func render(code: ErrorCode, message: String, context: [ErrorContext] = [], redactor: Redactor) -> String {
        let message = redactor.redact(message)
        let context = context.map { ErrorContext($0.key, redactor.redact($0.value)) }
        let suffix = context.isEmpty ? "" : " (" + context.map(\.description).joined(separator: ", ") + ")"
        switch format {
        case .text:
            return "error[\(code)]: \(message)\(suffix)\n"
        case .json:
            var members: [JSONValue.Member] = [.init("code", .string(code.rawValue)), .init("message", .string(message))]
            if !context.isEmpty { members.append(.init("context", .object(context.map { JSONValue.Member($0.key, .string($0.value)) }))) }
            return JSONValue.object(["error": .object(members)]).prettyText + "\n"
        case .github:
            let title = code.rawValue.replacing("%", with: "%25").replacing(",", with: "%2C").replacing(":", with: "%3A")
            return "::error title=\(title)::\(Self.escapeData(message + suffix))\n"
        }
    }

    private static func escapeData(_ text: String) -> String {
        text.replacing("%", with: "%25").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
    }
}
