import ArgumentParser
import RunjobKit

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
            ~/.config/runjob/auth/claude.json, mode 0600). Manifests use it as:
              ${auth:claude}               credentials file, no refresh token
              ${auth:claude.access_token}  the token (CLAUDE_CODE_OAUTH_TOKEN)
              ${auth:claude.handover}      with the refresh token: one machine
            apply refreshes the token first when it expires within
            `auth: {claude: {min_validity: 2h}}`.

            Examples:
              runjob auth claude login
              runjob auth claude status --output json
              runjob auth claude import ~/.claude/.credentials.json
            """,
        subcommands: [
            ClaudeLoginCommand.self, ClaudeStatusCommand.self, ClaudeRefreshCommand.self, ClaudeImportCommand.self, ClaudeLogoutCommand.self,
        ])
}

/// The stored login these commands work on: the same file manifests read.
enum LoginStore {
    /// The store of this user; exit 2 when neither `HOME` nor an absolute `XDG_CONFIG_HOME` is set.
    static func current(_ environment: [String: String]) throws -> ClaudeLoginStore {
        guard let store = ClaudeLoginStore(environment: environment) else {
            CommandSupport.report(
                AuthError(ErrorCode.Auth.misconfigured, "neither HOME nor an absolute XDG_CONFIG_HOME is set, so there is no place for the login"),
                redactor: Redactor())
            throw ExitCode(ExitCodes.usage)
        }
        return store
    }
}
