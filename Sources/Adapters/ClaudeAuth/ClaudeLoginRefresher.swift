import Executor

/// Gives a login that stays valid for at least the minimum validity: refreshes it first
/// when it would not, one refresh at a time across processes (the store's lock), and
/// stores the rotated pair before anyone uses the new token. A second process waiting
/// on the lock re-reads the store and finds the fresh login without asking again.
public struct ClaudeLoginRefresher: Sendable {
    /// Where the login is kept.
    public let store: ClaudeLoginStore
    /// The token endpoint.
    public let client: ClaudeTokenClient

    /// A refresher over `store` and `client`.
    public init(store: ClaudeLoginStore, client: ClaudeTokenClient) {
        self.store = store
        self.client = client
    }

    /// The stored login, refreshed first when it expires within `minValidity` of now;
    /// `auth.not_logged_in` when there is none.
    public func validLogin(minValidity: Duration = .seconds(7200), now: @Sendable () -> Int64 = RunClock.nowMilliseconds) async throws -> ClaudeLogin {
        let minimum = Int64(minValidity / .milliseconds(1))
        let seen = try store.load()
        if let login = seen, login.handover == nil, !login.needsRefresh(nowMilliseconds: now(), minValidityMilliseconds: minimum) {
            return login
        }
        return try await store.withRefreshLock {
            let login = try refreshableLogin()
            // Another process refreshed while this one waited for the lock: its token is as fresh
            // as the server gives (which may be shorter than `minValidity`); refreshing again
            // would only rotate the pair that process just installed.
            if let seen, seen.accessToken != login.accessToken, login.expiresAt - now() >= min(minimum, Self.shortestAccepted) { return login }
            guard login.needsRefresh(nowMilliseconds: now(), minValidityMilliseconds: minimum) else { return login }
            return try await refreshAndStore(login, now: now())
        }
    }

    /// The stored login refreshed now, whatever its expiry (under the same lock);
    /// `auth.not_logged_in`, `auth.handed_over` or the token endpoint's error otherwise.
    public func refreshNow(now: @Sendable () -> Int64 = RunClock.nowMilliseconds) async throws -> ClaudeLogin {
        try await store.withRefreshLock {
            try await refreshAndStore(try refreshableLogin(), now: now())
        }
    }

    /// The stored login this machine may refresh (call it holding the lock):
    /// `auth.not_logged_in` when there is none, `auth.handed_over` when a machine holds it.
    private func refreshableLogin() throws -> ClaudeLogin {
        guard let login = try store.load() else {
            throw AuthError(ErrorCode.Auth.notLoggedIn, "there is no Claude login; run `runjob auth claude login`", context: [.init("file", store.path)])
        }
        if let handover = login.handover { throw Self.handedOver(handover, store: store) }
        return login
    }

    /// Refreshes `login` and stores the rotated pair before anyone can use it (call it holding the lock).
    private func refreshAndStore(_ login: ClaudeLogin, now: Int64) async throws -> ClaudeLogin {
        let fresh = try await client.refresh(login, nowMilliseconds: now)
        try store.save(fresh)
        return fresh
    }

    /// The least validity a token another process just refreshed must have to be taken as
    /// it is (milliseconds): below it, this process refreshes again.
    static let shortestAccepted: Int64 = 5 * 60 * 1000

    /// `auth.handed_over`: the login's refresh token lives on a machine now.
    static func handedOver(_ handover: ClaudeLogin.Handover, store: ClaudeLoginStore) -> AuthError {
        AuthError(
            ErrorCode.Auth.handedOver,
            "the Claude login was handed over to \(handover.destination) (`${auth:claude.handover}`), which now refreshes it; "
                + "log in again here: `runjob auth claude login`",
            context: [.init("file", store.path)])
    }
}
