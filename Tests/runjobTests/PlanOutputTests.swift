import Executor
import Foundation
import TestSupport
import Testing

@Suite("plan, graph and schema output")
struct PlanOutputTests {
    let manifest = """
        version: 1
        name: digest-demo
        provider: { kind: morph, api_key: "${env:MORPH_API_KEY}" }
        machine: { snapshot: snapshot_abc12345 }
        credentials:
          c:
            files: [{ path: ~/.c/token, content: "${file:token.txt}" }]
        sessions:
          setup: { run: echo setup }
          work:
            run: echo work
            credentials: [c]
            env: { TOKEN: "${env:WORK_TOKEN}" }
            after: { setup: completed }
        """

    func planJSON(_ env: [String: String], folder: TemporaryDirectory) async throws -> CommandResult {
        try await runjob(["plan", "--output", "json", folder.file("job.yaml")], env: env)
    }

    @Test("plan --output json is byte-identical across processes")
    func deterministic() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write("job.yaml", manifest)
        try folder.write("token.txt", "file-token-0123456789")
        let env = ["MORPH_API_KEY": "morph-key-0123456789", "WORK_TOKEN": "work-token-0123456789"]
        let first = try await planJSON(env, folder: folder)
        let second = try await planJSON(env, folder: folder)
        #expect(first.status == 0, "\(first.err)")
        #expect(first.stdout == second.stdout)
        let document = try JSONValue.parse(first.stdout)
        #expect(document["format"] == .string("runjob.plan"))
        #expect(document["version"] == .int(1))
        let steps = document["steps"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
        #expect(steps == ["boot:main", "machine-info:main", "credentials:c@main", "start:setup", "wait:setup", "start:work"])
        #expect(document["secrets_digest"]?["partial"] == .bool(false))
    }

    @Test("a new secret value changes only the secrets digest; an unset one makes a partial plan")
    func secretsDigest() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write("job.yaml", manifest)
        try folder.write("token.txt", "file-token-0123456789")
        let base = ["MORPH_API_KEY": "morph-key-0123456789", "WORK_TOKEN": "work-token-0123456789"]
        let before = try JSONValue.parse(await planJSON(base, folder: folder).stdout)
        var changed = base
        changed["WORK_TOKEN"] = "work-token-ABCDEFGHIJ"
        let after = try JSONValue.parse(await planJSON(changed, folder: folder).stdout)
        #expect(before["secrets_digest"]?["prefix"] != after["secrets_digest"]?["prefix"])
        #expect(before["config_digest"] == after["config_digest"])
        #expect(strippingSecretsDigest(before) == strippingSecretsDigest(after))

        let unset = try await planJSON(["MORPH_API_KEY": "morph-key-0123456789"], folder: folder)
        #expect(unset.status == 0)
        let partial = try JSONValue.parse(unset.stdout)
        #expect(partial["secrets_digest"]?["partial"] == .bool(true))
        #expect(partial["secrets_digest"]?["unresolved"] == .array([.string("env:WORK_TOKEN")]))
        #expect(partial["config_digest"] == before["config_digest"])
        #expect(unset.out.contains("<secret env:WORK_TOKEN (unset)>"))
        let text = try await runjob(["plan", folder.file("job.yaml")], env: ["MORPH_API_KEY": "morph-key-0123456789"])
        #expect(text.out.contains("partial: not set here: env:WORK_TOKEN"))
    }

    func strippingSecretsDigest(_ value: JSONValue) -> JSONValue {
        guard case .object(let members) = value else { return value }
        return .object(members.filter { $0.key != "secrets_digest" })
    }

    @Test("text, markdown, dot and mermaid renderings")
    func renderings() async throws {
        let text = try await runjob(["plan", "examples/manifests/local.yaml"])
        #expect(text.out.contains("Will boot 1 machine:"))
        #expect(text.out.contains("Will start 2 sessions:"))
        #expect(text.out.contains("Order (6 steps in 5 waves):"))
        let markdown = try await runjob(["plan", "--output", "markdown", "examples/manifests/local.yaml"])
        #expect(markdown.out.hasPrefix("### runjob plan: `local-demo`"))
        #expect(markdown.out.contains("| `report` | `main` | command | setup (completed) |"))
        let dot = try await runjob(["graph", "examples/manifests/local.yaml"])
        #expect(dot.out.hasPrefix("digraph \"local-demo\" {"))
        #expect(dot.out.contains("\"wait:setup\" -> \"start:report\";"))
        let mermaid = try await runjob(["graph", "--format", "mermaid", "examples/manifests/local.yaml"])
        #expect(mermaid.out.hasPrefix("flowchart LR"))
        #expect(mermaid.out.contains("-->"))
    }

    @Test("plan writes no files and needs no network")
    func noSideEffects() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let result = try await runjob(["plan", "examples/manifests/local.yaml"], home: home)
        #expect(result.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.path).isEmpty)
    }

    @Test("schema is JSON Schema that accepts every example and rejects the invalid fixtures (ruamel.yaml + jsonschema)")
    func schemaWithRealValidator() async throws {
        let schema = try await runjob(["schema"])
        #expect(schema.status == 0)
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write("schema.json", schema.out)
        let invalidFolder = repo("Tests/runjobTests/Fixtures/schema-invalid")
        let invalid = try FileManager.default.contentsOfDirectory(atPath: invalidFolder).sorted().map { invalidFolder + "/" + $0 }
        let valid = try exampleManifests().map(repo) + [repo("Tests/runjobTests/Fixtures/valid/everything.yaml")]
        let check = try await CommandRunner.runDetached(
            "/usr/bin/env",
            ["python3", repo("Tests/Support/scripts/check_schema.py"), folder.file("schema.json"), "--valid"] + valid + ["--invalid"] + invalid,
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        #expect(check.status == 0, "\(check.out)\(check.err)")
        #expect(check.out.contains("\(valid.count) valid, \(invalid.count) invalid, 0 failures"))
    }
}
