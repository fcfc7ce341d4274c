import ArgumentParser

/// `runjob auth`: stored logins that manifests use through `${auth:…}`.
struct AuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Log in to services whose tokens manifests use through ${auth:…}.",
        subcommands: [ClaudeAuthCommand.self])
}

/// `runjob auth claude …`
struct ClaudeAuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claude",
        abstract: "Your Claude subscription login, for ${auth:claude} in manifests.",
        discussion: """
            The login is stored in $XDG_CONFIG_HOME/runjob/auth/claude.json (default
            ~/.config/runjob/auth/claude.json, mode 0600). Manifests use it as
              ${auth:claude}               Claude Code's credentials file, without the refresh token
              ${auth:claude.access_token}  the bare token, for CLAUDE_CODE_OAUTH_TOKEN
              ${auth:claude.handover}      the file with the refresh token, for one machine
            apply refreshes the token first when it expires within `auth: {claude:
            {min_validity: 2h}}`.

            Examples:
              runjob auth claude login
              runjob auth claude status --output json
              runjob auth claude import ~/.claude/.credentials.json
            """,
        subcommands: [
            ClaudeLoginCommand.self, ClaudeStatusCommand.self, ClaudeRefreshCommand.self, ClaudeImportCommand.self, ClaudeLogoutCommand.self,
        ])
}
