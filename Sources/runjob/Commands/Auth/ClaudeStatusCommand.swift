import ArgumentParser
import Foundation
import RunjobKit

/// `runjob auth claude status`: what the stored login is, never a token.
struct ClaudeStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the stored Claude login: account, scopes, expiry, refresh token held (never a token).",
        discussion: """
            Exits 0 when a login is stored and usable here, 1 when there is none, it was
            handed over to a machine, or it expired without a refresh token.

            Examples:
              runjob auth claude status
              runjob auth claude status --output json | jq .expires_in_seconds
            """)

    @Option(help: "Output: text or json.")
    var output: StatusOutput = .text

    func run() throws {
        let store = try LoginStore.current(ProcessInfo.processInfo.environment)
        let login: ClaudeLogin?
        do {
            login = try store.load()
        } catch {
            CommandSupport.report(error, redactor: Redactor())
            throw ExitCode(ExitCodes.failure)
        }
        let now = RunClock.nowMilliseconds()
        let redactor = Redactor(secrets: login?.secrets ?? [])
        switch output {
        case .json: Console.out(redactor.redact(Self.json(login, store: store, now: now)).prettyText + "\n")
        case .text: Console.out(redactor.redact(Self.text(login, store: store, now: now)))
        }
        if login.map({ Self.isUsable($0, now: now) }) != true { throw ExitCode(ExitCodes.failure) }
    }

    /// Whether apply can use (or refresh) the login.
    static func isUsable(_ login: ClaudeLogin, now: Int64) -> Bool {
        login.handover == nil && (login.refreshToken != nil || login.expiresAt > now)
    }

    static func text(_ login: ClaudeLogin?, store: ClaudeLoginStore, now: Int64) -> String {
        guard let login else { return "Not logged in to Claude (\(store.path)).\nRun `runjob auth claude login`.\n" }
        var lines = [
            "Claude login (\(store.path))",
            "  account:       \(login.account ?? "unknown")",
            "  scopes:        \(login.scopes.isEmpty ? "none" : login.scopes.joined(separator: " "))",
            "  access token:  \(LoginTime.validity(login.expiresAt, now: now))",
            "  subscription:  \(login.subscriptionType ?? "unknown")",
            "  refresh token: \(login.refreshToken == nil ? "none" : "held (apply refreshes before the token runs out)")",
        ]
        if let preset = login.preset { lines.append("  endpoints:     \(preset.rawValue)") }
        if let handover = login.handover {
            lines.append("  handed over:   to \(handover.destination) at \(LoginTime.local(handover.at)), which refreshes it now")
            lines.append("A new login is needed here: run `runjob auth claude login`.")
        } else if login.refreshToken == nil && login.expiresAt <= now {
            lines.append("The token expired and cannot be refreshed: run `runjob auth claude login`.")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ login: ClaudeLogin?, store: ClaudeLoginStore, now: Int64) -> JSONValue {
        guard let login else {
            return .object([.init("logged_in", .bool(false)), .init("store", .string(store.path)), .init("login_command", .string(ClaudeLoginSource.loginCommand))])
        }
        var members: [JSONValue.Member] = [
            .init("logged_in", .bool(true)),
            .init("usable", .bool(isUsable(login, now: now))),
            .init("store", .string(store.path)),
            .init("account", login.account.map { .string($0) } ?? .null),
            .init("scopes", .array(login.scopes.map { .string($0) })),
            .init("expires_at", .int(Int(login.expiresAt))),
            .init("expires_at_local", .string(LoginTime.local(login.expiresAt))),
            .init("expires_in_seconds", .int(Int((login.expiresAt - now) / 1000))),
            .init("expires_relative", .string(LoginTime.relative(login.expiresAt, now: now))),
            .init("subscription_type", login.subscriptionType.map { .string($0) } ?? .null),
            .init("has_refresh_token", .bool(login.refreshToken != nil)),
            .init("preset", login.preset.map { .string($0.rawValue) } ?? .null),
        ]
        if let handover = login.handover {
            members.append(.init("handed_over", .object([.init("to", .string(handover.destination)), .init("at", .int(Int(handover.at)))])))
        } else {
            members.append(.init("handed_over", .null))
        }
        return .object(members)
    }
}
