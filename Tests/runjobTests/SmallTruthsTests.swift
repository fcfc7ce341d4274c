import Executor
import Foundation
import TestSupport
import Testing

@Suite("Smaller truths: errors said once, cwd_missing without a wait step, unknown exit status, logs over the exec limit", .serialized)
struct SmallTruthsTests {
    @Test("a refused changed config is said once in text mode, and as a block on stderr with JSON events")
    func configChangedOnce() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let file = try home.write("c.yaml", "version: 1\nname: cfg\nprovider: local\nmachine: {}\nsessions:\n  s: { run: \"sleep 30\" }\n")
        #expect(try await runjob(["apply", file], home: home).status == 0)
        try home.write("c.yaml", "version: 1\nname: cfg\nprovider: local\nmachine: {}\nsessions:\n  s: { run: \"sleep 31\" }\n")
        let text = try await runjob(["apply", "--output", "text", file], home: home)
        #expect(text.status == 1)
        let both = text.out + text.err
        #expect(both.components(separatedBy: "\"sleep 30\" → \"sleep 31\"").count == 2, "\(both)")
        let json = try await runjob(["apply", file], home: home)
        #expect(json.status == 1)
        #expect(json.err.contains("Differences:\n  sessions.s.run.shell"), "\(json.err)")
        _ = try await runjob(["destroy", "--yes", file], home: home)
    }

    @Test("apply --wait maps a missing cwd to process.cwd_missing for a session no other session waits for")
    func cwdMissingWithoutWaitStep() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let file = try home.write("w.yaml", "version: 1\nname: nocwd\nprovider: local\nmachine: {}\nsessions:\n  lost: { run: \"true\", cwd: ~/does/not/exist }\n")
        let apply = try await runjob(["apply", "--wait", file], home: home)
        #expect(apply.status == 1)
        #expect(apply.out.contains(ErrorCode.Process.cwdMissing.rawValue), "\(apply.out)")
        #expect(apply.out.contains("does/not/exist"))
    }

    @Test("a session whose exit status could not be recorded reports it unknown, never a made-up 137")
    func unknownExit() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        // The program blocks its own exit file (a directory where the wrapper writes it), as a full disk would make
        // the write fail, then exits 1. The program is `bash <run dir>/full.cmd`, so $0 names the run directory.
        let file = try home.write(
            "u.yaml",
            "version: 1\nname: unk\nprovider: local\nmachine: {}\nsessions:\n  full: { run: 'mkdir \"$(dirname \"$0\")/full.exit.tmp\"; exit 1' }\n")
        let apply = try await runjob(["apply", "--wait", "--keep", file], home: home)
        #expect(apply.status == 1)
        #expect(apply.out.contains("exit status unknown"), "\(apply.out)")
        #expect(!apply.out.contains("exit status 137"))
        let status = try await runjob(["status", file], home: home)
        #expect(status.out.contains("(exit unknown)"), "\(status.out)")
        _ = try await runjob(["destroy", "--yes", file], home: home)
    }
}
