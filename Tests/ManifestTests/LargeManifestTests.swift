import Executor
import Testing

@testable import Manifest

/// Manifests with enough sessions to be read on two threads
/// (``ManifestBuilder/parallelSessionThreshold``): every finding of both halves is
/// reported, at its place.
@Suite("Large manifests (two threads)")
struct LargeManifestTests {
    static let sessionCount = 2200

    /// A manifest with one session per line, and the 1-based line of session `index`.
    struct Generated {
        var text: String
        var firstSessionLine: Int

        func line(ofSession index: Int) -> Int { firstSessionLine + index }
    }

    /// Sessions `s00000`… with the given bodies replacing the plain one.
    static func generate(names: [Int: String] = [:], bodies: [Int: String] = [:]) -> Generated {
        var lines = [
            "version: 1", "name: big", "provider: local", "machines: { m0: {}, m1: {} }", "credentials:",
            "  p0: { files: [{ path: ~/p0, content: alpha }] }", "  p1: { files: [{ path: ~/p1, content: beta }] }",
            "  unused: { files: [{ path: ~/u, content: gamma }] }", "sessions:",
        ]
        let first = lines.count + 1
        for index in 0..<sessionCount {
            let name = names[index] ?? String(format: "s%05d", index)
            let body = bodies[index] ?? "{ run: echo \(index), machine: m\(index % 2), credentials: [p\(index % 2)] }"
            lines.append("  \(name): \(body)")
        }
        return Generated(text: lines.joined(separator: "\n") + "\n", firstSessionLine: first)
    }

    @Test("findings in both halves are all reported, each at its own line")
    func findingsInBothHalves() {
        #expect(Self.sessionCount >= ManifestBuilder.parallelSessionThreshold)
        let generated = Self.generate(
            names: [100: "x_1", 2120: "x-1"],
            bodies: [
                3: "{ run: echo, machine: nope }",
                7: "{ run: echo, machine: m0, bogus: 1 }",
                10: "{ run: echo, machine: m0, after: { s02100: completed } }",
                1500: "{ run: echo, machine: m1, after: { ghost: completed } }",
                2100: "{ run: echo, machine: m0, after: { s00010: completed } }",
                2150: "{ run: echo, machine: m1, credentials: [p9] }",
                2199: "{ run: echo, machine: m1, bogus: 2 }",
            ])
        let outcome = load(generated.text)
        #expect(outcome.manifest == nil)
        let found = outcome.diagnostics.map { "\($0.code) \($0.location.line)" }
        let line = generated.line(ofSession:)
        let expected = [
            "\(ErrorCode.Manifest.unknownReference) \(line(3))",
            "\(ErrorCode.Manifest.unknownKey) \(line(7))",
            "\(ErrorCode.Manifest.dependencyCycle) \(line(10))",
            "\(ErrorCode.Manifest.unknownReference) \(line(1500))",
            "\(ErrorCode.Manifest.nameCollision) \(line(2120))",
            "\(ErrorCode.Manifest.unknownReference) \(line(2150))",
            "\(ErrorCode.Manifest.unknownKey) \(line(2199))",
            // Warnings come with the errors: the unused profile (line 8).
            "\(ErrorCode.Manifest.unusedCredentials) 8",
        ]
        #expect(found.sorted() == expected.sorted())
        let cycle = outcome.diagnostics.first { $0.code == ErrorCode.Manifest.dependencyCycle }
        #expect(cycle?.message.contains("s00010 → s02100 → s00010") == true)
    }

    @Test("a valid large manifest loads with every session, in document order")
    func validLoads() throws {
        let outcome = load(Self.generate().text)
        let manifest = try #require(outcome.manifest)
        #expect(manifest.sessions.map(\.name) == (0..<Self.sessionCount).map { String(format: "s%05d", $0) })
        #expect(manifest.sessions[1].machine == "m1")
        #expect(outcome.warnings.map(\.code) == [ErrorCode.Manifest.unusedCredentials])
    }
}
