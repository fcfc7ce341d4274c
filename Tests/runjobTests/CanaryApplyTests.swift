import Executor
import Foundation
import TestSupport
import Testing

@Suite("Secrets never leak from apply, status, logs or destroy", .serialized)
struct CanaryApplyTests {
    @Test("canaries through env and files: a session printing them, a failing step whose error carries them, the log file")
    func canaries() async throws {
        let envCanary = Canary(tag: "apply-env")
        let fileCanary = Canary(tag: "apply-file")
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        try home.write("secret.txt", fileCanary.value)
        let good = try home.write(
            "good.yaml",
            """
            version: 1
            name: canary-good
            provider: local
            machine: {}
            credentials:
              token:
                files: [{ path: ~/.token, content: "${file:secret.txt}" }]
                env: { FROM_PROFILE: "${file:secret.txt}" }
            sessions:
              leaky:
                credentials: [token]
                env: { TOKEN: "${env:CANARY}" }
                run: |
                  printf '%s\\n' "$TOKEN"
                  printf '%s' "$TOKEN" | base64 -w0; echo
                  printf 'x%s' "$TOKEN" | base64 -w0; echo
                  printf 'xy%s' "$TOKEN" | base64 -w0; echo
                  cat ~/.token
                  printf '%s\\n' "$FROM_PROFILE" >&2
                  python3 -c 'import json,os; print(json.dumps(os.environ["TOKEN"]))'
            """)
        let bad = try home.write(
            "bad.yaml",
            """
            version: 1
            name: canary-bad
            provider: local
            machine: {}
            credentials:
              token:
                files: [{ path: ~/.token, content: "${file:secret.txt}" }]
                verify: { shell: "cat ~/.token >&2; printf '%s' \\"$(cat ~/.token)\\" | base64 >&2; exit 4" }
            sessions:
              s: { run: "true", credentials: [token] }
            """)
        let env = ["CANARY": envCanary.value]
        var outputs: [(String, CommandResult)] = []
        let logFile = home.file("runjob.log")
        // At trace the log holds every remote script and both output streams of every exec.
        let apply = try await runjob(["apply", "--wait", "--log-level", "trace", "--log-file", logFile, good], env: env, home: home)
        #expect(apply.status == 0, "\(apply.err)")
        outputs.append(("apply", apply))
        outputs.append(("apply text", try await runjob(["apply", "--output", "text", good], env: env, home: home)))
        outputs.append(("status", try await runjob(["status", good], env: env, home: home)))
        outputs.append(("status json", try await runjob(["status", "--output", "json", good], env: env, home: home)))
        let logs = try await runjob(["logs", "--log-level", "trace", "--log-file", logFile, good, "leaky"], env: env, home: home)
        #expect(logs.status == 0)
        #expect(logs.out.contains("[redacted]"))
        outputs.append(("logs", logs))
        outputs.append(("logs tail", try await runjob(["logs", "--tail", "2", good], env: env, home: home)))
        let failing = try await runjob(["apply", "--log-file", logFile, bad], env: env, home: home)
        #expect(failing.status == 1)
        #expect(failing.out.contains("credentials.verify_failed"))
        outputs.append(("failing apply", failing))
        outputs.append(("failing apply text", try await runjob(["apply", "--output", "text", bad], env: env, home: home)))
        outputs.append(("destroy", try await runjob(["destroy", "--yes", good], env: env, home: home)))
        outputs.append(("destroy bad", try await runjob(["destroy", "--yes", bad], env: env, home: home)))
        let log = try #require(FileManager.default.contents(atPath: logFile))
        let logText = String(decoding: log, as: UTF8.self)
        // The provider's child logger: each remote command as data, with its step and instance; outputs at trace.
        #expect(logText.contains(" debug runjob.provider: exec "), "\(logText.prefix(2000))")
        #expect(logText.contains("step=credentials:"), "\(logText.prefix(2000))")
        #expect(logText.contains(" trace runjob.provider: exec output "), "\(logText.prefix(2000))")
        #expect(logText.contains("[redacted]"))
        for canary in [envCanary, fileCanary] {
            for (name, result) in outputs {
                #expect(canary.leaks(in: result.stdout).isEmpty, "\(name) stdout leaks \(canary.leaks(in: result.stdout))")
                #expect(canary.leaks(in: result.stderr).isEmpty, "\(name) stderr leaks \(canary.leaks(in: result.stderr))")
            }
            #expect(canary.leaks(in: Array(log)).isEmpty, "log file leaks \(canary.leaks(in: Array(log)))")
        }
        try await expectValidEvents(apply.out)
        try await expectValidEvents(failing.out)
    }
}
