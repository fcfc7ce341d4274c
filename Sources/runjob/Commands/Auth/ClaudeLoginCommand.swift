import ArgumentParser
import Foundation
import RunjobKit

/// `runjob auth claude login`: the browser sign-in with PKCE, then the pasted code.
struct ClaudeLoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in with your Claude subscription and store the login.",
        discussion: """
            Prints a URL (on stderr, alone on its line) and opens it in a browser when
            there is one. Approve, copy the `code#state` the page shows (or the whole
            callback URL) and paste it: on a terminal it is read without echo,
            otherwise from stdin. The code is exchanged for a token at once.

            The endpoint overrides (gateways, tests) can also be set with
            RUNJOB_CLAUDE_AUTHORIZE_URL, RUNJOB_CLAUDE_TOKEN_URL and
            RUNJOB_CLAUDE_REDIRECT_URI. The token URL used here is stored with the
            login: `refresh` and apply use it too.

            Examples:
              runjob auth claude login
              runjob auth claude login --no-browser --preset legacy
            """)

    @Option(help: "Endpoint preset: platform (Claude Code builds from 2026) or legacy.")
    var preset: ClaudeOAuthEndpoints.Preset = .platform

    @Option(help: "Scopes to ask for, space-separated.")
    var scope: String = ClaudeOAuthEndpoints.defaultScope

    @Option(help: "Authorize URL (overrides the preset and RUNJOB_CLAUDE_AUTHORIZE_URL).")
    var authorizeURL: String?

    @Option(help: "Token URL (overrides the preset and RUNJOB_CLAUDE_TOKEN_URL).")
    var tokenURL: String?

    @Option(help: "Redirect URI (overrides the preset and RUNJOB_CLAUDE_REDIRECT_URI).")
    var redirectURI: String?

    @Flag(help: "Do not try to open a browser; only print the URL.")
    var noBrowser = false

    func validate() throws {
        for (name, value) in [("--authorize-url", authorizeURL), ("--token-url", tokenURL), ("--redirect-uri", redirectURI)] {
            if let value, !(value.hasPrefix("https://") || value.hasPrefix("http://")) {
                throw ValidationError("\(name) must be an http(s) URL")
            }
        }
        if scope.split(separator: " ").isEmpty { throw ValidationError("--scope must name at least one scope") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var endpoints: ClaudeOAuthEndpoints
        do {
            endpoints = try ClaudeOAuthEndpoints.from(environment: environment, preset: preset, scope: scope)
        } catch {
            CommandSupport.report(error, redactor: Redactor())
            throw ExitCode(ExitCodes.usage)
        }
        if let authorizeURL { endpoints.authorizeURL = authorizeURL }
        if let tokenURL { endpoints.tokenURL = tokenURL }
        if let redirectURI { endpoints.redirectURI = redirectURI }
        let attempt = PKCE()
        let url = AuthorizeURL.build(endpoints, attempt: attempt)
        let interactive = Console.isTerminal(fileDescriptor: 0)
        Console.err("Open this URL in a browser, sign in and approve; then paste the code the page shows:\n")
        Console.err(url + "\n")
        if !noBrowser && interactive { Browser.open(url, environment: environment) }
        guard let pasted = PasteReader.read(prompt: "Code: ", interactive: interactive) else {
            Console.err("error[\(ErrorCode.Auth.malformedPaste)]: nothing was pasted; run `runjob auth claude login` again\n")
            throw ExitCode(ExitCodes.failure)
        }
        let redactor = Redactor(secrets: attempt.secrets + [Secret(source: .runtime("claude.paste"), value: pasted)])
        let store = try LoginStore.current(environment)
        let client = ClaudeTokenClient(endpoints: endpoints)
        let preset = preset
        let endpointsUsed = endpoints
        let result = AsyncBridge.run { () async -> Result<ClaudeLogin, any Error> in
            do {
                let code = try PastedCode.code(in: pasted, expectedState: attempt.state)
                var login = try await client.exchange(code: code, attempt: attempt, nowMilliseconds: RunClock.nowMilliseconds())
                login.preset = preset
                // A gateway's token URL (flag or variable) is where this login's refreshes must go too.
                if endpointsUsed.tokenURL != ClaudeOAuthEndpoints(preset: preset).tokenURL { login.tokenURL = endpointsUsed.tokenURL }
                try await store.replace(with: login)
                return .success(login)
            } catch {
                return .failure(error)
            }
        }
        let login = try CommandSupport.unwrap(result, redactor: redactor)
        Console.out(Redactor(secrets: login.secrets).redact("Logged in to Claude\(login.account.map { " as \($0)" } ?? ""); \(LoginTime.validity(login.expiresAt)).\n"))
    }
}

extension ClaudeOAuthEndpoints.Preset: ExpressibleByArgument {}
