import Executor
import Planner
import Testing

@testable import Manifest

/// A manifest with one Instant resource and the given session and credential blocks.
private func resourceManifest(resource: String = "kind: instant", session: String, credentials: String = "", extra: String = "") -> String {
    """
    version: 1
    name: res-test
    provider: local
    machine: {}
    resources:
      db: { \(resource) }
    \(extra)
    \(credentials)
    sessions:
      work: \(session)
    """
}

@Suite("resources: entries and ${resource:NAME.OUTPUT}")
struct ResourceReferenceTests {
    @Test("outputs in env and prompt are run-time parts: the plan shows <output …>, secret ones are not plain, no value is missing")
    func outputsInEnvAndPrompt() throws {
        let outcome = load(
            resourceManifest(
                session: #"{ run: "true", env: { ID: "${resource:db.app_id}", TOKEN: "x-${resource:db.admin_token}" } }"#))
        let manifest = try #require(outcome.manifest, "\(outcome.diagnostics)")
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
        #expect(manifest.resources == [ResourceSpec(name: "db", kind: "instant")])
        let env = try #require(manifest.sessions.first?.env)
        #expect(env[0].value.outputs == [OutputReference(resource: "db", output: "app_id", isSecret: false)])
        #expect(env[1].value.outputs == [OutputReference(resource: "db", output: "admin_token", isSecret: true)])
        #expect(env[1].value.description == "x-<output resource:db.admin_token>")
        #expect(manifest.unresolvedSources.isEmpty, "outputs are known at run time: the plan is not partial")
        let plan = Planner().plan(manifest)
        #expect(plan.step(.start("work"))?.dependsOn.contains(.resource("db")) == true)
        #expect(plan.step(.boot("main"))?.dependsOn == [.resource("db")])
        let json = String(decoding: PlanJSONRenderer().render(plan), as: UTF8.self)
        #expect(json.contains("\"TOKEN\": \"x-<output resource:db.admin_token>\""))
        // Bound at run time: the secret output becomes a secret, the other one text.
        let values = ResourceValues(kind: "instant", id: "app-1", outputs: ["app_id": "app-1", "admin_token": "tok-0123456789abcdef"], secret: ["admin_token"])
        let bound = try #require(manifest.sessions.first).bound(to: ResourceOutputs(["db": values]))
        #expect(bound.env[0].value.plainValue == "app-1")
        #expect(bound.env[1].value.secrets.map(\.source) == [.runtime("resource:db.admin_token")])
        #expect(bound.env[1].value.reveal() == "x-tok-0123456789abcdef")
        #expect(bound.env[1].value.description == "x-<secret runtime:resource:db.admin_token>")
        // Without the resource (an optional one that failed), its variables are left out.
        #expect(try #require(manifest.sessions.first).bound(to: ResourceOutputs()).env.isEmpty)
    }

    @Test("unknown resources and outputs are errors at file:line:col with did-you-mean; |plain is refused")
    func unknownReferences() {
        let unknown = load(resourceManifest(session: #"{ run: "true", env: { A: "${resource:dv.app_id}" } }"#))
        let error = unknown.errors.first
        #expect(error?.code == ErrorCode.Manifest.unknownReference)
        #expect(error?.location.line == 10, "the line of the reference")
        #expect(error?.suggestion == "${resource:db.app_id}")
        let output = load(resourceManifest(session: #"{ run: "true", env: { A: "${resource:db.admin_tokn}" } }"#))
        #expect(output.errors.first?.code == ErrorCode.Manifest.unknownReference)
        #expect(output.errors.first?.suggestion == "${resource:db.admin_token}")
        #expect(output.errors.first?.message.contains("${resource:db.app_id}") == true, "lists the outputs")
        let bare = load(resourceManifest(session: #"{ run: "true", env: { A: "${resource:db}" } }"#))
        #expect(bare.errors.first?.code == ErrorCode.Manifest.unknownReference)
        let plain = load(resourceManifest(session: #"{ run: "true", env: { A: "${resource:db.app_id|plain}" } }"#))
        #expect(plain.errors.first?.code == ErrorCode.Manifest.invalidInterpolation)
        let kind = load(resourceManifest(resource: "kind: postgress", session: #"{ run: "true", env: { A: "${resource:db.url}" } }"#))
        #expect(kind.codes == [ErrorCode.Manifest.unknownKind], "one error, at the kind: \(kind.diagnostics)")
    }

    @Test("outputs are refused in commands, argv, cwd, options and profile env; allowed in credential file content")
    func placement() {
        let cases: [(String, String, String)] = [
            (#"{ run: "echo ${resource:db.app_id}" }"#, "", "command"),
            (#"{ run: { argv: [echo, "${resource:db.app_id}"] } }"#, "", "argv"),
            (#"{ run: "true", cwd: "~/${resource:db.app_id}" }"#, "", "cwd"),
            (#"{ run: "true", credentials: [c] }"#, #"credentials: { c: { files: [], env: { A: "${resource:db.admin_token}" } } }"#, "profile env"),
            (#"{ agent: claude, prompt: hi, model: "${resource:db.app_id}" }"#, "", "agent option"),
        ]
        for (session, credentials, name) in cases {
            let outcome = load(resourceManifest(session: session, credentials: credentials))
            #expect(outcome.codes.contains(ErrorCode.Manifest.outputNotAllowed), "\(name): \(outcome.diagnostics)")
        }
        let inFile = load(
            resourceManifest(
                session: #"{ run: "true", credentials: [c] }"#,
                credentials: #"credentials: { c: { files: [{ path: ~/.db, content: "${resource:db.admin_token}" }] } }"#))
        #expect(inFile.errors.isEmpty, "\(inFile.diagnostics)")
        guard let manifest = inFile.manifest else { return }
        let plan = Planner().plan(manifest)
        #expect(plan.step(.credentials("c", on: "main"))?.dependsOn.contains(.resource("db")) == true)
    }

    @Test("an optional resource in a credential file is an error; a resource nothing uses is a warning")
    func optionalAndUnused() {
        let optional = load(
            resourceManifest(
                resource: "kind: instant, optional: true", session: #"{ run: "true", credentials: [c] }"#,
                credentials: #"credentials: { c: { files: [{ path: ~/.db, content: "${resource:db.admin_token}" }] } }"#))
        #expect(optional.errors.map(\.code) == [ErrorCode.Manifest.optionalResourceInFile])
        #expect(optional.errors.first?.location.line == 8, "the line of the credential file")
        let inPrompt = load(resourceManifest(resource: "kind: instant, optional: true", session: #"{ agent: claude, prompt: "app ${resource:db.app_id}" }"#))
        #expect(inPrompt.errors.map(\.code) == [ErrorCode.Manifest.optionalResourceInPrompt])
        let inEnv = load(resourceManifest(resource: "kind: instant, optional: true", session: #"{ run: "true", env: { A: "${resource:db.app_id}" } }"#))
        #expect(inEnv.errors.isEmpty, "a variable can be left unset")
        let unused = load(resourceManifest(session: #"{ run: "true" }"#))
        #expect(unused.errors.isEmpty)
        #expect(unused.warnings.map(\.code) == [ErrorCode.Manifest.unusedResource])
        if let manifest = unused.manifest {
            #expect(!Planner().plan(manifest).steps.contains { $0.kind == .resource }, "nothing would record it: no step")
        }
    }

    @Test("the config digest covers the resource config; manifests without resources keep their digests; the secrets digest has the token")
    func digests() throws {
        let session = #"{ run: "true", env: { A: "${resource:db.app_id}" } }"#
        let base = Planner().plan(try #require(load(resourceManifest(session: session)).manifest))
        let titled = Planner().plan(try #require(load(resourceManifest(resource: "kind: instant, title: other", session: session)).manifest))
        #expect(base.configDigest != titled.configDigest)
        let permanent = resourceManifest(resource: "kind: instant, ephemeral: false, token: \"${env:TOK}\"", session: session)
        let one = Planner().plan(try #require(load(permanent, env: ["TOK": "per_token_one_0123456789"]).manifest))
        let two = Planner().plan(try #require(load(permanent, env: ["TOK": "per_token_two_0123456789"]).manifest))
        #expect(one.configDigest == two.configDigest)
        #expect(one.secrets.scopes["resource:db"] != two.secrets.scopes["resource:db"])
        #expect(one.allSecrets.contains { $0.reveal() == "per_token_one_0123456789" })
        #expect(ConfigDocument.of(one)["resources"] != nil)
        let plain = Planner().plan(try #require(load("version: 1\nname: res-test\nprovider: local\nmachine: {}\nsessions: { work: { run: \"true\" } }\n").manifest))
        #expect(ConfigDocument.of(plain)["resources"] == nil, "no resources: the document (and digest) as before")
        #expect(SHA256Hex.digest(ConfigDocument.of(plain).canonicalBytes()) == plain.configDigest)
        #expect(SHA256Hex.digest(ConfigDocument.of(one).canonicalBytes()) == one.configDigest)
    }

    @Test("runjob schema covers resources: kinds, common fields, options and outputs")
    func schema() {
        let json = JSONSchemaGenerator(schema: ManifestSchema(registry: testRegistry)).document().compactText
        #expect(json.contains("\"resources\""))
        #expect(json.contains("An Instant Platform app"))
        #expect(json.contains("`admin_token` (secret)"))
        #expect(json.contains("\"ephemeral\""))
        #expect(json.contains("\"optional\""))
    }
}
