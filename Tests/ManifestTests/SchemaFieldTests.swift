import Executor
import TestSupport
import Testing

@testable import Manifest

@Suite("Schema: keys, types and values")
struct SchemaFieldTests {
    @Test("unknown keys get the list of known keys and a did-you-mean")
    func unknownKey() {
        expectFindings(
            minimalHeader + """
                sessions:
                  setup:
                    run: echo hi
                    1️⃣cwdd: ~/x
                """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.unknownKey,
                    "sessions.setup.cwdd: unknown key `cwdd` (known keys: machine, cwd, env, credentials, after, run, prompt); did you mean 'cwd'?")
            ])
        expectFindings(
            """
            version: 1
            name: demo
            provider: local
            machine: {}
            1️⃣sesions: {}
            """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.unknownKey,
                    "sesions: unknown key `sesions` (known keys: version, name, description, provider, machine, machines, process_manager, credentials, sessions, auth, resources); did you mean 'sessions'?"
                )
            ])
    }

    @Test("missing required fields are reported at the mapping")
    func missingField() {
        expectFindings(
            """
            1️⃣name: demo
            provider: local
            machine: {}
            """,
            [Expected("1️⃣", ErrorCode.Manifest.missingField, "the required field `version` is missing (Manifest format version; must be 1)")])
        expectFindings(
            minimalHeader + """
                sessions:
                  setup:
                    2️⃣cwd: ~/x
                """,
            [
                Expected(
                    "2️⃣", ErrorCode.Manifest.missingField,
                    "sessions.setup: the required field `run` is missing (The command: a shell script, {shell: …} or {argv: […]})")
            ])
    }

    @Test("a manifest needs a machine")
    func missingMachine() {
        expectFindings(
            """
            1️⃣version: 1
            name: demo
            provider: local
            """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.missingField, "the manifest declares no machine; add `machine:` (one machine) or `machines:` (several)")
            ])
    }

    @Test("version must be 1")
    func unsupportedVersion() {
        expectFindings(
            """
            version: 1️⃣2
            name: demo
            provider: local
            machine: {}
            """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.unsupportedVersion,
                    "version: manifest version 2 is not supported; this runjob reads version 1")
            ])
    }

    @Test("wrong types say what was expected and what was found")
    func wrongTypes() {
        expectFindings(
            """
            version: 1️⃣"1"
            name: 2️⃣[demo]
            provider: local
            machines: 3️⃣[a, b]
            """,
            [
                Expected("1️⃣", ErrorCode.Manifest.wrongType, "version: expected a whole number, found quoted text; write 1 without quotes"),
                Expected("2️⃣", ErrorCode.Manifest.wrongType, "name: expected text, found a list"),
                Expected("3️⃣", ErrorCode.Manifest.wrongType, "machines: expected a mapping, found a list"),
            ])
    }

    @Test("Booleans are true/false only; yes/no get a did-you-mean")
    func booleans() {
        let header = """
            version: 1
            name: demo
            provider: local
            machine: {}
            sessions:
              review:
                agent: codex
                prompt: go

            """
        expectFindings(
            header + "    skip_git_repo_check: 1️⃣yes\n",
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.wrongType,
                    "sessions.review.skip_git_repo_check: `yes` is not a Boolean here; write true or false; did you mean 'true'?")
            ])
        expectFindings(
            header + "    skip_git_repo_check: 1️⃣off\n",
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.wrongType,
                    "sessions.review.skip_git_repo_check: `off` is not a Boolean here; write true or false; did you mean 'false'?")
            ])
        expectFindings(
            header + "    skip_git_repo_check: 1️⃣\"true\"\n",
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.wrongType,
                    "sessions.review.skip_git_repo_check: expected true or false, found quoted text; remove the quotes")
            ])
        let outcome = load(header + "    skip_git_repo_check: false\n")
        #expect(outcome.errors.isEmpty)
        guard case .agent(_, let options)? = outcome.manifest?.sessions.first?.program else {
            Issue.record("no agent session")
            return
        }
        #expect(options.boolean("skip_git_repo_check") == false)
    }

    @Test("yes/no in a text field is text, with a YAML 1.1 warning")
    func yaml11Warning() {
        expectFindings(
            minimalHeader + """
                sessions:
                  s:
                    run: echo
                    env:
                      COUNTRY: 1️⃣NO
                """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.yaml11Boolean,
                    "sessions.s.env.COUNTRY: `NO` is read as the text \"NO\", but YAML 1.1 tools read it as a Boolean; quote it to be unambiguous",
                    severity: .warning)
            ])
        let outcome = load(minimalHeader + "sessions:\n  s:\n    run: echo\n    env: {COUNTRY: NO}\n")
        #expect(outcome.manifest?.sessions.first?.env.first?.value.plainValue == "NO")
    }

    @Test("modes are octal whether quoted or not")
    func modes() throws {
        let outcome = load(
            minimalHeader + """
                credentials:
                  p:
                    dirs:
                      - { path: ~/a, mode: 0700 }
                      - { path: ~/b, mode: "0750" }
                      - { path: ~/c, mode: 0o755 }
                    files:
                      - { path: ~/a/f, content: x, mode: 600 }
                      - { path: ~/a/g, content: y }
                sessions:
                  s: { run: echo, credentials: [p] }
                """)
        #expect(outcome.errors.isEmpty)
        let profile = try #require(outcome.manifest?.credentials.first)
        #expect(profile.directories.map(\.mode?.rawValue) == [0o700, 0o750, 0o755])
        #expect(profile.files.map(\.mode.rawValue) == [0o600, 0o600])
        expectFindings(
            minimalHeader + """
                credentials:
                  p:
                    files:
                      - { path: ~/f, content: x, mode: 1️⃣0800 }
                      - { path: ~/g, content: x, mode: 2️⃣rw }
                sessions:
                  s: { run: echo, credentials: [p] }
                """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.invalidMode,
                    "credentials.p.files[0].mode: `0800` is not a file mode; write octal digits 0–7, at most 7777 (e.g. 0600 or \"0700\")"),
                Expected(
                    "2️⃣", ErrorCode.Manifest.invalidMode,
                    "credentials.p.files[1].mode: `rw` is not a file mode; write octal digits 0–7, at most 7777 (e.g. 0600 or \"0700\")"),
            ])
    }

    @Test("paths: absolute or ~; relative and ~user are errors")
    func paths() throws {
        let remote = "version: 1\nname: demo\nprovider: morph\nmachine: { snapshot: snapshot_x }\n"  // absolute paths: not on local
        let outcome = load(remote + "sessions:\n  a: { run: echo, cwd: ~ }\n  b: { run: echo, cwd: ~/app/ }\n  c: { run: echo, cwd: /srv }\n")
        #expect(outcome.errors.isEmpty)
        #expect(outcome.manifest?.sessions.map(\.cwd) == [.home(""), .home("app"), .absolute("/srv")])
        expectFindings(
            minimalHeader + """
                sessions:
                  a: { run: echo, cwd: 1️⃣app }
                  b: { run: echo, cwd: 2️⃣~bob/x }
                  c: { run: echo, cwd: 3️⃣"" }
                """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.relativePath,
                    "sessions.a.cwd: `app` is relative; paths on the instance are absolute or start with `~` (the instance home), e.g. `~/app`"),
                Expected(
                    "2️⃣", ErrorCode.Manifest.invalidPath,
                    "sessions.b.cwd: `~bob/x` is not a usable path: `~user` paths are not supported; use `~` (the instance home) or an absolute path"),
                Expected("3️⃣", ErrorCode.Manifest.invalidPath, "sessions.c.cwd: `` is not a usable path: the path is empty"),
            ])
        expectFindings(
            """
            version: 1
            name: demo
            provider: morph
            machine:
              snapshot: snapshot_x
              home: 1️⃣~/x
            """,
            [Expected("1️⃣", ErrorCode.Manifest.invalidPath, "machine.home: `home` must be an absolute path (it defines what `~` means)")])
    }

    @Test("names follow the pattern")
    func names() {
        expectFindings(
            """
            version: 1
            name: 1️⃣Demo
            provider: local
            machines:
              2️⃣Main: {}
            """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.invalidName,
                    "name: `Demo` is not a valid name: names start with a lowercase letter and use only a–z, 0–9, _ and - (at most 63 characters)"),
                Expected(
                    "2️⃣", ErrorCode.Manifest.invalidName,
                    "machines.Main: `Main` is not a valid name: names start with a lowercase letter and use only a–z, 0–9, _ and - (at most 63 characters)"
                ),
            ])
        expectFindings(
            """
            version: 1
            name: demo
            provider: local
            machine:
              metadata:
                1️⃣runjob.name: x
            """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.invalidName,
                    "machine.metadata.\"runjob.name\": labels starting with `runjob.` are reserved for runjob's own identity labels")
            ])
    }

    @Test("environment variable names")
    func envNames() {
        expectFindings(
            minimalHeader + "sessions:\n  s:\n    run: echo\n    env:\n      1️⃣9LIVES: x\n",
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.invalidEnvName,
                    "sessions.s.env.9LIVES: `9LIVES` is not a valid environment variable name (letters, digits and _, not starting with a digit)")
            ])
    }

    @Test("choices, integers in range, durations")
    func values() throws {
        expectFindings(
            """
            version: 1
            name: demo
            provider:
              kind: morph
              poll_interval: 1️⃣soon
            machine:
              snapshot: snapshot_x
              ttl: { seconds: 2️⃣0, action: 3️⃣stopp }
            """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.invalidValue,
                    "provider.poll_interval: `soon` is not a duration; write seconds (90) or units (500ms, 30s, 5m, 2h, 1h30m)"),
                Expected("2️⃣", ErrorCode.Manifest.invalidValue, "machine.ttl.seconds: 0 is too small (minimum 1)"),
                Expected("3️⃣", ErrorCode.Manifest.invalidValue, "machine.ttl.action: `stopp` is not one of: stop, pause; did you mean 'stop'?"),
            ])
        let outcome = load(
            """
            version: 1
            name: demo
            provider: { kind: morph, poll_interval: 500ms, boot_timeout: 1h30m, request_timeout: 45 }
            machine: { snapshot: snapshot_x }
            """)
        #expect(outcome.errors.isEmpty)
        let options = try #require(outcome.manifest?.provider.options)
        #expect(options.durationMilliseconds("poll_interval") == 500)
        #expect(options.durationMilliseconds("boot_timeout") == 5_400_000)
        #expect(options.durationMilliseconds("request_timeout") == 45_000)
    }

    @Test("conflicting fields")
    func conflicts() {
        expectFindings(
            """
            version: 1
            name: demo
            provider: local
            machine: {}
            machines: 1️⃣{a: {}}
            """,
            [Expected("1️⃣", ErrorCode.Manifest.conflictingFields, "machines: use either `machine:` (one machine) or `machines:` (several), not both")])
        expectFindings(
            minimalHeader + "sessions:\n  s:\n    run: echo\n    agent: 1️⃣claude\n    prompt: x\n",
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.conflictingFields,
                    "sessions.s.agent: a session either runs a command (`run:`) or an agent (`agent:`), not both")
            ])
        expectFindings(
            minimalHeader + "sessions:\n  s:\n    run: 1️⃣{shell: a, argv: [b]}\n",
            [Expected("1️⃣", ErrorCode.Manifest.conflictingFields, "sessions.s.run: a command has either `shell` or `argv`, not both")])
    }

    @Test("unknown adapter kinds get a did-you-mean")
    func unknownKind() {
        expectFindings(
            """
            version: 1
            name: demo
            provider: 1️⃣morf
            machine: {}
            process_manager: { kind: 2️⃣pm3 }
            sessions:
              s: { agent: 3️⃣claud, prompt: x }
            """,
            [
                Expected("1️⃣", ErrorCode.Manifest.unknownKind, "provider: unknown kind `morf` (known: local, morph); did you mean 'morph'?"),
                Expected("2️⃣", ErrorCode.Manifest.unknownKind, "process_manager.kind: unknown kind `pm3` (known: shell, pm2); did you mean 'pm2'?"),
                Expected(
                    "3️⃣", ErrorCode.Manifest.unknownKind,
                    "sessions.s.agent: unknown agent `claud` (known: claude, codex, command); did you mean 'claude'?"),
            ])
    }

    @Test("adapter options are validated by the adapter's schema")
    func adapterOptions() {
        expectFindings(
            """
            version: 1
            name: demo
            provider: morph
            machine:
              1️⃣2️⃣snapshots: snapshot_x
            """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.missingField, "machine: the required field `snapshot` is missing (Snapshot to start from (snapshot_…))"),
                Expected(
                    "2️⃣", ErrorCode.Manifest.unknownKey,
                    "machine.snapshots: unknown key `snapshots` (known keys: home, metadata, info, snapshot, ttl); did you mean 'snapshot'?"),
            ])
        expectFindings(
            """
            version: 1
            name: demo
            provider: local
            machine:
              1️⃣snapshot: snapshot_x
            """,
            [Expected("1️⃣", ErrorCode.Manifest.unknownKey, "machine.snapshot: unknown key `snapshot` (known keys: home, metadata, info)")])
    }

    @Test("prompts larger than the agent accepts")
    func promptTooLarge() {
        let big = String(repeating: "x", count: 10_000_001)
        let text = MarkedText(minimalHeader + "sessions:\n  s:\n    agent: claude\n    prompt: 1️⃣\"PROMPT\"\n")
        let outcome = load(text.text.replacing("PROMPT", with: big))
        #expect(outcome.codes == [ErrorCode.Manifest.promptTooLarge])
        #expect(outcome.errors.first?.message == "the prompt is 10000001 bytes; `claude` accepts at most 10000000 bytes on stdin")
        #expect(outcome.errors.first.map { ($0.location.line, $0.location.column) } ?? (0, 0) == text.position("1️⃣"))
    }

    @Test("every error of a file is reported, not only the first")
    func reportsAll() {
        let outcome = load(
            """
            version: 1
            name: Demo
            provider: lokal
            machine: {}
            sessions:
              a: { run: echo, after: {zz: started} }
              b: { agent: claude }
            """)
        #expect(
            Set(outcome.errors.map(\.code)) == [
                ErrorCode.Manifest.invalidName, ErrorCode.Manifest.unknownKind, ErrorCode.Manifest.unknownReference, ErrorCode.Manifest.missingField,
            ])
    }
}
