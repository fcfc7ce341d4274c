import Executor
import Logging

/// The `claude` login for manifests: `${auth:claude}` (Claude Code's credentials file
/// without the refresh token), `${auth:claude.access_token}` (the bare token, for
/// `CLAUDE_CODE_OAUTH_TOKEN`) and `${auth:claude.handover}` (the file with the refresh
/// token, for one machine that keeps refreshing by itself).
public enum ClaudeLoginSource {
    /// The command that logs in.
    public static let loginCommand = "runjob auth claude login"
    /// Two hours: long enough for a typical agent run, short enough to refresh daily use.
    public static let defaultMinValidity = Duration.seconds(7200)

    /// The adapter's declaration for the registry.
    public static let descriptor = LoginSourceDescriptor(
        name: "claude",
        summary: "The Claude subscription login stored by `runjob auth claude login`",
        values: [
            LoginValue(name: "", doc: "Claude Code's credentials file (`~/.claude/.credentials.json`) without the refresh token: safe on any number of machines"),
            LoginValue(name: "access_token", doc: "The bare access token, for `CLAUDE_CODE_OAUTH_TOKEN`"),
            LoginValue(
                name: "handover",
                doc: "The credentials file with the refresh token, for one long-lived machine that refreshes by itself; the local login is then handed over",
                handsOver: true),
        ],
        loginCommand: loginCommand,
        defaultMinValidityMilliseconds: Int(defaultMinValidity / .milliseconds(1)),
        read: { environment in state(store: ClaudeLoginStore(environment: environment)) },
        prepare: { environment, minValidity, logger in
            guard let store = ClaudeLoginStore(environment: environment) else { return state(store: nil) }
            let stored = try store.load()
            let endpoints = try ClaudeOAuthEndpoints.forRefreshing(stored, environment: environment)
            let before = stored?.expiresAt
            let login = try await ClaudeLoginRefresher(store: store, client: ClaudeTokenClient(endpoints: endpoints)).validLogin(minValidity: minValidity)
            if login.expiresAt != before { logger.info("refreshed the Claude login", metadata: ["expires_at": "\(login.expiresAt)"]) }
            return state(of: login)
        },
        handOver: { environment, destination, value in
            guard let store = ClaudeLoginStore(environment: environment) else {
                throw AuthError(ErrorCode.Auth.notLoggedIn, "there is no Claude login here; run `\(loginCommand)`")
            }
            try await store.withRefreshLock {
                // Under the lock: two applies handing over the same login, or a refresh in between,
                // must not leave the refresh token on two machines (or rotate it away from one).
                guard var login = try store.load(), login.handover == nil, login.refreshToken != nil else {
                    throw AuthError(
                        ErrorCode.Auth.handedOver,
                        "the Claude login was handed over to another machine since this apply read it; nothing was booted: "
                            + "log in again (`\(loginCommand)`) and apply",
                        context: [.init("file", store.path)])
                }
                guard login.credentialsFile(includeRefreshToken: true).compactText == value else {
                    throw AuthError(
                        ErrorCode.Auth.loginChanged,
                        "the Claude login was refreshed since this apply read it; nothing was booted: apply again",
                        context: [.init("file", store.path)])
                }
                login.handover = ClaudeLogin.Handover(destination: destination, at: RunClock.nowMilliseconds())
                // The machine will hold the refresh token: a refresh here would rotate it away from there.
                login.refreshToken = nil
                try store.save(login)
            }
        })

    /// What manifests see of the stored login.
    static func state(store: ClaudeLoginStore?) -> LoginState {
        guard let store else { return .unavailable(state: "not logged in", detail: "run `\(loginCommand)`") }
        do {
            guard let login = try store.load() else {
                return .unavailable(state: "not logged in", detail: "there is no stored Claude login; run `\(loginCommand)`")
            }
            if let handover = login.handover {
                return .unavailable(
                    state: "handed over",
                    detail: "the login was handed over to \(handover.destination); log in again here: `\(loginCommand)`",
                    secrets: login.secrets.compactMap { $0.reveal() })
            }
            return state(of: login)
        } catch {
            return .unavailable(state: "unreadable", detail: error.message)
        }
    }

    /// The values of a usable login.
    static func state(of login: ClaudeLogin) -> LoginState {
        var values = [
            "": login.credentialsFile(includeRefreshToken: false).compactText,
            "access_token": login.accessToken,
        ]
        if login.refreshToken != nil { values["handover"] = login.credentialsFile(includeRefreshToken: true).compactText }
        return .available(values: values, expiresAt: login.expiresAt, secrets: login.secrets.compactMap { $0.reveal() })
    }
}
