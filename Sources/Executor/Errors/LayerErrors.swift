/// An error of a VM provider: the API refused, the instance is gone, exec failed…
public struct ProviderError: RunjobError, Equatable {
    public var code: ErrorCode
    public var message: String
    public var context: [ErrorContext]
    /// Whether retrying the same call later may succeed.
    public var isRetryable: Bool

    /// Creates a provider error.
    public init(_ code: ErrorCode, _ message: String, context: [ErrorContext] = [], isRetryable: Bool = false) {
        self.code = code
        self.message = message
        self.context = context
        self.isRetryable = isRetryable
    }
}

/// An error of a process manager: a session could not start, was not found…
public struct ProcessError: RunjobError, Equatable {
    public var code: ErrorCode
    public var message: String
    public var context: [ErrorContext]

    /// Creates a process error.
    public init(_ code: ErrorCode, _ message: String, context: [ErrorContext] = []) {
        self.code = code
        self.message = message
        self.context = context
    }
}

/// An error of an agent adapter: its options make no command, or it reported failure.
public struct AgentError: RunjobError, Equatable {
    public var code: ErrorCode
    public var message: String
    public var context: [ErrorContext]

    /// Creates an agent error.
    public init(_ code: ErrorCode, _ message: String, context: [ErrorContext] = []) {
        self.code = code
        self.message = message
        self.context = context
    }
}

/// An error while installing a credential profile.
public struct CredentialsError: RunjobError, Equatable {
    public var code: ErrorCode
    public var message: String
    public var context: [ErrorContext]

    /// Creates a credentials error.
    public init(_ code: ErrorCode, _ message: String, context: [ErrorContext] = []) {
        self.code = code
        self.message = message
        self.context = context
    }
}

/// An error of the run as a whole: a step failed, the plan is partial, the config changed…
public struct OrchestrationError: RunjobError, Equatable {
    public var code: ErrorCode
    public var message: String
    public var context: [ErrorContext]

    /// Creates an orchestration error.
    public init(_ code: ErrorCode, _ message: String, context: [ErrorContext] = []) {
        self.code = code
        self.message = message
        self.context = context
    }
}

/// An error of a login (Claude OAuth): a malformed paste, a refused grant, an unreadable store…
/// Never carries a token, a code, a verifier or a request body.
public struct AuthError: RunjobError, Equatable {
    public var code: ErrorCode
    public var message: String
    public var context: [ErrorContext]

    /// Creates an auth error.
    public init(_ code: ErrorCode, _ message: String, context: [ErrorContext] = []) {
        self.code = code
        self.message = message
        self.context = context
    }
}

/// An error of a resource adapter (an Instant app, …): the service refused, answered
/// nonsense, or could not be reached. Never carries a token the resource holds.
public struct ResourceError: RunjobError, Equatable {
    public var code: ErrorCode
    public var message: String
    public var context: [ErrorContext]
    /// Whether the request may have been carried out although no answer says so (a create
    /// whose answer was lost): the caller must look before creating again.
    public var isAmbiguous: Bool

    /// Creates a resource error.
    public init(_ code: ErrorCode, _ message: String, context: [ErrorContext] = [], isAmbiguous: Bool = false) {
        self.code = code
        self.message = message
        self.context = context
        self.isAmbiguous = isAmbiguous
    }
}
