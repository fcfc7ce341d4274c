import ArgumentParser
import Foundation
import RunjobKit

/// `runjob auth claude refresh`: a refresh now, whatever the expiry.
struct ClaudeRefreshCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Refresh the stored Claude login now (the refresh token rotates; the new pair is stored first).",
        discussion: """
            apply refreshes by itself when the token expires within the manifest's
            minimum validity; this forces one. Re-applying an unchanged manifest then
            re-installs just the credential profiles that use ${auth:claude}: that is
            how a fresh token reaches long-running machines.

            Example:
              runjob auth claude refresh && runjob apply job.yaml
            """)

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let store = try LoginStore.current(environment)
        let result = AsyncBridge.run { () async -> Result<ClaudeLogin, any Error> in
            do {
                let stored = try store.load()
                let endpoints = try ClaudeOAuthEndpoints.forRefreshing(stored, environment: environment)
                let refresher = ClaudeLoginRefresher(store: store, client: ClaudeTokenClient(endpoints: endpoints))
                return .success(try await refresher.refreshNow())
            } catch {
                return .failure(error)
            }
        }
        let login = try CommandSupport.unwrap(result, redactor: Redactor(secrets: (try? store.load())?.secrets ?? []))
        Console.out(Redactor(secrets: login.secrets).redact("Refreshed the Claude login; \(LoginTime.validity(login.expiresAt)).\n"))
    }
}

/// `runjob auth claude logout`: forget the stored login.
struct ClaudeLogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Delete the stored Claude login (tokens already installed on machines keep working until they expire).")

    func run() throws {
        let store = try LoginStore.current(ProcessInfo.processInfo.environment)
        let result = AsyncBridge.run { () async -> Result<Bool, any Error> in
            do { return .success(try await store.remove()) } catch { return .failure(error) }
        }
        let removed = try CommandSupport.unwrap(result, redactor: Redactor())
        Console.out(removed ? "Logged out: removed \(store.path).\n" : "Not logged in (\(store.path) does not exist).\n")
    }
}
