import Executor
import Foundation
import TestSupport
import Testing

@Suite("CLI basics: help, version, exit codes, streams")
struct CLIBasicsTests {
    @Test("--version and --help exit 0 on stdout")
    func versionAndHelp() async throws {
        let version = try await runjob(["--version"])
        #expect(version.status == 0)
        #expect(version.out.hasPrefix("runjob "))
        let help = try await runjob(["--help"])
        #expect(help.status == 0)
        #expect(help.out.contains("Examples:"))
        #expect(help.out.contains("validate"))
        let planHelp = try await runjob(["plan", "--help"])
        #expect(planHelp.out.contains("--output"))
    }

    @Test("usage errors exit 2 (argument-parser's 64 is mapped) with the message on stderr")
    func usageErrors() async throws {
        let unknown = try await runjob(["validate", "--bogus", "x.yaml"])
        #expect(unknown.status == 2)
        #expect(unknown.err.contains("--bogus"))
        #expect(unknown.stdout.isEmpty)
        let missing = try await runjob(["plan"])
        #expect(missing.status == 2)
        let badFormat = try await runjob(["graph", "--format", "png", "examples/manifests/local.yaml"])
        #expect(badFormat.status == 2)
        let noCommand = try await runjob(["frobnicate"])
        #expect(noCommand.status == 2)
    }

    @Test("every example validates, and its plan works")
    func examples() async throws {
        let files = try exampleManifests()
        #expect(files.count >= 2)
        let result = try await runjob(["validate"] + files)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.stdout.isEmpty)
        for file in files {
            let plan = try await runjob(["plan", file])
            #expect(plan.status == 0, "\(file): \(plan.err)")
            #expect(plan.out.contains("Plan: "))
        }
    }

    @Test("validation errors: FILE:LINE:COL: error[CODE]: path: message on stderr, exit 2")
    func validationErrors() async throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let file = try scratch.write(
            "bad.yaml",
            """
            version: 1
            name: demo
            provider: local
            machine: {}
            sessions:
              review:
                run: echo
                after: {stup: completed}
              setup: { run: echo }
            """)
        let result = try await runjob(["validate", file])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(
            result.err.contains(
                "\(file):8:13: error[manifest.unknown_reference]: sessions.review.after.stup: no session named `stup` to wait for (sessions: review, setup); did you mean 'setup'?"
            ))
    }

    @Test("--format json and github write the report to stdout")
    func formats() async throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let file = try scratch.write("bad.yaml", "version: 1\nname: Demo\nprovider: local\nmachine: {}\n")
        let json = try await runjob(["validate", "--format", "json", file])
        #expect(json.status == 2)
        let document = try JSONValue.parse(json.stdout)
        #expect(document["errors"] == .int(1))
        let first = document["diagnostics"]?.arrayValue?.first
        #expect(first?["code"] == .string("manifest.invalid_name"))
        #expect(first?["line"] == .int(2))
        #expect(first?["column"] == .int(7))
        #expect(first?["path"] == .string("name"))
        let github = try await runjob(["validate", "--format", "github", file])
        #expect(github.status == 2)
        #expect(github.out.hasPrefix("::error file=\(file),line=2,col=7,title=manifest.invalid_name::name: `Demo` is not a valid name"))
    }

    @Test("warnings are printed but exit 0")
    func warnings() async throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let file = try scratch.write("warn.yaml", "version: 1\nname: demo\nprovider: local\nmachine: {}\ncredentials:\n  spare: {}\n")
        let result = try await runjob(["validate", file])
        #expect(result.status == 0)
        #expect(result.err.contains("warning[manifest.unused_credentials]"))
    }

    @Test("stdin as - and a missing file")
    func stdinAndMissing() async throws {
        let fromStdin = try await runjob(["validate", "-"], stdin: "version: 1\nname: demo\nprovider: local\nmachine: {}\n")
        #expect(fromStdin.status == 0)
        #expect(fromStdin.err.contains("<stdin>: valid"))
        let broken = try await runjob(["plan", "-"], stdin: "version: 1\nname: [\n")
        #expect(broken.status == 2)
        #expect(broken.err.hasPrefix("<stdin>:"))
        let missing = try await runjob(["validate", "/nonexistent/job.yaml"])
        #expect(missing.status == 2)
        #expect(missing.err.contains("/nonexistent/job.yaml:1:1: error[manifest.file_unreadable]: cannot read the manifest: no such file"))
    }

    @Test("no colour when output is not a terminal or NO_COLOR is set")
    func noColor() async throws {
        let result = try await runjob(["validate", "-"], env: ["NO_COLOR": "1", "TERM": "xterm-256color"], stdin: "version: 2\n")
        #expect(!result.err.contains("\u{1B}["))
        let plan = try await runjob(["plan", "examples/manifests/local.yaml"], env: ["TERM": "xterm-256color"])
        #expect(!plan.out.contains("\u{1B}["))
    }

    @Test("the rich valid fixture validates and plans")
    func everything() async throws {
        let result = try await runjob(["validate", repo("Tests/runjobTests/Fixtures/valid/everything.yaml")])
        #expect(result.status == 0, "\(result.err)")
    }

    @Test("every schema-invalid fixture is also rejected by the validator")
    func invalidFixtures() async throws {
        let folder = repo("Tests/runjobTests/Fixtures/schema-invalid")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
            let result = try await runjob(["validate", folder + "/" + name])
            #expect(result.status == 2, "\(name) should be invalid")
            #expect(result.err.contains("error[manifest."), "\(name)")
        }
    }
}
