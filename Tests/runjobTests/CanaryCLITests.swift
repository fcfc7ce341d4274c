import Executor
import Foundation
import TestSupport
import Testing

@Suite("Secrets never leak from validate, plan, graph or schema")
struct CanaryCLITests {
    @Test("canaries planted through env and files appear in no output, in any form")
    func canaries() async throws {
        let envCanary = Canary(tag: "env")
        let fileCanary = Canary(tag: "file")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write("secret.txt", fileCanary.value)
        let good = try folder.write(
            "job.yaml",
            """
            version: 1
            name: canary
            provider: { kind: morph, api_key: "${env:CANARY}" }
            machine: { snapshot: snapshot_abc12345 }
            credentials:
              c:
                files:
                  - { path: ~/a, content: "${file:secret.txt}" }
                  - { path: ~/b, content: "prefix ${env:CANARY} suffix" }
                env: { FROM_FILE: "${file:secret.txt}" }
            sessions:
              s:
                run: echo hi
                credentials: [c]
                env: { A: "${env:CANARY}", B: "x${file:secret.txt}y" }
              t:
                agent: claude
                prompt: "${env:CANARY}"
            """)
        // Invalid manifests whose errors involve the secrets.
        let bad = try folder.write(
            "bad.yaml",
            """
            version: 1
            name: canary
            provider: local
            machine: { metadata: { team: "${env:CANARY}" }, info: { k: "${file:secret.txt}" } }
            sessions:
              s: { run: "echo ${env:CANARY}", cwd: "/x/${file:secret.txt}" }
              u: { run: { argv: [echo, "${env:CANARY}"] } }
            """)
        let env = ["CANARY": envCanary.value]
        var outputs: [(String, CommandResult)] = []
        for format in ["text", "json", "github"] {
            outputs.append(("validate \(format)", try await runjob(["validate", "--format", format, good, bad], env: env)))
            outputs.append(("validate strict \(format)", try await runjob(["validate", "--strict", "--format", format, good, bad], env: env)))
        }
        for output in ["text", "json", "markdown"] {
            outputs.append(("plan \(output)", try await runjob(["plan", "--output", output, good], env: env)))
            outputs.append(("plan bad \(output)", try await runjob(["plan", "--output", output, bad], env: env)))
        }
        for format in ["dot", "mermaid"] {
            outputs.append(("graph \(format)", try await runjob(["graph", "--format", format, good], env: env)))
        }
        outputs.append(("schema", try await runjob(["schema"], env: env)))
        var sawSecretPlaceholder = false
        for (name, result) in outputs {
            for canary in [envCanary, fileCanary] {
                #expect(canary.leaks(in: result.stdout).isEmpty, "\(name) stdout leaks \(canary.leaks(in: result.stdout))")
                #expect(canary.leaks(in: result.stderr).isEmpty, "\(name) stderr leaks \(canary.leaks(in: result.stderr))")
            }
            if result.out.contains("<secret env:CANARY>") { sawSecretPlaceholder = true }
        }
        #expect(sawSecretPlaceholder)
        // The invalid manifest was rejected for the secrets it misuses.
        let rejected = try await runjob(["validate", bad], env: env)
        #expect(rejected.status == 2)
        #expect(rejected.err.contains("manifest.secret_in_command"))
        #expect(rejected.err.contains("manifest.secret_not_allowed"))
    }
}
