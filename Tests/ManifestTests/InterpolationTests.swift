import Executor
import TestSupport
import Testing

@testable import Manifest

@Suite("Interpolation and secrets")
struct InterpolationTests {
    let header = minimalHeader

    @Test("env values are secrets; plans show the source, never the value")
    func envSecret() throws {
        let outcome = load(
            header + "sessions:\n  s:\n    run: echo\n    env: {TOKEN: \"Bearer ${env:API_TOKEN}\"}\n", env: ["API_TOKEN": "sk-very-secret-value"])
        let value = try #require(outcome.manifest?.sessions.first?.env.first?.value)
        #expect(value.containsSecret)
        #expect(value.description == "Bearer <secret env:API_TOKEN>")
        #expect(value.reveal() == "Bearer sk-very-secret-value")
        #expect("\(value)" == "Bearer <secret env:API_TOKEN>")
        #expect(!String(reflecting: value).contains("sk-very"))
    }

    @Test("defaults, |plain, $${ escapes and shell ${VARS} that are not references")
    func forms() throws {
        let outcome = load(
            header + """
                sessions:
                  s:
                    run: echo "${HOME} ${USER:-x} $${env:NOT} ${env:BRANCH|plain}"
                    env:
                      A: ${env:MISSING:-fallback}
                      B: ${env:BRANCH|plain}
                """, env: ["BRANCH": "main"])
        #expect(outcome.errors.isEmpty)
        let session = try #require(outcome.manifest?.sessions.first)
        #expect(session.program == .run(.shell("echo \"${HOME} ${USER:-x} ${env:NOT} main\"")))
        #expect(session.env[0].value.description == "<secret env:MISSING>")
        #expect(session.env[0].value.reveal() == "fallback")
        #expect(session.env[1].value == InterpolatedString("main"))
    }

    @Test("files are read relative to the manifest, ~ is the local home; contents are secret")
    func files() throws {
        let outcome = load(
            header + """
                credentials:
                  c:
                    files:
                      - { path: ~/a, content: "${file:creds.json}" }
                      - { path: ~/b, content: "${file:~/.tokens/b}" }
                sessions:
                  s: { run: echo, credentials: [c] }
                """,
            files: ["/manifests/creds.json": "{\"token\": \"abcdefghijklmnop\"}", "/home/tester/.tokens/b": "second-secret-value"])
        #expect(outcome.errors.isEmpty)
        let files = try #require(outcome.manifest?.credentials.first?.files)
        #expect(files[0].content.description == "<secret file:creds.json>")
        #expect(files[0].content.reveal() == "{\"token\": \"abcdefghijklmnop\"}")
        #expect(files[1].content.reveal() == "second-secret-value")
    }

    @Test("missing variables and files are not errors, but make the manifest partial")
    func missingIsPartial() throws {
        let outcome = load(header + "sessions:\n  s:\n    run: echo\n    env: {T: \"${env:NOPE}\", F: \"${file:nope.txt}\"}\n")
        #expect(outcome.errors.isEmpty)
        let manifest = try #require(outcome.manifest)
        #expect(manifest.unresolvedSources == [.env("NOPE"), .file("nope.txt")])
        #expect(manifest.sessions.first?.env.first?.value.description == "<secret env:NOPE (unset)>")
    }

    @Test("--strict makes missing variables and files errors")
    func strict() {
        expectFindings(
            header + "sessions:\n  s:\n    run: echo\n    env: {T: 1️⃣\"${env:NOPE}\", F: 2️⃣\"${file:nope.txt}\"}\n", strict: true,
            [
                Expected("1️⃣", ErrorCode.Manifest.envUnset, "sessions.s.env.T: the environment variable `NOPE` is not set (--strict)"),
                Expected("2️⃣", ErrorCode.Manifest.fileMissing, "sessions.s.env.F: the file `nope.txt` does not exist (--strict)"),
            ])
    }

    @Test("a secret inside a command is an error with the hint to use env")
    func secretInCommand() {
        let hint =
            "would be visible in process lists and in the process manager's state; pass it through the session's `env:` or a credentials file instead"
        expectFindings(
            header + """
                credentials:
                  c:
                    verify: { argv: [check, 1️⃣"${env:KEY}"] }
                sessions:
                  a: { run: 2️⃣"curl -H ${env:KEY} x", credentials: [c] }
                  b: { run: echo, cwd: 3️⃣"/srv/${env:KEY}" }
                """, env: ["KEY": "0123456789abcdef"],
            [
                Expected("1️⃣", ErrorCode.Manifest.secretInCommand, "credentials.c.verify.argv[1]: a secret (env:KEY) inside a command \(hint)"),
                Expected("2️⃣", ErrorCode.Manifest.secretInCommand, "sessions.a.run: a secret (env:KEY) inside a command \(hint)"),
                Expected("3️⃣", ErrorCode.Manifest.secretInCommand, "sessions.b.cwd: a secret (env:KEY) inside a command \(hint)"),
            ])
    }

    @Test("|plain values are allowed in commands and names")
    func plainInCommand() {
        let outcome = load(
            """
            version: 1
            name: ${env:JOB|plain}
            provider: local
            machine: {}
            sessions:
              a: { run: "git checkout ${env:BRANCH|plain}" }
            """, env: ["JOB": "nightly", "BRANCH": "main"])
        #expect(outcome.errors.isEmpty)
        #expect(outcome.manifest?.name == "nightly")
    }

    @Test("a secret where none is allowed")
    func secretNotAllowed() {
        expectFindings(
            """
            version: 1
            name: demo
            provider: local
            machine:
              metadata:
                team: 1️⃣${env:TEAM}
            """, env: ["TEAM": "infrastructure"],
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.secretNotAllowed,
                    "machine.metadata.team: this field cannot hold a secret (env:TEAM); values from env and files are secret unless marked `|plain`")
            ])
    }

    @Test("malformed references")
    func invalidInterpolation() {
        expectFindings(
            header + """
                sessions:
                  a: { run: echo, env: {X: 1️⃣"${vault:x}"} }
                  b: { run: echo, env: {X: 2️⃣"${env:X"} }
                  c: { run: echo, env: {X: 3️⃣"${env:1BAD}"} }
                  d: { run: echo, env: {X: 4️⃣"${env:X|plian}"} }
                """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.invalidInterpolation,
                    "sessions.a.env.X: unknown reference `${vault:…}`; use ${env:NAME}, ${file:PATH}, ${auth:LOGIN} or ${resource:NAME.OUTPUT} (write $${ for a literal ${)"),
                Expected("2️⃣", ErrorCode.Manifest.invalidInterpolation, "sessions.b.env.X: `${env:` has no closing `}`"),
                Expected(
                    "3️⃣", ErrorCode.Manifest.invalidInterpolation,
                    "sessions.c.env.X: `1BAD` is not an environment variable name (letters, digits and _, not starting with a digit)"),
                Expected(
                    "4️⃣", ErrorCode.Manifest.invalidInterpolation,
                    "sessions.d.env.X: unknown modifier `|plian` (only `|plain` exists); did you mean '|plain'?"),
            ])
    }

    @Test("short secrets get a warning, once per source")
    func shortSecret() {
        expectFindings(
            header + "sessions:\n  a: { run: echo, env: {X: 1️⃣\"${env:PIN}\", Y: \"${env:PIN}\"} }\n", env: ["PIN": "a1b2"],
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.shortSecret,
                    "sessions.a.env.X: the secret env:PIN is only 4 bytes; redacting it would mangle ordinary text",
                    severity: .warning)
            ])
        // An empty value is not "short": where it matters (an API key), its user reports it.
        expectFindings(header + "sessions:\n  a: { run: echo, env: {X: \"${env:EMPTY}\"} }\n", env: ["EMPTY": ""], [])
    }

    @Test("a secret runjob could not mask without corrupting its own output is refused; a default or |plain is not a secret")
    func unmaskableSecret() {
        let message =
            "the secret env:V has a value that runjob itself prints (a number, a Boolean, a status or field name, or a piece of one), "
            + "so masking it would corrupt runjob's output; use a longer value, or mark it `|plain` if it is not secret"
        for value in ["true", "false", "null", "1234", "-12.5e3", "12345678901234", "unchanged", "cancel", "running", "machine-info", "[redacted]"] {
            expectFindings(
                header + "sessions:\n  a: { run: echo, env: {X: 1️⃣\"${env:V}\", Y: \"${env:V}\"} }\n", env: ["V": value],
                [Expected("1️⃣", ErrorCode.Manifest.unmaskableSecret, "sessions.a.env.X: " + message)])
        }
        // Ordinary secrets, a `|plain` value, a default written in the manifest and short values are not refused.
        for value in ["s3cr3t-token-xyz", "Unchanged!", "hunter22"] {
            expectFindings(header + "sessions:\n  a: { run: echo, env: {X: \"${env:V}\"} }\n", env: ["V": value], [])
        }
        expectFindings(header + "sessions:\n  a: { run: echo, env: {X: \"${env:V|plain}\"} }\n", env: ["V": "true"], [])
        expectFindings(header + "sessions:\n  a: { run: echo, env: {X: \"${env:V:-true}\"} }\n", env: [:], [])
    }

    @Test("a default written in the manifest is not a secret: it is not masked; the variable's own value is")
    func defaultIsNotSecret() throws {
        let text = header + "sessions:\n  a: { run: echo, env: {X: \"${env:MODE:-fast-and-loose}\"} }\n"
        let unset = try #require(load(text, env: [:]).manifest)
        let fromDefault = try #require(unset.sessions.first?.env.first?.value.secrets.first)
        #expect(fromDefault.isSensitive == false)
        #expect(Redactor(secrets: [fromDefault]).redact("mode fast-and-loose") == "mode fast-and-loose")
        let set = try #require(load(text, env: ["MODE": "slow-and-careful"]).manifest)
        let fromEnv = try #require(set.sessions.first?.env.first?.value.secrets.first)
        #expect(fromEnv.isSensitive)
        #expect(Redactor(secrets: [fromEnv]).redact("mode slow-and-careful") == "mode [redacted]")
        // Both show as the source in plans and digests.
        #expect(fromDefault.description == "<secret env:MODE>" && fromEnv.description == "<secret env:MODE>")
    }

    @Test("a file over 10 MiB is refused")
    func fileTooLarge() {
        expectFindings(
            header + "sessions:\n  a: { run: echo, env: {X: 1️⃣\"${file:big}\"} }\n",
            files: ["/manifests/big": String(repeating: "x", count: (10 << 20) + 1)],
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.fileTooLarge,
                    "sessions.a.env.X: the file `big` is 10485761 bytes; `${file:…}` reads at most 10485760 bytes")
            ])
    }
}
