import Executor

/// Where Claude's OAuth login lives: the authorize page, the token endpoint and the
/// redirect URI, which must come from one preset, plus the public client id and the
/// scopes to ask for. Every URL can be overridden (gateways, tests).
public struct ClaudeOAuthEndpoints: Sendable, Equatable {
    /// The named sets of URLs Claude Code's own login uses.
    public enum Preset: String, Sendable, CaseIterable {
        /// Claude Code builds from 2026 (the default).
        case platform
        /// What the seed used in 2025.
        case legacy
    }

    /// The public client id of Claude Code's login (not a secret).
    public static let clientID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
    /// The scopes runjob asks for by default: enough for `claude -p`.
    public static let defaultScope = "user:inference user:profile"

    /// The page the user opens to approve.
    public var authorizeURL: String
    /// Where codes are exchanged and tokens refreshed.
    public var tokenURL: String
    /// The callback page that shows `code#state` for copying.
    public var redirectURI: String
    /// Space-separated scopes.
    public var scope: String

    /// The URLs of `preset`, with `scope`.
    public init(preset: Preset = .platform, scope: String = Self.defaultScope) {
        switch preset {
        case .platform:
            authorizeURL = "https://claude.com/cai/oauth/authorize"
            tokenURL = "https://platform.claude.com/v1/oauth/token"
            redirectURI = "https://platform.claude.com/oauth/code/callback"
        case .legacy:
            authorizeURL = "https://claude.ai/oauth/authorize"
            tokenURL = "https://console.anthropic.com/v1/oauth/token"
            redirectURI = "https://console.anthropic.com/oauth/code/callback"
        }
        self.scope = scope
    }

    /// The environment variables that override one URL each.
    public enum Override {
        /// Overrides ``ClaudeOAuthEndpoints/authorizeURL``.
        public static let authorizeURL = "RUNJOB_CLAUDE_AUTHORIZE_URL"
        /// Overrides ``ClaudeOAuthEndpoints/tokenURL`` (also for refreshes during apply).
        public static let tokenURL = "RUNJOB_CLAUDE_TOKEN_URL"
        /// Overrides ``ClaudeOAuthEndpoints/redirectURI``.
        public static let redirectURI = "RUNJOB_CLAUDE_REDIRECT_URI"
    }

    /// Where `login` is refreshed: `RUNJOB_CLAUDE_TOKEN_URL` when set, else the token URL
    /// the login was made with, else its preset's.
    public static func forRefreshing(_ login: ClaudeLogin?, environment: [String: String]) throws(AuthError) -> ClaudeOAuthEndpoints {
        var endpoints = try from(environment: environment, preset: login?.preset ?? .platform)
        if environment[Override.tokenURL]?.isEmpty ?? true, let url = login?.tokenURL {
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw AuthError(
                    ErrorCode.Auth.misconfigured, "the stored login's token URL is not an http(s) URL; run `runjob auth claude login` again")
            }
            endpoints.tokenURL = url
        }
        return endpoints
    }

    /// The URLs of `preset`, with each URL the environment overrides replaced; an override
    /// that is not an http(s) URL is `auth.misconfigured` naming the variable.
    public static func from(
        environment: [String: String], preset: Preset = .platform, scope: String = Self.defaultScope
    ) throws(AuthError) -> ClaudeOAuthEndpoints {
        var endpoints = ClaudeOAuthEndpoints(preset: preset, scope: scope)
        func read(_ name: String) throws(AuthError) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            guard value.hasPrefix("https://") || value.hasPrefix("http://") else {
                throw AuthError(ErrorCode.Auth.misconfigured, "\(name) must be an http(s) URL", context: [.init("variable", name)])
            }
            return value
        }
        if let value = try read(Override.authorizeURL) { endpoints.authorizeURL = value }
        if let value = try read(Override.tokenURL) { endpoints.tokenURL = value }
        if let value = try read(Override.redirectURI) { endpoints.redirectURI = value }
        return endpoints
    }
}
