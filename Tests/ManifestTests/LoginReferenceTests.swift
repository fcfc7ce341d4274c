import ClaudeAuthAdapter
import Executor
import Planner
import Testing

@testable import Manifest

/// Loads `text` with the Claude login in `state` (no store is read).
private func loadWithLogin(_ text: String, _ state: LoginState, strict: Bool = false) -> LoadOutcome {
    let environment = ManifestEnvironment(
        variables: [:], baseDirectory: "/manifests", home: "/home/tester", readLogin: { _ in state }, readFile: { _ in .missing })
    do {
        let manifest = try ManifestLoader(registry: testRegistry, environment: environment, strict: strict).load(text: text, file: "test.yaml")
        return LoadOutcome(manifest: manifest, diagnostics: manifest.warnings)
    } catch {
        return LoadOutcome(manifest: nil, diagnostics: error.diagnostics)
    }
}

private let loggedIn = LoginState.available(
    values: ["": #"{"claudeAiOauth":{"accessToken":"sk-ant-oat01-unit-0123456789"}}"#, "access_token": "sk-ant-oat01-unit-0123456789",
             "handover": #"{"claudeAiOauth":{"accessToken":"sk-ant-oat01-unit-0123456789","refreshToken":"sk-ant-ort01-unit-9876543210"}}"#],
    expiresAt: 4_102_444_800_000, secrets: ["sk-ant-oat01-unit-0123456789", "sk-ant-ort01-unit-9876543210"])

private func manifestText(content: String = "${auth:claude}", machines: String = "machine: {}", sessions: String? = nil, extra: String = "") -> String {
    """
    version: 1
    name: login-test
    provider: local
    \(machines)
    \(extra)
    credentials:
      claude:
        files: [{ path: ~/.claude/.credentials.json, mode: "0600", content: "\(content)" }]
    sessions:
    \(sessions ?? "  agent: { credentials: [claude], run: \"true\" }")
    """
}

@Suite("${auth:…}: login values in manifests")
struct LoginReferenceTests {
    @Test("a stored login's values are secrets from auth:claude, in the plan only as placeholders; the manifest lists the login it uses")
    func available() throws {
        let outcome = loadWithLogin(
            manifestText(sessions: "  agent: { credentials: [claude], env: { CLAUDE_CODE_OAUTH_TOKEN: \"${auth:claude.access_token}\" }, run: \"true\" }"),
            loggedIn)
        let manifest = try #require(outcome.manifest, "\(outcome.diagnostics)")
        #expect(outcome.warnings.isEmpty)
        let content = try #require(manifest.credentials.first?.files.first?.content)
        #expect(content.secrets.map(\.source) == [.auth("claude")])
        #expect(content.secrets.first?.reveal() == #"{"claudeAiOauth":{"accessToken":"sk-ant-oat01-unit-0123456789"}}"#)
        #expect(manifest.sessions.first?.env.first?.value.secrets.first?.source == .auth("claude.access_token"))
        #expect(manifest.logins == [LoginUse(name: "claude", minValidityMilliseconds: 7_200_000, isAvailable: true)])
        #expect(manifest.unresolvedSources.isEmpty)
        let plan = Planner().plan(manifest)
        #expect(!PlanTextRenderer().render(plan).contains("sk-ant-"))
        #expect(PlanTextRenderer().render(plan).contains("<secret auth:claude>"))
    }

    @Test("not logged in: the manifest still loads (a warning at the reference), placeholders say so; --strict makes it an error")
    func notLoggedIn() throws {
        let state = LoginState.unavailable(state: "not logged in", detail: "run `runjob auth claude login`")
        let outcome = loadWithLogin(manifestText(), state)
        let manifest = try #require(outcome.manifest)
        #expect(outcome.warnings.map(\.code) == [ErrorCode.Auth.notLoggedIn])
        #expect(outcome.warnings.first?.location.line == 8)
        #expect(manifest.unresolvedSources == [.auth("claude")])
        #expect(manifest.logins.first?.isAvailable == false)
        #expect(manifest.credentials.first?.files.first?.content.placeholder(.withState) == "<secret auth:claude (not logged in)>")
        let strict = loadWithLogin(manifestText(), state, strict: true)
        #expect(strict.manifest == nil)
        #expect(strict.errors.map(\.code) == [ErrorCode.Auth.notLoggedIn])
    }

    @Test("the config digest ignores the token; the secrets digest changes with a refresh (a re-apply re-installs the profile)")
    func digests() throws {
        let fresh = LoginState.available(values: ["": "{\"claudeAiOauth\":{\"accessToken\":\"sk-ant-oat01-fresh-55555\"}}"], expiresAt: nil, secrets: [])
        let one = Planner().plan(try #require(loadWithLogin(manifestText(), loggedIn).manifest))
        let two = Planner().plan(try #require(loadWithLogin(manifestText(), fresh).manifest))
        let none = Planner().plan(try #require(loadWithLogin(manifestText(), .unavailable(state: "not logged in", detail: "")).manifest))
        #expect(one.configDigest == two.configDigest)
        #expect(one.configDigest == none.configDigest)
        #expect(one.secrets.scopes["credentials:claude"] != two.secrets.scopes["credentials:claude"])
    }

    @Test("auth.claude.min_validity is read as a duration; a bad one is an error at its line")
    func minValidity() throws {
        let set = loadWithLogin(manifestText(extra: "auth: { claude: { min_validity: 4h } }"), loggedIn)
        #expect(try #require(set.manifest).logins.first?.minValidityMilliseconds == 14_400_000)
        let bad = loadWithLogin(manifestText(extra: "auth: { claude: { min_validity: soon } }"), loggedIn)
        #expect(bad.errors.map(\.code) == [ErrorCode.Manifest.invalidValue])
        #expect(bad.errors.first?.location.line == 5)
        let unknown = loadWithLogin(manifestText(extra: "auth: { claud: {} }"), loggedIn)
        #expect(unknown.errors.first?.message.contains("claud") == true)
    }

    @Test("unknown logins and values, |plain and commands are refused with what to write instead")
    func refusals() {
        let login = loadWithLogin(manifestText(content: "${auth:claud}"), loggedIn)
        #expect(login.errors.map(\.code) == [ErrorCode.Manifest.invalidInterpolation])
        #expect(login.errors.first?.suggestion == "${auth:claude}")
        let value = loadWithLogin(manifestText(content: "${auth:claude.acess_token}"), loggedIn)
        #expect(value.errors.first?.suggestion == "${auth:claude.access_token}")
        let plain = loadWithLogin(manifestText(content: "${auth:claude|plain}"), loggedIn)
        #expect(plain.errors.first?.message.contains("always secret") == true)
        let command = loadWithLogin(manifestText(sessions: "  agent: { credentials: [claude], run: \"echo ${auth:claude.access_token}\" }"), loggedIn)
        #expect(command.errors.map(\.code) == [ErrorCode.Manifest.secretInCommand])
    }

    @Test("every token of the login is masked, the bare access token inside ${auth:claude} too; a trailing dot is an error")
    func companionSecrets() throws {
        let manifest = try #require(loadWithLogin(manifestText(), loggedIn).manifest)
        let plan = Planner().plan(manifest)
        let redactor = Redactor(secrets: plan.allSecrets)
        #expect(redactor.redact("token sk-ant-oat01-unit-0123456789 and sk-ant-ort01-unit-9876543210") == "token [redacted] and [redacted]")
        let dot = loadWithLogin(manifestText(content: "${auth:claude.}"), loggedIn)
        #expect(dot.errors.map(\.code) == [ErrorCode.Manifest.invalidInterpolation])
    }

    @Test("each missing value is reported, not just the first reference: a login without a refresh token has no handover value")
    func missingValue() throws {
        let noRefresh = LoginState.available(values: ["": "{}", "access_token": "sk-ant-oat01-unit-0123456789"], expiresAt: nil, secrets: [])
        let outcome = loadWithLogin(
            manifestText(sessions: "  agent: { credentials: [claude], env: { T: \"${auth:claude.handover}\" }, run: \"true\" }"), noRefresh)
        #expect(outcome.warnings.map(\.code) == [ErrorCode.Auth.notLoggedIn])
        #expect(outcome.warnings.first?.message.contains("auth:claude.handover") == true)
        #expect(try #require(outcome.manifest).unresolvedSources == [.auth("claude.handover")])
    }

    @Test("a handover value outside a profile or session, or in a profile no session uses, is misplaced")
    func misplacedHandover() {
        let provider = loadWithLogin(
            manifestText().replacingOccurrences(of: "provider: local", with: "provider: { kind: morph, api_key: \"${auth:claude.handover}\" }")
                .replacingOccurrences(of: "machine: {}", with: "machine: { snapshot: snapshot_abc12345 }"), loggedIn)
        #expect(provider.errors.map(\.code).contains(ErrorCode.Manifest.handoverMisplaced), "\(provider.diagnostics)")
        let unused = loadWithLogin(manifestText(content: "${auth:claude.handover}", sessions: "  agent: { run: \"true\" }"), loggedIn)
        #expect(unused.errors.map(\.code) == [ErrorCode.Manifest.handoverMisplaced], "\(unused.diagnostics)")
    }

    @Test("a handover value reaches one machine: allowed and named; through a profile or env on two machines: an error at the reference")
    func handover() throws {
        let one = loadWithLogin(manifestText(content: "${auth:claude.handover}"), loggedIn)
        #expect(try #require(one.manifest, "\(one.diagnostics)").logins.first?.handoverMachine == "main")
        let machines = "machines: { a: {}, b: {} }"
        let twoSessions = """
              x: { machine: a, credentials: [claude], run: "true" }
              y: { machine: b, credentials: [claude], run: "true" }
            """
        let viaProfile = loadWithLogin(manifestText(content: "${auth:claude.handover}", machines: machines, sessions: twoSessions), loggedIn)
        #expect(viaProfile.errors.map(\.code) == [ErrorCode.Manifest.handoverOnManyMachines])
        #expect(viaProfile.errors.first?.location.line == 8)
        #expect(viaProfile.errors.first?.message.contains("2 machines (a, b)") == true)
        let viaEnv = loadWithLogin(
            manifestText(
                machines: machines,
                sessions: """
                      x: { machine: a, env: { T: "${auth:claude.handover}" }, run: "true" }
                      y: { machine: b, credentials: [claude], env: { T: "${auth:claude.handover}" }, run: "true" }
                    """), loggedIn)
        #expect(viaEnv.errors.map(\.code) == [ErrorCode.Manifest.handoverOnManyMachines])
        // Two sessions on the same machine are one machine.
        let sameMachine = loadWithLogin(
            manifestText(
                content: "${auth:claude.handover}", machines: machines,
                sessions: """
                      x: { machine: a, credentials: [claude], run: "true" }
                      y: { machine: a, credentials: [claude], run: "true" }
                      z: { machine: b, run: "true" }
                    """), loggedIn)
        #expect(try #require(sameMachine.manifest, "\(sameMachine.diagnostics)").logins.first?.handoverMachine == "a")
    }
}
