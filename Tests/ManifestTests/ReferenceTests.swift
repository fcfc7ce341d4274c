import Executor
import TestSupport
import Testing

@testable import Manifest

@Suite("References between blocks")
struct ReferenceTests {
    @Test("dangling references get a did-you-mean")
    func dangling() {
        expectFindings(
            """
            version: 1
            name: demo
            provider: local
            machines:
              main: {}
            credentials:
              4️⃣claude: {}
            sessions:
              setup: { run: echo, machine: main }
              review:
                run: echo
                machine: 1️⃣mian
                credentials: [2️⃣cluade]
                after: {3️⃣stup: completed}
            """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.unknownReference,
                    "sessions.review.machine: no machine named `mian` (machines: main); did you mean 'main'?"),
                Expected(
                    "2️⃣", ErrorCode.Manifest.unknownReference,
                    "sessions.review.credentials[0]: no credential profile named `cluade` (profiles: claude); did you mean 'claude'?"),
                Expected(
                    "3️⃣", ErrorCode.Manifest.unknownReference,
                    "sessions.review.after.stup: no session named `stup` to wait for (sessions: setup, review); did you mean 'setup'?"),
                Expected(
                    "4️⃣", ErrorCode.Manifest.unusedCredentials,
                    "credentials.claude: no session uses the credential profile `claude`, so it will not be installed",
                    severity: .warning),
            ])
    }

    @Test("several machines need an explicit machine per session")
    func ambiguousMachine() {
        expectFindings(
            """
            version: 1
            name: demo
            provider: local
            machines: {a: {}, b: {}}
            sessions:
              1️⃣s: { run: echo }
              t: { run: echo, machine: a }
              u: { run: echo, machine: b }
            """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.ambiguousMachine,
                    "sessions.s: there are 2 machines (a, b); say which one this session runs on with `machine:`")
            ])
    }

    @Test("cycles name every member with its location")
    func cycles() throws {
        let text = MarkedText(
            minimalHeader + """
                sessions:
                  a: { run: echo, after: {1️⃣b: completed} }
                  b: { run: echo, after: {2️⃣c: started} }
                  c: { run: echo, after: {3️⃣a: completed} }
                  d: { run: echo, after: {4️⃣d: started} }
                """)
        let outcome = load(text.text)
        let cycles = outcome.errors.filter { $0.code == ErrorCode.Manifest.dependencyCycle }
        #expect(cycles.count == 2)
        let abc = try #require(cycles.first { $0.message.contains("a → b") })
        #expect(abc.fullMessage == "sessions.a.after.b: sessions wait for each other in a cycle: a → b → c → a; remove one of these `after` entries")
        #expect((abc.location.line, abc.location.column) == text.position("1️⃣"))
        #expect(
            abc.notes.map { "\($0.location.line):\($0.location.column) \($0.message)" } == [
                "\(text.position("1️⃣").line):\(text.position("1️⃣").column) `a` waits for `b` here",
                "\(text.position("2️⃣").line):\(text.position("2️⃣").column) `b` waits for `c` here",
                "\(text.position("3️⃣").line):\(text.position("3️⃣").column) `c` waits for `a` here",
            ])
        let selfLoop = try #require(cycles.first { $0.message.contains("itself") })
        #expect(selfLoop.fullMessage == "sessions.d.after.d: session `d` waits for itself; remove one of these `after` entries")
        #expect((selfLoop.location.line, selfLoop.location.column) == text.position("4️⃣"))
    }

    @Test("process names must not collide")
    func nameCollision() {
        expectFindings(
            minimalHeader + """
                sessions:
                  a-b: { run: echo }
                  1️⃣a_b: { run: echo }
                """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.nameCollision,
                    "sessions.a_b: sessions `a-b` and `a_b` would share the process name `a-b` (`_` becomes `-`); rename one")
            ])
    }

    @Test("an agent's prefix counts: a run session named cc-review collides with claude session review")
    func prefixCollision() {
        expectFindings(
            minimalHeader + """
                sessions:
                  review: { agent: claude, prompt: hi }
                  1️⃣cc-review: { run: echo }
                """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.nameCollision,
                    "sessions.cc-review: sessions `review` and `cc-review` would share the process name `cc-review` (an agent session's process name is its prefix and its name); rename one"
                )
            ])
    }

    @Test("unused profiles and machines are warnings")
    func unused() {
        expectFindings(
            """
            version: 1
            name: demo
            provider: local
            machines:
              a: {}
              1️⃣b: {}
            credentials:
              2️⃣spare: {}
            sessions:
              s: { run: echo, machine: a }
            """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.unusedMachine, "machines.b: no session runs on the machine `b`; it will be booted and prepared anyway",
                    severity: .warning),
                Expected(
                    "2️⃣", ErrorCode.Manifest.unusedCredentials,
                    "credentials.spare: no session uses the credential profile `spare`, so it will not be installed",
                    severity: .warning),
            ])
    }

    @Test("a valid manifest types every part")
    func typed() throws {
        let outcome = load(
            """
            version: 1
            name: demo
            provider: local
            machine: { info: {owner: me, port: 8080, ratio: 0.5, on: true, none: ~} }
            credentials:
              c:
                dirs: [{ path: ~/.c, mode: "0700" }]
                files: [{ path: ~/.c/f, content: "${env:C}" }]
                env: { TOKEN: "${env:C}" }
                verify: { argv: [test, -s, ~/.c/f] }
            sessions:
              setup: { run: { argv: [git, clone, x] } }
              review:
                agent: claude
                model: sonnet
                prompt: Review it.
                cwd: ~/x
                credentials: [c]
                after: { setup: completed }
            """, env: ["C": "0123456789abcdef"])
        #expect(outcome.errors.isEmpty)
        let manifest = try #require(outcome.manifest)
        #expect(manifest.machines.map(\.name) == ["main"])
        #expect(
            manifest.machines[0].info
                == .object(["owner": .string("me"), "port": .int(8080), "ratio": .double(0.5), "on": .bool(true), "none": .null]))
        #expect(manifest.credentials[0].verify == .argv(["test", "-s", "~/.c/f"]))
        #expect(manifest.sessions[0].program == .run(.argv(["git", "clone", "x"])))
        #expect(manifest.sessions[1].after == [SessionDependency(session: "setup", condition: .completed)])
        #expect(manifest.sessions[1].agentKind == "claude")
        guard case .agent(_, let options) = manifest.sessions[1].program else { return }
        #expect(options.plainText("model") == "sonnet")
        #expect(options["prompt"] == nil)
    }
}
