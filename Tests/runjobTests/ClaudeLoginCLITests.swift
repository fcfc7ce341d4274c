import Executor
import Foundation
import TestSupport
import Testing

/// The Claude OAuth emulator as a process (`morph-emulator --claude-oauth`) and what the
/// CLI needs to reach it.
struct OAuthServer {
    let process: EmulatorProcess

    init(expiresIn: Int? = nil) throws {
        process = try EmulatorProcess(arguments: ["--claude-oauth"] + (expiresIn.map { ["--expires-in", String($0)] } ?? []))
    }

    /// `RUNJOB_CLAUDE_*` pointing at the emulator (loopback only).
    var environment: [String: String] {
        [
            "RUNJOB_CLAUDE_AUTHORIZE_URL": "http://127.0.0.1:\(process.port)/oauth/authorize",
            "RUNJOB_CLAUDE_TOKEN_URL": "http://127.0.0.1:\(process.port)/v1/oauth/token",
        ]
    }

    /// Token requests, and every token, code and verifier seen: the canaries.
    func stats() throws -> (tokenRequests: Int, canaries: [Canary]) {
        let stats = try process.control("GET", "stats")
        let values = ["issued", "issued_refresh_tokens", "codes", "verifiers"].flatMap { stats[$0]?.arrayValue ?? [] }.compactMap(\.stringValue)
        return (stats["token_requests"]?.intValue ?? -1, values.map { Canary(value: $0) })
    }

    func settings(_ body: String) throws { _ = try process.control("POST", "settings", body: body) }

    /// What the hosted page shows for the authorize URL `url` (the user's browser).
    func approve(_ url: String) throws -> String {
        let path = String(url.dropFirst("http://127.0.0.1:\(process.port)".count))
        let answer = try LoopbackHTTP.request(port: process.port, method: "GET", path: path)
        return String(decoding: answer.body, as: UTF8.self)
    }

    func stop() { process.stop() }
}

/// `runjob auth claude login` driven like a user: read the URL it prints on stderr, "open"
/// it (the emulator's approval page), paste the answer on stdin. `paste` may replace what
/// is pasted (given the page's answer).
func loginThroughCLI(
    _ server: OAuthServer, home: TemporaryDirectory, endpointFlags: Bool = false, paste: (String) throws -> String = { $0 }
) throws -> (status: Int32, out: String, err: String, url: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: BuiltProducts.runjob)
    var environment = ["HOME": home.path, "PATH": "/usr/bin:/bin", "NO_COLOR": "1"]
    if endpointFlags {
        // As a gateway user would: the flags, no RUNJOB_CLAUDE_* variables.
        process.arguments =
            ["auth", "claude", "login", "--no-browser"] + server.environment.sorted { $0.key < $1.key }.flatMap { name, value in
                [name == "RUNJOB_CLAUDE_TOKEN_URL" ? "--token-url" : "--authorize-url", value]
            }
    } else {
        process.arguments = ["auth", "claude", "login", "--no-browser"]
        environment.merge(server.environment) { _, new in new }
    }
    process.environment = environment
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try withUnblockedSignals { try process.run() }
    var stderr: [UInt8] = []
    var url = ""
    while url.isEmpty, let byte = try errors.fileHandleForReading.read(upToCount: 1)?.first {
        stderr.append(byte)
        if byte == UInt8(ascii: "\n"), let line = String(decoding: stderr, as: UTF8.self).split(separator: "\n").last, line.hasPrefix("http") {
            url = String(line)
        }
    }
    let pasted = try paste(try server.approve(url))
    input.fileHandleForWriting.write(Data((pasted + "\n").utf8))
    try input.fileHandleForWriting.close()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    stderr += errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: stderr, as: UTF8.self), url)
}

/// The stored login of `home` as JSON.
func storedLogin(_ home: TemporaryDirectory) throws -> JSONValue {
    try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: home.file(".config/runjob/auth/claude.json")))))
}

/// The text of every process's argv on this machine, for canary scans.
func everyProcessArgv() -> String {
    ProcessScan.everyArgv()
}

@Suite("runjob auth claude and ${auth:claude}, end to end against the OAuth and Morph emulators", .serialized)
struct ClaudeLoginCLITests {
    @Test("login with the code piped in, then status (text and json), the store's modes, logout; no token, code or verifier in any output")
    func loginStatusLogout() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-auth")
        defer { home.remove() }

        let login = try loginThroughCLI(server, home: home)
        #expect(login.status == 0, "\(login.err)")
        #expect(login.out.hasPrefix("Logged in to Claude as dev@example.com; valid until "), "\(login.out)")
        // The URL is alone on its stderr line, and carries a fresh S256 challenge and a separate state.
        #expect(login.err.split(separator: "\n").contains { $0 == login.url })
        #expect(login.url.contains("code_challenge_method=S256") && login.url.contains("code=true"))
        let store = home.file(".config/runjob/auth/claude.json")
        let attributes = try FileManager.default.attributesOfItem(atPath: store)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: home.file(".config/runjob/auth"))
        #expect((folder[.posixPermissions] as? Int) == 0o700)
        #expect(try storedLogin(home)["refresh_token"]?.stringValue?.hasPrefix("sk-ant-ort01-") == true)

        let status = try await runjob(["auth", "claude", "status"], home: home)
        #expect(status.status == 0, "\(status.err)")
        #expect(status.out.contains("account:       dev@example.com"), "\(status.out)")
        #expect(status.out.contains("scopes:        user:inference user:profile"))
        #expect(status.out.contains("access token:  valid until ") && status.out.contains("(in 7h 59m)"), "\(status.out)")
        #expect(status.out.contains("refresh token: held"))
        let json = try await runjob(["auth", "claude", "status", "--output", "json"], home: home)
        let document = try JSONValue.parse(json.stdout)
        #expect(document["logged_in"] == .bool(true))
        #expect(document["has_refresh_token"] == .bool(true))
        #expect(document["scopes"] == .array([.string("user:inference"), .string("user:profile")]))
        #expect((document["expires_in_seconds"]?.intValue ?? 0) > 28_000)
        #expect(document["expires_at"]?.intValue == (try storedLogin(home))["expires_at"]?.intValue)

        let (requests, canaries) = try server.stats()
        #expect(requests == 1)
        #expect(canaries.count == 4, "an access token, a refresh token, a code and a verifier")
        let outputs = [login.out, login.err, status.out, status.err, json.out, json.err]
        for canary in canaries {
            for output in outputs { #expect(canary.leaks(in: output).isEmpty, "a secret leaked: \(output)") }
        }

        let logout = try await runjob(["auth", "claude", "logout"], home: home)
        #expect(logout.status == 0 && logout.out.hasPrefix("Logged out: removed "), "\(logout.out)\(logout.err)")
        #expect(!FileManager.default.fileExists(atPath: store))
        let after = try await runjob(["auth", "claude", "status", "--output", "json"], home: home)
        #expect(after.status == 1)
        #expect(try JSONValue.parse(after.stdout)["logged_in"] == .bool(false))
        let again = try await runjob(["auth", "claude", "logout"], home: home)
        #expect(again.status == 0 && again.out.hasPrefix("Not logged in"))
    }

    @Test("on a terminal the paste is not echoed, and Ctrl-C at the prompt exits 130 with echo restored")
    func terminal() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-auth")
        defer { home.remove() }
        var env = server.environment
        env["HOME"] = home.path
        env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
        func session(_ mode: String) async throws -> JSONValue {
            let result = try await CommandRunner.runDetached(
                "/usr/bin/env", ["python3", repo("Tests/Support/scripts/pty_login.py"), BuiltProducts.runjob, String(server.process.port), mode],
                environment: env)
            #expect(result.status == 0, "\(result.err)")
            return try JSONValue.parse(result.stdout)
        }
        let typed = try await session("paste")
        #expect(typed["status"] == .int(0), "\(typed)")
        let terminal = typed["terminal"]?.stringValue ?? ""
        #expect(terminal.contains("Code: ") && terminal.contains("Logged in to Claude"), "\(terminal)")
        let paste = try #require(typed["paste"]?.stringValue)
        // The state after `#` is in the URL by design; the code before it is the secret.
        #expect(Canary(value: String(paste.split(separator: "#")[0])).leaks(in: terminal).isEmpty, "the pasted code was echoed: \(terminal)")
        #expect(typed["echo_after"] == .bool(true))
        try FileManager.default.removeItem(atPath: home.file(".config/runjob/auth/claude.json"))

        let interrupted = try await session("interrupt")
        #expect(interrupted["status"] == .int(130), "\(interrupted)")
        #expect(interrupted["echo_after"] == .bool(true), "Ctrl-C left the terminal without echo")
        #expect(!FileManager.default.fileExists(atPath: home.file(".config/runjob/auth/claude.json")))
    }

    @Test("a paste from another login attempt is auth.state_mismatch, a garbled one auth.malformed_paste; nothing is stored, nothing leaks")
    func refusedPastes() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-auth")
        defer { home.remove() }
        let other = try loginThroughCLI(server, home: home) { answer in
            // A second attempt's page: same code format, another state.
            let code = answer.split(separator: "#")[0]
            return code + "#" + "state-of-another-attempt-0123456789"
        }
        #expect(other.status == 1)
        #expect(other.err.contains("error[auth.state_mismatch]"), "\(other.err)")
        let garbled = try loginThroughCLI(server, home: home) { answer in answer.replacingOccurrences(of: "#", with: "") }
        #expect(garbled.status == 1)
        #expect(garbled.err.contains("error[auth.malformed_paste]"), "\(garbled.err)")
        #expect(!FileManager.default.fileExists(atPath: home.file(".config/runjob/auth/claude.json")))
        let (requests, canaries) = try server.stats()
        #expect(requests == 0, "a refused paste never reaches the token endpoint")
        for canary in canaries {
            for output in [other.out, other.err, garbled.out, garbled.err] { #expect(canary.leaks(in: output).isEmpty, "\(output)") }
        }
    }

    @Test("the Claude example on Morph: installed without the refresh token and accepted by claude; a short expiry is refreshed before install; a revoked login stops apply before any boot")
    func claudeExampleLifecycle() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-agents")
        defer { folder.remove() }
        let key = Canary(value: "morph-auth-key-canary-Vb52Kd19Ws44")
        let morph = try EmulatorProcess(arguments: ["--api-key", key.value, "--home-template", try agentHomeTemplate(folder)])
        defer { morph.stop() }
        let server = try OAuthServer()
        defer { server.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let login = try loginThroughCLI(server, home: home)
        #expect(login.status == 0, "\(login.err)")
        let github = Canary(tag: "github")
        var env = [
            "MORPH_API_KEY": key.value, "MORPH_BASE_URL": morph.baseURL, "REPO_URL": try await localRepository(folder), "GITHUB_TOKEN": github.value,
        ]
        env.merge(server.environment) { _, new in new }
        let file = "examples/manifests/morph-claude.yaml"
        let logFile = home.file("apply.log")
        var outputs = [login.out, login.err]

        // 2. The example, with the stored login: the fake claude accepts the installed file.
        let apply = try await runjob(["apply", "--wait", "--log-level", "trace", "--log-file", logFile, file], env: env, home: home)
        outputs += [apply.out, apply.err]
        #expect(apply.status == 0, "\(apply.out.suffix(3000))\(apply.err)")
        let events: [JSONValue] = apply.out.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
        let finished = events.filter { (event: JSONValue) -> Bool in
            guard event["type"] == .string("session.finished"), event["status"] == .string("ok") else { return false }
            return event["is_error"] == .bool(false)
        }
        #expect(Set(finished.compactMap { $0["session"]?.stringValue }) == ["review", "tests"], "both Claude sessions accepted the credentials: \(apply.out.suffix(2000))")
        let sandboxHome = try #require(try morph.instances().first?["sandbox_home"]?.stringValue)
        let installedPath = sandboxHome + "/.claude/.credentials.json"
        func installed() throws -> JSONValue { try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: installedPath)))) }
        let first = try installed()["claudeAiOauth"]
        #expect(first?["refreshToken"] == nil, "${auth:claude} never carries the refresh token")
        #expect(first?["accessToken"] == (try storedLogin(home))["access_token"])
        #expect(first?["expiresAt"]?.intValue == (try storedLogin(home))["expires_at"]?.intValue)
        #expect(first?["scopes"] == .array([.string("user:inference"), .string("user:profile")]))
        let mode = try FileManager.default.attributesOfItem(atPath: installedPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        for output in ["text", "json", "markdown"] {
            let plan = try await runjob(["plan", "--output", output, file], env: env, home: home)
            #expect(plan.status == 0, "\(plan.err)")
            outputs += [plan.out, plan.err]
        }
        let status = try await runjob(["status", "--output", "json", file], env: env, home: home)
        outputs += [status.out, status.err]

        // 3. Tokens now expire in a minute (< min_validity 2h): apply refreshes before installing.
        try server.settings(#"{"expires_in":60}"#)
        let forced = try await runjob(["auth", "claude", "refresh"], env: server.environment, home: home)
        outputs += [forced.out, forced.err]
        #expect(forced.status == 0, "\(forced.err)")
        let beforeApply = try storedLogin(home)
        let requestsBefore = try server.stats().tokenRequests
        let refreshed = try await runjob(["apply", "--output", "text", file], env: env, home: home)
        outputs += [refreshed.out, refreshed.err]
        #expect(refreshed.status == 0, "\(refreshed.out)\(refreshed.err)")
        #expect(try server.stats().tokenRequests == requestsBefore + 1, "one refresh before the install")
        let afterApply = try storedLogin(home)
        #expect(afterApply["refresh_token"] != beforeApply["refresh_token"], "the rotated pair is stored")
        #expect(afterApply["access_token"] != beforeApply["access_token"])
        #expect(try installed()["claudeAiOauth"]?["accessToken"] == afterApply["access_token"], "the fresh token is what was installed")
        #expect(refreshed.out.contains("credentials:claude@main ok"), "the changed secret re-installs the profile: \(refreshed.out)")

        // 4. The refresh token is revoked: apply refuses before booting anything.
        _ = try server.process.control("POST", "revoke")
        let instancesBefore = try morph.instances().count
        let revoked = try await runjob(["apply", file], env: env, home: home)
        outputs += [revoked.out, revoked.err]
        #expect(revoked.status == 2, "the user has to log in again: \(revoked.err)")
        #expect(revoked.err.contains("error[auth.invalid_grant]"), "\(revoked.err)")
        #expect(revoked.err.contains("runjob auth claude login"), "\(revoked.err)")
        #expect(!revoked.out.contains("run.started"), "nothing ran")
        #expect(try morph.instances().count == instancesBefore)

        let destroy = try await runjob(["destroy", "--yes", file], env: env, home: home)
        #expect(destroy.status == 0, "\(destroy.err)")
        outputs.append(try String(contentsOfFile: logFile, encoding: .utf8))
        for canary in try server.stats().canaries + [key, github] {
            for output in outputs { #expect(canary.leaks(in: output).isEmpty, "a secret leaked: \(output.prefix(3000))") }
        }
    }

    @Test("two applies that both need a refresh: one token request, both install the same fresh token; no token in any argv")
    func concurrentApplies() async throws {
        let server = try OAuthServer(expiresIn: 60)
        defer { server.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        #expect(try loginThroughCLI(server, home: home).status == 0)
        // The stored token expires in a minute; a refresh gives the usual eight hours.
        try server.settings(#"{"expires_in":28800}"#)
        let manifest = try home.write(
            "claude.yaml",
            """
            version: 1
            name: claude-fanout
            provider: local
            machine: {}
            credentials:
              claude:
                dirs: [{ path: ~/.claude, mode: "0700" }]
                files: [{ path: ~/.claude/.credentials.json, mode: "0600", content: "${auth:claude}" }]
            sessions:
              agent:
                credentials: [claude]
                env: { CLAUDE_CODE_OAUTH_TOKEN: "${auth:claude.access_token}" }
                run: exec sleep 300
            """)
        let stored = try storedLogin(home)
        var env = server.environment
        env["XDG_STATE_HOME"] = home.file("state")
        async let one = runjob(["apply", "--workspace", "one", manifest], env: env, home: home)
        async let two = runjob(["apply", "--workspace", "two", manifest], env: env, home: home)
        let results = try await [one, two]
        for result in results { #expect(result.status == 0, "\(result.err)") }
        #expect(try server.stats().tokenRequests == 2, "the login's exchange and one refresh")
        let fresh = try storedLogin(home)
        #expect(fresh["access_token"] != stored["access_token"])
        let files = try FileManager.default.subpathsOfDirectory(atPath: home.file("state")).filter { $0.hasSuffix(".claude/.credentials.json") }
        #expect(files.count == 2)
        for path in files {
            let installed = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: home.file("state/" + path)))))
            #expect(installed["claudeAiOauth"]?["accessToken"] == fresh["access_token"], "\(path)")
        }
        // The sessions run now: neither their argv nor any other process's shows a token.
        let argv = everyProcessArgv()
        for workspace in ["one", "two"] {
            let destroy = try await runjob(["destroy", "--yes", "--workspace", workspace, manifest], env: env, home: home)
            #expect(destroy.status == 0, "\(destroy.err)")
        }
        for canary in try server.stats().canaries {
            #expect(canary.leaks(in: argv).isEmpty, "a token is in a process's argv")
            for result in results { #expect(canary.leaks(in: result.out + result.err).isEmpty) }
        }
    }

    @Test("${auth:claude.handover}: one machine gets the refresh token, the local login is handed over; on two machines it is a validation error at its line")
    func handover() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        #expect(try loginThroughCLI(server, home: home).status == 0)
        let refreshToken = try #require(try storedLogin(home)["refresh_token"]?.stringValue)
        let one = """
            version: 1
            name: long-lived
            provider: local
            machine: {}
            credentials:
              claude:
                files: [{ path: ~/.claude/.credentials.json, mode: "0600", content: "${auth:claude.handover}" }]
            sessions:
              agent: { credentials: [claude], run: "true" }
            """
        let manifest = try home.write("one.yaml", one)
        let env = server.environment
        let apply = try await runjob(["apply", manifest], env: env, home: home)
        #expect(apply.status == 0, "\(apply.err)")
        let installed = try #require(
            try FileManager.default.subpathsOfDirectory(atPath: home.file("state")).first { $0.hasSuffix(".claude/.credentials.json") })
        let file = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: home.file("state/" + installed)))))
        #expect(file["claudeAiOauth"]?["refreshToken"]?.stringValue == refreshToken)
        #expect(try storedLogin(home)["refresh_token"] == nil, "the local copy is gone: a refresh here would rotate it away from the machine")

        let status = try await runjob(["auth", "claude", "status"], home: home)
        #expect(status.status == 1)
        #expect(status.out.contains("handed over:   to machine `main` of long-lived (workspace default)"), "\(status.out)")
        #expect(status.out.contains("A new login is needed here: run `runjob auth claude login`."))
        let plan = try await runjob(["plan", manifest], env: env, home: home)
        #expect(plan.out.contains("<secret auth:claude.handover (handed over)>"), "\(plan.out)")
        #expect(plan.err.contains("warning[auth.not_logged_in]") && plan.err.contains("log in again here"), "\(plan.err)")
        let again = try await runjob(["apply", manifest], env: env, home: home)
        #expect(again.status == 2)
        #expect(again.err.contains("error[auth.handed_over]") || again.err.contains("error[auth.not_logged_in]"), "\(again.err)")
        #expect(try await runjob(["destroy", "--yes", manifest], env: env, home: home).status == 0)

        let two = try home.write(
            "two.yaml",
            one.replacingOccurrences(of: "machine: {}", with: "machines: { a: {}, b: {} }")
                .replacingOccurrences(of: "agent: { credentials: [claude], run: \"true\" }", with: "a: { machine: a, credentials: [claude], run: \"true\" }\n  b: { machine: b, credentials: [claude], run: \"true\" }"))
        let refused = try await runjob(["validate", two], home: home)
        #expect(refused.status == 2)
        #expect(refused.err.contains("two.yaml:7:73: error[manifest.handover_on_many_machines]"), "\(refused.err)")
    }

    @Test("a login made through a gateway (--token-url) is refreshed there, also without RUNJOB_CLAUDE_TOKEN_URL")
    func gatewayLogin() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let login = try loginThroughCLI(server, home: home, endpointFlags: true)
        #expect(login.status == 0, "\(login.err)")
        #expect(try storedLogin(home)["token_url"]?.stringValue == server.environment["RUNJOB_CLAUDE_TOKEN_URL"])
        let refresh = try await runjob(["auth", "claude", "refresh"], home: home)
        #expect(refresh.status == 0, "\(refresh.err)")
        #expect(try server.stats().tokenRequests == 2)
    }

    @Test("two applies in two workspaces handing over the same login: one gets the refresh token, the other refuses before booting")
    func handoverRace() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        #expect(try loginThroughCLI(server, home: home).status == 0)
        let manifest = try home.write(
            "handover.yaml",
            """
            version: 1
            name: long-lived
            provider: local
            machine: {}
            credentials:
              claude:
                files: [{ path: ~/.claude/.credentials.json, mode: "0600", content: "${auth:claude.handover}" }]
            sessions:
              agent: { credentials: [claude], run: "true" }
            """)
        let env = server.environment
        async let one = runjob(["apply", "--workspace", "one", manifest], env: env, home: home)
        async let two = runjob(["apply", "--workspace", "two", manifest], env: env, home: home)
        let results = try await [one, two]
        #expect(results.map(\.status).sorted() == [0, 2], "\(results.map(\.err))")
        let refused = try #require(results.first { $0.status == 2 })
        #expect(refused.err.contains("error[auth.handed_over]") || refused.err.contains("error[auth.not_logged_in]"), "\(refused.err)")
        #expect(!refused.out.contains("run.started"))
        let installed = try FileManager.default.subpathsOfDirectory(atPath: home.file("state")).filter { $0.hasSuffix(".claude/.credentials.json") }
        #expect(installed.count == 1, "the refresh token is on one machine: \(installed)")
        for workspace in ["one", "two"] {
            #expect(try await runjob(["destroy", "--yes", "--workspace", workspace, manifest], env: env, home: home).status == 0)
        }
    }

    @Test("not logged in: validate and plan work and say so; apply refuses with the command to run, before booting")
    func notLoggedIn() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let manifest = try home.write(
            "claude.yaml",
            """
            version: 1
            name: no-login
            provider: local
            machine: {}
            sessions:
              agent: { env: { CLAUDE_CODE_OAUTH_TOKEN: "${auth:claude.access_token}" }, run: "true" }
            """)
        let validate = try await runjob(["validate", manifest], home: home)
        #expect(validate.status == 0, "\(validate.out)")
        let plan = try await runjob(["plan", "--output", "json", manifest], home: home)
        #expect(plan.status == 0)
        #expect(try JSONValue.parse(plan.stdout)["secrets_digest"]?["unresolved"] == .array([.string("auth:claude.access_token")]))
        let text = try await runjob(["plan", manifest], home: home)
        #expect(text.out.contains("partial: not set here: auth:claude.access_token"), "\(text.out)")
        let strict = try await runjob(["validate", "--strict", manifest], home: home)
        #expect(strict.status == 2 && strict.err.contains("error[auth.not_logged_in]"), "\(strict.err)")
        let apply = try await runjob(["apply", manifest], home: home)
        #expect(apply.status == 2)
        #expect(apply.err.contains("error[auth.not_logged_in]") && apply.err.contains("run `runjob auth claude login`"), "\(apply.err)")
        #expect(!FileManager.default.fileExists(atPath: home.file("state/runjob/instances")))
    }

    @Test("import: Claude Code's file (without the refresh token unless asked), the Keychain through a fake `security`, and clear errors")
    func importLogin() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let access = Canary(value: "sk-ant-oat01-import-canary-Hq72Lm09Zx31")
        let refresh = Canary(value: "sk-ant-ort01-import-canary-Pw61Ks28Vb47")
        let credentials =
            #"{"claudeAiOauth":{"accessToken":""# + access.value + #"","refreshToken":""# + refresh.value
            + #"","expiresAt":4102444800000,"scopes":["user:inference","user:profile"],"subscriptionType":"max"},"other":1}"#
        _ = try home.write(".claude/.credentials.json", credentials)
        var outputs: [String] = []

        let fromFile = try await runjob(["auth", "claude", "import"], home: home)
        outputs += [fromFile.out, fromFile.err]
        #expect(fromFile.status == 0, "\(fromFile.err)")
        #expect(fromFile.out.contains("without its refresh token"), "\(fromFile.out)")
        #expect(try storedLogin(home)["access_token"]?.stringValue == access.value)
        #expect(try storedLogin(home)["refresh_token"] == nil)
        #expect(try storedLogin(home)["subscription_type"]?.stringValue == "max")

        let bin = home.file("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repo("Tests/Support/fakes/security"), toPath: bin + "/security")
        let item = try home.write("keychain-item.json", credentials)
        let keychainEnv = ["PATH": bin + ":/usr/bin:/bin", "FAKE_SECURITY_ITEM": item]
        let keychain = try await runjob(["auth", "claude", "import", "--keychain", "--with-refresh-token"], env: keychainEnv, home: home)
        outputs += [keychain.out, keychain.err]
        #expect(keychain.status == 0, "\(keychain.err)")
        #expect(keychain.out.contains("from the Keychain item `Claude Code-credentials` with its refresh token"), "\(keychain.out)")
        #expect(try storedLogin(home)["refresh_token"]?.stringValue == refresh.value)
        // No file: the Keychain is where Claude Code keeps it (macOS).
        try FileManager.default.removeItem(atPath: home.file(".claude/.credentials.json"))
        let fallback = try await runjob(["auth", "claude", "import"], env: keychainEnv, home: home)
        #expect(fallback.status == 0 && fallback.out.contains("Keychain"), "\(fallback.out)\(fallback.err)")
        let missingItem = try await runjob(["auth", "claude", "import", "--keychain"], env: ["PATH": bin + ":/usr/bin:/bin"], home: home)
        #expect(missingItem.status == 1)
        #expect(missingItem.err.contains("error[auth.keychain_unavailable]") && missingItem.err.contains("no such item"), "\(missingItem.err)")

        let bad = try home.write("bad.json", #"{"claudeAiOauth":{"accessToken":""# + access.value + #"","expiresAt":"2030-01-01T00:00:00Z"}}"#)
        let refused = try await runjob(["auth", "claude", "import", bad], home: home)
        outputs += [refused.out, refused.err]
        #expect(refused.status == 1)
        #expect(refused.err.contains("error[auth.invalid_credentials_file]") && refused.err.contains("integer of milliseconds"), "\(refused.err)")
        let status = try await runjob(["auth", "claude", "status"], home: home)
        outputs += [status.out, status.err]
        for canary in [access, refresh] {
            for output in outputs { #expect(canary.leaks(in: output).isEmpty, "a token leaked: \(output)") }
        }
    }

    @Test("refresh: the endpoint's 429 is auth.rate_limited, a 5xx auth.server_error, without any token; the login stays")
    func refreshFailures() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        #expect(try loginThroughCLI(server, home: home).status == 0)
        let stored = try storedLogin(home)
        _ = try server.process.control("POST", "script", body: #"[{"status":429,"retry_after":"7"},{"status":503}]"#)
        let limited = try await runjob(["auth", "claude", "refresh"], env: server.environment, home: home)
        #expect(limited.status == 1)
        #expect(limited.err.contains("error[auth.rate_limited]"), "\(limited.err)")
        let failing = try await runjob(["auth", "claude", "refresh"], env: server.environment, home: home)
        #expect(failing.status == 1)
        #expect(failing.err.contains("error[auth.server_error]"), "\(failing.err)")
        #expect(try storedLogin(home) == stored)
        for canary in try server.stats().canaries {
            for output in [limited.out, limited.err, failing.out, failing.err] { #expect(canary.leaks(in: output).isEmpty) }
        }
    }
}
