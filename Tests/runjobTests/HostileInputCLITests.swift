import Executor
import Foundation
import TestSupport
import Testing

@Suite("Hostile input through the CLI")
struct HostileInputCLITests {
    @Test("every hostile file exits 2 with its code and a diagnostic naming the file")
    func corpus() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-hostile")
        defer { folder.remove() }
        let generate = try await CommandRunner.runDetached(
            "/usr/bin/env", ["python3", repo("Tests/Support/scripts/hostile_corpus.py"), folder.path],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        #expect(generate.status == 0, "\(generate.err)")
        let expected = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: folder.file("expected.json")))))
        let cases = try #require(expected.objectValue)
        #expect(cases.count >= 20)
        for entry in cases {
            let path = folder.file(entry.key)
            let result = try await runjob(["validate", path])
            #expect(result.status == 2, "\(entry.key)")
            let code = entry.value.stringValue ?? ""
            #expect(result.err.hasPrefix("\(path):"), "\(entry.key): \(result.err.prefix(200))")
            #expect(result.err.contains("error[\(code)]"), "\(entry.key): \(result.err.prefix(300))")
        }
    }
}
