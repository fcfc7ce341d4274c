import Foundation
import Logging

/// The stored logins a manifest uses through `${auth:…}`, made ready for apply: each is
/// refreshed first when its token would expire within the manifest's minimum validity,
/// and a login handed over to a machine is marked once apply succeeded.
public enum Logins {
    /// Makes every login `manifest` uses valid for its minimum validity (refreshing and
    /// storing it when needed, one refresh at a time across processes) and returns every
    /// token they hold, for redactors. Throws an `AuthError` when one is not available
    /// (`auth.not_logged_in`, `auth.handed_over`) or cannot be refreshed
    /// (`auth.invalid_grant`, …): nothing has been booted then.
    public static func prepare(
        _ manifest: Manifest, registry: AdapterRegistry = Adapters.registry, environment: [String: String], logger: Logger = .silent
    ) async throws -> [Secret] {
        var secrets: [Secret] = []
        for use in manifest.logins {
            guard let login = registry.login(use.name) else { continue }
            let state = try await login.prepare(environment, .milliseconds(use.minValidityMilliseconds), logger)
            switch state {
            case .available(_, _, let tokens):
                secrets += tokens.map { Secret(source: .auth(use.name), value: $0) }
            case .unavailable(_, let detail, _):
                throw AuthError(ErrorCode.Auth.notLoggedIn, "the \(use.name) login is not available: \(detail)")
            }
        }
        return secrets
    }

    /// Every token the logins `manifest` uses hold right now (no refresh), for redactors.
    public static func secrets(of manifest: Manifest, registry: AdapterRegistry = Adapters.registry, environment: [String: String]) -> [Secret] {
        manifest.logins.flatMap { use in
            (registry.login(use.name)?.read(environment).secrets ?? []).map { Secret(source: .auth(use.name), value: $0) }
        }
    }

    /// Marks each login whose refresh token `manifest` would install on a machine
    /// (`${auth:claude.handover}`) as handed over to that machine. Call it after
    /// ``prepare(_:registry:environment:logger:)`` and before anything boots: from then on
    /// no local refresh (nor a second apply) can rotate the token away from that machine.
    /// Throws `auth.handed_over` when the login changed since the manifest was read.
    public static func handOver(
        _ manifest: Manifest, workspace: String, registry: AdapterRegistry = Adapters.registry, environment: [String: String]
    ) async throws {
        for use in manifest.logins {
            guard let machine = use.handoverMachine, let login = registry.login(use.name) else { continue }
            let sources = Set(login.values.filter(\.handsOver).map { login.source($0.name) })
            let secrets = manifest.credentials.flatMap(\.secrets) + manifest.sessions.flatMap(\.secrets)
            guard let value = secrets.first(where: { sources.contains($0.source) })?.reveal() else { continue }
            try await login.handOver(environment, "machine `\(machine)` of \(manifest.name) (workspace \(workspace))", value)
        }
    }
}
