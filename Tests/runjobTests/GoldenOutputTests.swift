import Foundation
import TestSupport
import Testing

/// `plan` of every example in every format, and `--help` of every command, compared byte
/// for byte with the files under `Tests/runjobTests/Fixtures/golden/`, so that any change
/// to what users read shows in review. After an intended change, refresh them with
///
///     RUNJOB_UPDATE_GOLDEN=1 swift test --filter GoldenOutputTests
///
/// and review the diff. Runs without secrets and with a fresh HOME (as pull-request CI
/// does), so the plans show placeholders and `will create`/`unknown`.
@Suite("Golden files: plans of the examples and help texts, byte for byte")
struct GoldenOutputTests {
    static let folder = repo("Tests/runjobTests/Fixtures/golden")
    static var updating: Bool { ProcessInfo.processInfo.environment["RUNJOB_UPDATE_GOLDEN"] == "1" }

    /// Compares `actual` with the golden file `name` (or writes it when updating).
    func expectGolden(_ actual: String, _ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let path = Self.folder + "/" + name
        if Self.updating {
            try FileManager.default.createDirectory(atPath: Self.folder, withIntermediateDirectories: true)
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            Issue.record("no golden file \(name): run RUNJOB_UPDATE_GOLDEN=1 swift test --filter GoldenOutputTests", sourceLocation: sourceLocation)
            return
        }
        if actual != expected {
            let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let first = (0..<min(actualLines.count, expectedLines.count)).first { actualLines[$0] != expectedLines[$0] } ?? min(actualLines.count, expectedLines.count)
            Issue.record(
                """
                \(name) differs from its golden file at line \(first + 1):
                  golden: \(first < expectedLines.count ? String(expectedLines[first]) : "(end)")
                  now:    \(first < actualLines.count ? String(actualLines[first]) : "(end)")
                Intended? RUNJOB_UPDATE_GOLDEN=1 swift test --filter GoldenOutputTests, then review the diff.
                """, sourceLocation: sourceLocation)
        }
    }

    @Test("plan --output text, markdown and json of every example")
    func plans() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-golden")
        defer { home.remove() }
        for example in try exampleManifests() {
            let name = URL(fileURLWithPath: example).deletingPathExtension().lastPathComponent
            for output in ["text", "markdown", "json"] {
                // The ssh example's host refuses connections (port 9 of 127.0.0.1): a stable "unknown" state.
                let result = try await runjob(
                    ["plan", "--output", output, example], env: ["RUNJOB_SSH_CONFIG": repo("Tests/runjobTests/Fixtures/ssh_config_refused")], home: home)
                #expect(result.status == 0, "\(example) \(output): \(result.err)")
                let text = result.out.replacingOccurrences(of: home.path, with: "$HOME")
                try expectGolden(text, "plan-\(name).\(output == "markdown" ? "md" : output)")
            }
        }
    }

    @Test("--help of runjob and of every command")
    func help() async throws {
        let commands = ["validate", "plan", "apply", "status", "logs", "destroy", "graph", "schema"]
        let top = try await runjob(["--help"])
        try expectGolden(top.out, "help.txt")
        for command in commands {
            let result = try await runjob([command, "--help"])
            #expect(result.status == 0)
            try expectGolden(result.out, "help-\(command).txt")
        }
    }
}
