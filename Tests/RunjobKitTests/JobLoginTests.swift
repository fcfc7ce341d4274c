import Foundation
import RunjobKit
import TestSupport
import Testing

/// `Job` with a manifest that reads the stored Claude login: it checks the login before
/// booting, takes a refreshed one, and refuses stale values.
@Suite("Job with ${auth:claude}: the login is checked before anything boots", .serialized)
struct JobLoginTests {
    static let manifest = """
        version: 1
        name: kit-login
        provider: local
        machine: {}
        sessions:
          agent:
            env: { CLAUDE_CODE_OAUTH_TOKEN: "${auth:claude.access_token}" }
            run: "echo token=$CLAUDE_CODE_OAUTH_TOKEN"
        """

    private func store(_ folder: TemporaryDirectory, token: String) throws {
        let login = ClaudeLogin(accessToken: token, refreshToken: nil, expiresAt: 4_102_444_800_000, scopes: ["user:inference"])
        try ClaudeLoginStore(path: folder.file("config/runjob/auth/claude.json")).save(login)
    }

    private func environment(_ folder: TemporaryDirectory) -> [String: String] {
        ["XDG_STATE_HOME": folder.file("state"), "XDG_CONFIG_HOME": folder.file("config"), "HOME": folder.path]
    }

    @Test("apply with the stored token (masked in logs); not logged in: AuthError before any boot")
    func applyAndRefuse() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-kit")
        defer { folder.remove() }
        let missing = try Job(text: Self.manifest, file: folder.file("kit.yaml"), environment: environment(folder))
        let refused = await #expect(throws: AuthError.self) { _ = try await missing.apply(sink: CollectingSink()) }
        #expect(refused?.code == ErrorCode.Auth.notLoggedIn)
        #expect(!FileManager.default.fileExists(atPath: folder.file("state/runjob/instances/kit-login@default")))

        try store(folder, token: "sk-ant-oat01-kit-first-0123456789")
        let job = try Job(text: Self.manifest, file: folder.file("kit.yaml"), environment: environment(folder))
        // A refresh between loading and applying: the job reads the manifest again and uses the new token.
        try store(folder, token: "sk-ant-oat01-kit-second-0123456789")
        let outcome = try await job.apply(RunOptions(waitForSessions: true, pollInterval: .milliseconds(50)), sink: CollectingSink())
        #expect(outcome.status == .ok, "\(String(describing: outcome.firstError))")
        let logs = String(decoding: try await job.logs(session: "agent"), as: UTF8.self)
        #expect(logs == "token=[redacted]\n", "\(logs)")
        #expect(try await job.destroy().allSatisfy { $0.error == nil })
    }

    @Test("a Job made from a loaded manifest refuses a login refreshed since (auth.login_changed), before booting")
    func staleManifest() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-kit")
        defer { folder.remove() }
        try store(folder, token: "sk-ant-oat01-kit-first-0123456789")
        let loaded = try ManifestLoader(
            registry: Adapters.registry, environment: .system(manifestPath: folder.file("kit.yaml"), variables: environment(folder))
        ).load(text: Self.manifest, file: folder.file("kit.yaml"))
        try store(folder, token: "sk-ant-oat01-kit-second-0123456789")
        let job = Job(manifest: loaded, environment: environment(folder))
        let refused = await #expect(throws: AuthError.self) { _ = try await job.apply(sink: CollectingSink()) }
        #expect(refused?.code == ErrorCode.Auth.loginChanged)
        #expect(!FileManager.default.fileExists(atPath: folder.file("state/runjob/instances/kit-login@default")))
    }
}
