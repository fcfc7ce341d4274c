import Testing

@testable import Executor

@Suite("One-line texts and a session's set environment names")
struct LineTextTests {
    @Test("line texts: first line, one line, clipping, dollars, seconds, counts")
    func lineTexts() {
        let first = LineText.firstLine("\n  Hello there  \nsecond\n\nthird", limit: 5)
        #expect(first.line == "Hell…")
        #expect(first.more == 2)
        #expect(LineText.firstLine(" \n \n") == ("", 0))
        #expect(LineText.oneLine("a\nb\tc\r") == "a b c")
        #expect(LineText.clip("abc", limit: 3) == "abc")
        #expect(LineText.clip("abcd", limit: 3) == "ab…")
        #expect(LineText.dollars(0.0021) == "$0.0021")
        #expect(LineText.dollars(12.5) == "$12.5000")
        #expect(LineText.dollars(-1) == "$0.0000")
        #expect(LineText.seconds(milliseconds: 2_349) == "2.3s")
        #expect(LineText.seconds(milliseconds: -5) == "0.0s")
        #expect(LineText.count(1, "turn") == "1 turn")
        #expect(LineText.count(2, "turn") == "2 turns")
    }

    @Test("set env names: literals that are not empty, secrets and unset values; not empty literals")
    func setEnvNames() {
        var session = SessionSpec(name: "s", machine: "main", program: .run(.shell("true")), cwd: .home(""))
        session.env = [
            EnvVar("A", "1"), EnvVar("EMPTY", ""),
            EnvVar("SECRET", InterpolatedString(secret: Secret(source: SecretSource(kind: .env, name: "K"), value: "v"))),
            EnvVar("UNSET", InterpolatedString(parts: [.unset(SecretSource(kind: .env, name: "U"))])),
        ]
        #expect(session.setEnvNames == ["A", "SECRET", "UNSET"])
        session.env = [EnvVar("EMPTY", "")]
        #expect(session.setEnvNames.isEmpty)
    }
}
