import Executor
import Foundation
import Synchronization
import TestSupport
import Testing

/// The Instant emulator as a process (`morph-emulator --instant`).
struct InstantServer {
    let process: EmulatorProcess

    init() throws { process = try EmulatorProcess(arguments: ["--instant"]) }

    /// `INSTANT_API_URL` pointing at it.
    var url: String { "http://127.0.0.1:\(process.port)" }

    /// Every app the emulator made (deleted ones flagged), with its admin token.
    func apps() throws -> [JSONValue] { try process.control("GET", "apps")["data"]?.arrayValue ?? [] }

    /// The apps not deleted.
    func liveApps() throws -> [JSONValue] { try apps().filter { $0["deleted"] != .bool(true) } }

    func stop() { process.stop() }
}

/// The argv of every process on this machine but two kinds: the Morph emulators (their argv
/// holds the test's API key) and the emulated VM's exec shells that feed a payload (Morph's
/// exec has no stdin, so `MorphProvider.feeding(inline:to:)` puts file contents, base64-encoded,
/// in the command on the VM, `… | base64 -d | bash -c …`: a documented limit of Morph). Every
/// other process, the VM's sessions and what they run included, is scanned.
func processArgvExceptMorphPayloads() -> String {
    ProcessScan.argv().compactMap { words -> String? in
        if words.first?.hasSuffix("/morph-emulator") == true { return nil }
        let text = words.joined(separator: " ")
        return text.contains("| base64 -d | bash -c") ? nil : text
    }.joined(separator: "\n")
}

@Suite("Resources through the command line: the database example on the Morph and Instant emulators", .serialized)
struct ResourceCLITests {
    @Test("morph-claude-db.yaml: apply hands the app to both sessions (the token works), status shows it, re-apply and a secret-only change keep it, destroy leaves zero apps and zero instances; the admin token is nowhere else")
    func databaseExample() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-db")
        defer { folder.remove() }
        let key = Canary(value: "morph-db-key-canary-Qw83Lz02Xc55")
        let morph = try EmulatorProcess(arguments: ["--api-key", key.value, "--home-template", try agentHomeTemplate(folder)])
        defer { morph.stop() }
        let instant = try InstantServer()
        defer { instant.stop() }
        let oauth = try OAuthServer()
        defer { oauth.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let login = try loginThroughCLI(oauth, home: home)
        #expect(login.status == 0, "\(login.err)")
        var env = ["MORPH_API_KEY": key.value, "MORPH_BASE_URL": morph.baseURL, "INSTANT_API_URL": instant.url]
        env.merge(oauth.environment) { _, new in new }
        let file = "examples/manifests/morph-claude-db.yaml"
        let logFile = home.file("apply.log")
        var outputs: [String] = []

        // apply --wait, with a watcher reading every process's argv until it ends.
        let done = Mutex(false)
        let watcher = Task { () -> String in
            var seen = Set<String>()
            while !done.withLock({ $0 }) {
                seen.insert(processArgvExceptMorphPayloads())
                await Task.yield()
            }
            return seen.joined(separator: "\n")
        }
        let apply = try await runjob(["apply", "--wait", "--log-level", "trace", "--log-file", logFile, file], env: env, home: home)
        done.withLock { $0 = true }
        let argv = await watcher.value
        outputs += [apply.out, apply.err]
        #expect(apply.status == 0, "\(apply.out.suffix(3000))\(apply.err)")
        let events = apply.out.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
        let finished = events.filter { $0["type"] == .string("session.finished") && $0["status"] == .string("ok") }.compactMap { $0["session"]?.stringValue }
        #expect(Set(finished) == ["db-check", "review"], "\(apply.out.suffix(2000))")
        let apps = try instant.liveApps()
        try #require(apps.count == 1, "one app: \(apps)")
        let appID = try #require(apps[0]["id"]?.stringValue)
        let token = Canary(value: try #require(apps[0]["admin_token"]?.stringValue))
        #expect(apps[0]["ephemeral"] == .bool(true))

        let logs = try await runjob(["logs", file, "db-check"], env: env, home: home)
        outputs += [logs.out, logs.err]
        #expect(logs.out.contains("INSTANT_ADMIN_TOKEN\nINSTANT_API_URL\nINSTANT_APP_ID\n"), "the names, never the values: \(logs.out)")
        #expect(logs.out.contains("admin token accepted: HTTP 200"), "the token works against the service: \(logs.out)")

        // On the instance, the token is only in the session env files and the record, all 0600.
        let instance = try #require(try morph.instances().first)
        let sandbox = try #require(instance["sandbox_home"]?.stringValue)
        let holders = FileScan.files(under: sandbox, containing: token.value)
        #expect(holders.contains(sandbox + "/.runjob/resources/db.json"), "\(holders)")
        #expect(holders.count == 3, "the record and the two sessions' env files: \(holders)")
        for path in holders {
            #expect(FileScan.mode(path) == 0o600, "\(path)")
        }
        #expect(FileScan.files(under: home.path, containing: token.value).isEmpty, "nothing on the machine running runjob keeps the token")
        #expect(instance["metadata"]?["runjob.resource.db"]?.stringValue == appID, "\(instance)")

        for output in ["text", "json", "markdown"] {
            let plan = try await runjob(["plan", "--output", output, file], env: env, home: home)
            #expect(plan.status == 0, "\(plan.err)")
            outputs += [plan.out, plan.err]
        }
        let plan = try await runjob(["plan", "--output", "json", file], env: env, home: home)
        #expect(plan.out.contains("<output resource:db.admin_token>"))
        let status = try await runjob(["status", file], env: env, home: home)
        outputs += [status.out, status.err]
        #expect(status.out.contains("resource db (instant): \(appID)"), "\(status.out)")
        let statusJSON = try await runjob(["status", "--output", "json", file], env: env, home: home)
        outputs += [statusJSON.out, statusJSON.err]
        let listed = try JSONValue.parse(statusJSON.out)["resources"]?.arrayValue?.first
        #expect(listed?["id"]?.stringValue == appID)
        #expect(listed?["outputs"]?["app_id"]?.stringValue == appID)
        #expect(listed?["outputs"]?["admin_token"] == nil)

        // Re-apply: the recorded app, nothing created.
        let again = try await runjob(["apply", "--output", "text", file], env: env, home: home)
        outputs += [again.out, again.err]
        #expect(again.status == 0, "\(again.out)\(again.err)")
        #expect(again.out.contains("resource:db ok") && again.out.contains("\(appID) unchanged"), "\(again.out)")
        #expect(try instant.apps().count == 1, "no second app")

        // A secret-only change (the login's token rotates): the profile is installed again, the app is untouched.
        let refreshed = try await runjob(["auth", "claude", "refresh"], env: oauth.environment, home: home)
        #expect(refreshed.status == 0, "\(refreshed.err)")
        let secretChange = try await runjob(["apply", "--output", "text", file], env: env, home: home)
        outputs += [secretChange.out, secretChange.err]
        #expect(secretChange.status == 0, "\(secretChange.out)\(secretChange.err)")
        let credentialsLine = secretChange.out.split(separator: "\n").first { $0.contains("credentials:claude@main ok") }
        #expect(credentialsLine.map { !$0.contains("unchanged") } == true, "re-installed: \(secretChange.out)")
        #expect(secretChange.out.contains("\(appID) unchanged"), "\(secretChange.out)")
        #expect(try instant.apps().count == 1)

        let destroy = try await runjob(["destroy", "--yes", file], env: env, home: home)
        outputs += [destroy.out, destroy.err]
        #expect(destroy.status == 0, "\(destroy.err)")
        #expect(destroy.err.contains("deleted resource db (\(appID))"), "\(destroy.err)")
        #expect(try instant.liveApps().isEmpty, "zero apps")
        #expect(try morph.instances().filter { $0["deleted"] != .bool(true) }.isEmpty, "zero instances")

        outputs.append(try String(contentsOfFile: logFile, encoding: .utf8))
        outputs.append(argv)
        for canary in [token, key] {
            for output in outputs {
                let lines = output.split(separator: "\n").filter { !canary.leaks(in: String($0)).isEmpty }.map { String($0.prefix(400)) }
                #expect(canary.leaks(in: output).isEmpty, "a secret leaked: \(lines.isEmpty ? String(output.prefix(3000)) : lines.joined(separator: "\n"))")
            }
        }
    }

    @Test("a session that prints its token: logs and status mask it (their redactors learn the resource's secrets from the records); keep: true survives destroy")
    func printedTokenAndKeep() async throws {
        let instant = try InstantServer()
        defer { instant.stop() }
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let manifest = home.file("printing.yaml")
        try """
            version: 1
            name: printing
            provider: local
            machine: {}
            resources:
              db: { kind: instant, keep: true }
            sessions:
              show:
                run: printf 'token=%s\\n' "$INSTANT_ADMIN_TOKEN"
                env:
                  INSTANT_ADMIN_TOKEN: ${resource:db.admin_token}
            """.write(toFile: manifest, atomically: true, encoding: .utf8)
        let env = ["INSTANT_API_URL": instant.url]
        let apply = try await runjob(["apply", "--wait", "--output", "text", manifest], env: env, home: home)
        #expect(apply.status == 0, "\(apply.out)\(apply.err)")
        let token = Canary(value: try #require(try instant.liveApps().first?["admin_token"]?.stringValue))
        let logs = try await runjob(["logs", manifest, "show"], env: env, home: home)
        #expect(logs.out.contains("token=[redacted]"), "\(logs.out)")
        let all = try await runjob(["logs", manifest], env: env, home: home)
        let status = try await runjob(["status", "--output", "json", manifest], env: env, home: home)
        let destroy = try await runjob(["destroy", "--yes", manifest], env: env, home: home)
        #expect(destroy.status == 0, "\(destroy.err)")
        #expect(destroy.err.contains("kept resource db"), "\(destroy.err)")
        #expect(try instant.liveApps().count == 1, "keep: true keeps the app")
        for output in [apply.out, apply.err, logs.out, logs.err, all.out, all.err, status.out, status.err, destroy.out, destroy.err] {
            #expect(token.leaks(in: output).isEmpty, "the token leaked: \(output.prefix(2000))")
        }
    }
}
