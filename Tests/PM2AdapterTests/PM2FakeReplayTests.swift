import Foundation
import TestSupport
import Testing

@Suite("The fake pm2 against the PM2 7.0.3 captures")
struct PM2FakeReplayTests {
    @Test("all 42 captures replay, normalised, and again with every name, word and variable substituted")
    func replay() async throws {
        let scratch = try TemporaryDirectory(prefix: "runjob-replay")
        defer { scratch.remove() }
        let result = try await CommandRunner.runDetached(
            "/usr/bin/env", ["python3", BuiltProducts.repositoryRoot + "/_reference/pm2-replay.py", "--pass", "both"],
            environment: ["HOME": scratch.path, "TMPDIR": scratch.path])
        #expect(result.status == 0, "\(result.out.suffix(4000))\(result.err.suffix(2000))")
        #expect(result.out.contains(", 0 failed"), "\(result.out.suffix(2000))")
    }
}
