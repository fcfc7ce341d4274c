import Executor
import TestSupport
import Testing

@testable import PM2Adapter

/// What a refused `pm2 start` leaves in the error: its last lines, marked when cut.
@Suite("PM2 start output in errors")
struct PM2StartOutputTests {
    func run(_ lines: [String]) throws -> String {
        let text = lines.joined(separator: "\n")
        let script = "started=" + ShellQuoting.quote(text) + "\n" + PM2ProcessManager.lastLines("started", 20) + " 2>&1"
        return try CommandRunner.run("/bin/bash", ["-c", script]).out
    }

    @Test("up to 20 lines come back whole, without PM2's table borders and without a cut mark")
    func short() throws {
        let out = try run(["[PM2] Spawning", "┌────┐", "│ id │", "[PM2][ERROR] Script not found"])
        #expect(out == "[PM2] Spawning\n[PM2][ERROR] Script not found\n")
    }

    @Test("more lines: the last 20, after a line with the cut mark the redactor knows")
    func cut() throws {
        let out = try run((1...30).map { "line \($0)" })
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.first == Redactor.cutMark)
        #expect(Array(lines.dropFirst()) == (11...30).map { "line \($0)" })
        // A secret whose start the cut left out is masked from the mark on.
        let secret = "pm2-secret-" + String(repeating: "Zq81Lm02Px", count: 3)
        let redactor = Redactor(secrets: [Secret(source: .env("S"), value: secret)])
        #expect(redactor.redact(Redactor.cutMark + "\n" + String(secret.dropFirst(5)) + "\nmore") == Redactor.cutMark + "\n[redacted]\nmore")
    }
}
