/// What every runjob error offers: a stable code, a message a user can act on,
/// and the context it happened in. Messages never contain secret values.
public protocol RunjobError: Error, Sendable, CustomStringConvertible {
    /// The stable code (`provider.not_found`, …).
    var code: ErrorCode { get }
    /// One or two sentences saying what went wrong and what to do.
    var message: String { get }
    /// Where it happened: instance, step, route, process, file:line:col…, in a stable order.
    var context: [ErrorContext] { get }
}

/// One piece of error context, such as `instance=morphvm_abc`.
public struct ErrorContext: Sendable, Equatable, CustomStringConvertible {
    /// What the value is (`instance`, `step`, `route`, `process`, `path`, …).
    public var key: String
    /// The value.
    public var value: String

    /// Creates a context entry.
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    /// `key=value`.
    public var description: String { "\(key)=\(value)" }
}

extension RunjobError {
    /// `code: message (key=value, …)`.
    public var description: String {
        context.isEmpty ? "\(code): \(message)" : "\(code): \(message) (\(context.map(\.description).joined(separator: ", ")))"
    }

    /// The context value for `key`.
    public func contextValue(_ key: String) -> String? {
        context.first { $0.key == key }?.value
    }
}
