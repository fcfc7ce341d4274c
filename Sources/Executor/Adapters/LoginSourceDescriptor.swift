import Logging

/// What a login adapter declares: the name manifests use in `${auth:NAME}` and
/// `auth: {NAME: …}`, the values it offers, how to read the stored login without
/// the network (validate, plan) and how to make it fresh before apply.
public struct LoginSourceDescriptor: Sendable {
    /// The login's name (`claude`).
    public var name: String
    /// One line for help texts and the schema.
    public var summary: String
    /// The values `${auth:NAME}` and `${auth:NAME.VALUE}` may name; the one with an
    /// empty name is `${auth:NAME}` itself.
    public var values: [LoginValue]
    /// The command that logs in (`runjob auth claude login`), for messages.
    public var loginCommand: String
    /// How long a token must stay valid when apply resolves it, unless the manifest's
    /// `auth: {NAME: {min_validity: …}}` says otherwise (milliseconds).
    public var defaultMinValidityMilliseconds: Int
    /// The stored login as it is now, read from the machine running runjob (no network):
    /// what `validate` and `plan` show. Gets the process environment.
    public var read: @Sendable ([String: String]) -> LoginState
    /// Makes the stored login valid for at least the given time (a refresh when it would
    /// not be), storing the result, and gives its state; throws an `AuthError` (not logged
    /// in, refused, unreachable) when it cannot. At most one refresh runs across processes.
    public var prepare: @Sendable (_ environment: [String: String], _ minValidity: Duration, _ logger: Logger) async throws -> LoginState
    /// Records, before it is installed, that `value` (a ``LoginValue/handsOver`` value as the
    /// manifest resolved it) goes to `destination`: from then on the local login cannot
    /// refresh. Throws `auth.handed_over` when the stored login no longer matches `value`
    /// (another apply handed it over, or a refresh rotated it, since it was read).
    public var handOver: @Sendable (_ environment: [String: String], _ destination: String, _ value: String) async throws -> Void

    /// Declares a login adapter.
    public init(
        name: String, summary: String, values: [LoginValue], loginCommand: String, defaultMinValidityMilliseconds: Int,
        read: @escaping @Sendable ([String: String]) -> LoginState,
        prepare: @escaping @Sendable ([String: String], Duration, Logger) async throws -> LoginState,
        handOver: @escaping @Sendable ([String: String], String, String) async throws -> Void
    ) {
        self.name = name
        self.summary = summary
        self.values = values
        self.loginCommand = loginCommand
        self.defaultMinValidityMilliseconds = defaultMinValidityMilliseconds
        self.read = read
        self.prepare = prepare
        self.handOver = handOver
    }

    /// The value named `name` (empty: `${auth:NAME}` itself).
    public func value(_ name: String) -> LoginValue? { values.first { $0.name == name } }

    /// The secret source of value `value` (`auth:claude`, `auth:claude.access_token`).
    public func source(_ value: String) -> SecretSource { .auth(value.isEmpty ? name : name + "." + value) }
}

/// One value a login offers to manifests.
public struct LoginValue: Sendable, Equatable {
    /// The name after the dot (`access_token`), or empty for the login's main value.
    public var name: String
    /// What it is, for the schema and help.
    public var doc: String
    /// Whether it carries the ability to refresh the login (a refresh token): such a value
    /// may reach one machine only, and applying it hands the login over to that machine.
    public var handsOver: Bool

    /// Declares a value.
    public init(name: String, doc: String, handsOver: Bool = false) {
        self.name = name
        self.doc = doc
        self.handsOver = handsOver
    }
}

/// A stored login as manifests see it.
public enum LoginState: Sendable, Equatable {
    /// Logged in: each value by name (empty name: the main value), when the token
    /// expires (Unix milliseconds, when known), and every token the login holds
    /// (for redactors, whether or not a manifest uses it).
    case available(values: [String: String], expiresAt: Int64?, secrets: [String])
    /// No usable login; `state` is short (`not logged in`, `handed over`) and shows in
    /// placeholders, `detail` says what to do. `secrets`: tokens still stored (a login
    /// handed over keeps its access token, which machines may print), for redactors.
    case unavailable(state: String, detail: String, secrets: [String] = [])

    /// Every token the login holds, usable or not, for redactors.
    public var secrets: [String] {
        switch self {
        case .available(_, _, let secrets), .unavailable(_, _, let secrets): secrets
        }
    }
}
