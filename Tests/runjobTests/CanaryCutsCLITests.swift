import Executor
import Foundation
import TestSupport
import Testing

/// The canary suite for the forms that shortening and re-encoding produce (issue [5]):
/// long canaries (longer than every cut-off in runjob: the 2000-byte verify tail, the
/// renderers' 100–300 characters, `--tail`) with quotes, backslashes, newlines,
/// non-ASCII and `$(…)`, printed raw, JSON-escaped and as base64 wrapped at 76 and 64
/// columns (LF and CRLF), then read back through every output: events, text, the log
/// file, status, logs (all, raw, readable, `--tail` at every line), errors, plans.
/// A leak is the whole secret in any form, or any piece of 12 bytes of one.
@Suite("Secrets never leak in cut or re-encoded form, through every output (long canaries)", .serialized)
struct CanaryCutsCLITests {
    static let envCanary = Canary(tag: "cuts-env", length: 2600)
    static let fileCanary = Canary(tag: "cuts-file", length: 2300)
    static let tokenCanary = Canary(value: "sk-ant-oat01-cuts-canary-Zq81Lw0Pv5Xy2Rt7Mn4Bc6")

    static func manifest(fake: String) -> String {
        """
        version: 1
        name: leaktest
        provider: local
        machine: {}
        credentials:
          claude:
            dirs: [{ path: ~/.claude, mode: "0700" }]
            files:
              - { path: ~/.claude/.credentials.json, mode: "0600", content: "${env:CLAUDE_CREDENTIALS}" }
              - { path: ~/.token, mode: "0600", content: "${file:secret.txt}" }
        sessions:
          install:
            run: mkdir -p ~/.local/bin && cp '\(fake)' ~/.local/bin/claude && chmod +x ~/.local/bin/claude
          printer:
            env: { TOKEN: "${env:CANARY}" }
            run: |
              printf '%s\\n' "$TOKEN"
              python3 -c 'import json,os; print(json.dumps({"t": os.environ["TOKEN"]}))'
              python3 -c 'import os,urllib.parse; print("https://x.test/?t=" + urllib.parse.quote(os.environ["TOKEN"], safe=""))'
              python3 -c 'import os; print(os.environ["TOKEN"].encode().hex())' | fold -w 60
              printf '%s' "$TOKEN" | base64
              printf 'x%s' "$TOKEN" | base64 -w 64
              printf 'xy%s' "$TOKEN" | base64 -w 76 | sed 's/$/\\r/'
          agent:
            agent: claude
            credentials: [claude]
            after: { install: completed }
            allowed_tools: [Bash]
            env: { FAKE_CLAUDE_CAT: ~/.token }
            prompt: "fake-claude: cat_file"
        """
    }

    static let failing = """
        version: 1
        name: leaktest-bad
        provider: local
        machine: {}
        credentials:
          token:
            files: [{ path: ~/.token, content: "${file:secret.txt}" }]
            verify: { shell: "cat ~/.token; base64 ~/.token; cat ~/.token; exit 3" }
        sessions:
          s: { run: "true", credentials: [token] }
        """

    @Test("apply, status, logs (all, raw, readable, every --tail), a failed verify, plans and the log file show no piece of a secret")
    func everyOutput() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        try home.write("secret.txt", Self.fileCanary.value)
        let good = try home.write("good.yaml", Self.manifest(fake: repo("Tests/Support/fakes/claude")))
        let bad = try home.write("bad.yaml", Self.failing)
        let credentials =
            #"{"claudeAiOauth":{"accessToken":""# + Self.tokenCanary.value
            + #"","expiresAt":4102444800000,"scopes":["user:inference"],"subscriptionType":"max"}}"#
        let env = ["CANARY": Self.envCanary.value, "CLAUDE_CREDENTIALS": credentials]
        let logFile = home.file("runjob.log")
        var outputs: [(String, CommandResult)] = []

        let apply = try await runjob(["apply", "--wait", "--log-level", "debug", "--log-file", logFile, good], env: env, home: home)
        #expect(apply.status == 1, "the agent session ends with its error result: \(apply.err)")
        #expect(apply.out.contains("\"session\":\"printer\""))
        outputs.append(("apply", apply))
        try await expectValidEvents(apply.out)
        outputs.append(("apply text", try await runjob(["apply", "--output", "text", good], env: env, home: home)))
        outputs.append(("status", try await runjob(["status", good], env: env, home: home)))
        let statusJSON = try await runjob(["status", "--output", "json", good], env: env, home: home)
        #expect((try? JSONValue.parse(Array(statusJSON.out.utf8))) != nil, "status JSON parses")
        outputs.append(("status json", statusJSON))
        let all = try await runjob(["logs", good], env: env, home: home)
        #expect(all.out.contains(Redactor.replacement))
        outputs.append(("logs", all))
        outputs.append(("logs raw", try await runjob(["logs", "--raw", good], env: env, home: home)))
        let readable = try await runjob(["logs", good, "agent"], env: env, home: home)
        #expect(readable.out.contains("→ Bash"), "\(readable.out)")
        outputs.append(("logs agent", readable))
        // The printer wrote about 290 lines: cut before each of the last 60, then every third.
        for tail in Array(1...60) + Array(stride(from: 61, through: 300, by: 3)) {
            outputs.append(("logs --tail \(tail)", try await runjob(["logs", "--tail", String(tail), good, "printer"], env: env, home: home)))
        }
        for tail in [1, 2, 3, 5, 8] {
            outputs.append(("agent --tail \(tail)", try await runjob(["logs", "--tail", String(tail), good, "agent"], env: env, home: home)))
            outputs.append(("agent raw --tail \(tail)", try await runjob(["logs", "--raw", "--tail", String(tail), good, "agent"], env: env, home: home)))
        }
        for output in ["text", "json", "markdown"] {
            outputs.append(("plan \(output)", try await runjob(["plan", "--output", output, good], env: env, home: home)))
        }
        let failed = try await runjob(["apply", "--log-file", logFile, bad], env: env, home: home)
        #expect(failed.status == 1)
        #expect(failed.out.contains("credentials.verify_failed"))
        #expect(failed.out.contains(Redactor.cutMark), "the verify output was cut and says so")
        try await expectValidEvents(failed.out)
        outputs.append(("failed apply", failed))
        outputs.append(("failed apply text", try await runjob(["apply", "--output", "text", bad], env: env, home: home)))
        outputs.append(("destroy", try await runjob(["destroy", "--yes", good], env: env, home: home)))
        outputs.append(("destroy bad", try await runjob(["destroy", "--yes", bad], env: env, home: home)))
        let log = try #require(FileManager.default.contents(atPath: logFile))
        for canary in [Self.envCanary, Self.fileCanary, Self.tokenCanary] {
            for (name, result) in outputs {
                #expect(canary.leaks(in: result.stdout).isEmpty, "\(name) stdout leaks \(canary.leaks(in: result.stdout))")
                #expect(canary.leaks(in: result.stderr).isEmpty, "\(name) stderr leaks \(canary.leaks(in: result.stderr))")
            }
            #expect(canary.leaks(in: Array(log)).isEmpty, "log file leaks \(canary.leaks(in: Array(log)))")
        }
    }
}
