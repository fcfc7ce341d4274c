import Executor

/// A Claude subscription login: the access token, the refresh token when there is one,
/// when the access token expires, the granted scopes and what the account is. Prints
/// without any token.
public struct ClaudeLogin: Sendable, Equatable, CustomStringConvertible {
    /// The bearer token (`sk-ant-oat01-…`): secret.
    public var accessToken: String
    /// The refresh token (`sk-ant-ort01-…`): secret; rotates on every refresh.
    public var refreshToken: String?
    /// When the access token expires, in Unix epoch milliseconds.
    public var expiresAt: Int64
    /// The granted scopes.
    public var scopes: [String]
    /// `max`, `pro`, … when known.
    public var subscriptionType: String?
    /// The account's e-mail address when the server said.
    public var account: String?
    /// The endpoint preset the login was made with (refreshes go to its token URL).
    public var preset: ClaudeOAuthEndpoints.Preset?
    /// The token URL the login was made with when it was not the preset's (a gateway):
    /// refreshes go there too, unless `RUNJOB_CLAUDE_TOKEN_URL` says otherwise.
    public var tokenURL: String?
    /// Where the refresh token went when a manifest handed the login over to a machine;
    /// `nil` while the login is this machine's own.
    public var handover: Handover?

    /// Where a login was handed over to, and when.
    public struct Handover: Sendable, Equatable {
        /// The machine and job it went to (`main of repo-review (workspace default)`).
        public var destination: String
        /// When, in Unix epoch milliseconds.
        public var at: Int64

        /// Records a handover.
        public init(destination: String, at: Int64) {
            self.destination = destination
            self.at = at
        }
    }

    /// Creates a login.
    public init(
        accessToken: String, refreshToken: String?, expiresAt: Int64, scopes: [String], subscriptionType: String? = nil, account: String? = nil,
        preset: ClaudeOAuthEndpoints.Preset? = nil, tokenURL: String? = nil, handover: Handover? = nil
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.scopes = scopes
        self.subscriptionType = subscriptionType
        self.account = account
        self.preset = preset
        self.tokenURL = tokenURL
        self.handover = handover
    }

    /// Whether the access token expires within `minValidity` of `now` (milliseconds).
    public func needsRefresh(nowMilliseconds now: Int64, minValidityMilliseconds minValidity: Int64) -> Bool {
        now >= expiresAt - minValidity
    }

    /// The tokens as secrets, for every redactor that may see them.
    public var secrets: [Secret] {
        [Secret(source: .runtime("claude.access_token"), value: accessToken)]
            + (refreshToken.map { [Secret(source: .runtime("claude.refresh_token"), value: $0)] } ?? [])
    }

    /// Claude Code's credentials file (`~/.claude/.credentials.json`): `claudeAiOauth` with
    /// the access token, integer-millisecond `expiresAt`, `scopes` as an array and the
    /// subscription type when known; the refresh token only with `includeRefreshToken`
    /// (a file without it cannot rotate the user's login away, on any number of VMs).
    public func credentialsFile(includeRefreshToken: Bool) -> JSONValue {
        var members: [JSONValue.Member] = [.init("accessToken", .string(accessToken))]
        if includeRefreshToken, let refreshToken { members.append(.init("refreshToken", .string(refreshToken))) }
        members.append(.init("expiresAt", .int(Int(expiresAt))))
        members.append(.init("scopes", .array(scopes.map { .string($0) })))
        if let subscriptionType { members.append(.init("subscriptionType", .string(subscriptionType))) }
        return .object([.init("claudeAiOauth", .object(members))])
    }

    /// A login read from a Claude Code credentials file's JSON; throws
    /// `auth.invalid_credentials_file` (without any value) when it is not one.
    public static func fromCredentialsFile(_ document: JSONValue, origin: String) throws(AuthError) -> ClaudeLogin {
        let context = [ErrorContext("file", origin)]
        guard let oauth = document["claudeAiOauth"], let token = oauth["accessToken"]?.stringValue, !token.isEmpty else {
            throw AuthError(ErrorCode.Auth.invalidCredentialsFile, "there is no `claudeAiOauth.accessToken` in it", context: context)
        }
        guard let expires = oauth["expiresAt"]?.intValue else {
            throw AuthError(
                ErrorCode.Auth.invalidCredentialsFile, "`claudeAiOauth.expiresAt` is not an integer of milliseconds", context: context)
        }
        let scopes = oauth["scopes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return ClaudeLogin(
            accessToken: token, refreshToken: oauth["refreshToken"]?.stringValue, expiresAt: Int64(expires), scopes: scopes,
            subscriptionType: oauth["subscriptionType"]?.stringValue)
    }

    /// The login a token response makes, received at `now` (milliseconds): requires
    /// `access_token` and `expires_in`, everything else optional. A response without a
    /// refresh token keeps `previousRefreshToken` (a refresh that did not rotate).
    public static func fromTokenResponse(
        _ body: JSONValue, nowMilliseconds now: Int64, previousRefreshToken: String? = nil
    ) throws(AuthError) -> ClaudeLogin {
        guard let token = body["access_token"]?.stringValue, !token.isEmpty, let expiresIn = body["expires_in"]?.intValue, expiresIn > 0 else {
            throw AuthError(ErrorCode.Auth.invalidResponse, "the token endpoint's answer has no usable `access_token` and `expires_in`")
        }
        let scopes = (body["scope"]?.stringValue ?? "").split(separator: " ").map(String.init)
        return ClaudeLogin(
            accessToken: token, refreshToken: body["refresh_token"]?.stringValue ?? previousRefreshToken,
            expiresAt: now + Int64(expiresIn) * 1000, scopes: scopes, account: body["account"]?["email_address"]?.stringValue)
    }

    /// The account, scopes and expiry; never a token.
    public var description: String {
        "Claude login (account \(account ?? "unknown"), scopes \(scopes.joined(separator: " ")), expires at \(expiresAt) ms, "
            + (refreshToken == nil ? "no refresh token)" : "refresh token held)")
    }
}
