import Foundation
import TestSupport
import Testing

@Suite("The fake claude and codex CLIs keep their documented contract")
struct AgentFakesSelfTests {
    @Test("Tests/Support/fakes/test_fakes.py passes (scenarios, arguments, credentials, streams)")
    func selfTest() async throws {
        let scratch = try TemporaryDirectory(prefix: "runjob-fakes")
        defer { scratch.remove() }
        let result = try await CommandRunner.runDetached(
            "/usr/bin/env", ["python3", BuiltProducts.repositoryRoot + "/Tests/Support/fakes/test_fakes.py"],
            environment: ["HOME": scratch.path, "TMPDIR": scratch.path])
        #expect(result.status == 0, "\(result.out.suffix(3000))\(result.err.suffix(3000))")
    }
}
