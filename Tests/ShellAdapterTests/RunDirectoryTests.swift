import AdapterKit
import Executor
import Foundation
import LocalAdapter
import TestSupport
import Testing

/// Executor's run-directory reads, against a real local instance (every process
/// manager reads state and logs through them).
@Suite("Run-directory reads on a real instance")
struct RunDirectoryTests {
    @Test("read returns the script's output; a failing script is process.invalid_output with its stderr")
    func read() async throws {
        try await withShellRig { rig in
            let ok = try await RunDirectory.read("echo hi; echo note >&2", on: rig.target, label: "probe")
            #expect(ok.stdoutText == "hi\n")
            do {
                _ = try await RunDirectory.read("echo boom >&2; exit 3", on: rig.target, label: "probe")
                Issue.record("a failing read did not throw")
            } catch let error as ProcessError {
                #expect(error.code == ErrorCode.Process.invalidOutput)
                #expect(error.message == "`probe` failed on the instance: boom")
                #expect(error.context.contains(.init("instance", rig.target.instance)))
            }
        }
    }

    @Test("logs: all, the last lines, from an offset; a session without a log is empty")
    func logs() async throws {
        try await withShellRig { rig in
            try FileManager.default.createDirectory(atPath: rig.target.runDirectory, withIntermediateDirectories: true)
            try "a\nb\nc\n".write(toFile: rig.target.runDirectory + "/job.out", atomically: true, encoding: .utf8)
            let all = try await RunDirectory.logs("job", stream: .stdout, on: rig.target, from: nil, tail: nil)
            #expect(all.bytes == Array("a\nb\nc\n".utf8))
            #expect(all.nextOffset == 6)
            let last = try await RunDirectory.logs("job", stream: .stdout, on: rig.target, from: nil, tail: 2)
            #expect(last.bytes == Array("b\nc\n".utf8))
            let rest = try await RunDirectory.logs("job", stream: .stdout, on: rig.target, from: 2, tail: nil)
            #expect(rest.bytes == Array("b\nc\n".utf8))
            #expect(rest.nextOffset == 6)
            let none = try await RunDirectory.logs("job", stream: .stderr, on: rig.target, from: nil, tail: nil)
            #expect(none.bytes.isEmpty)
            #expect(none.nextOffset == 0)
        }
    }

    @Test("logs on an instance that is gone fail with the provider's error; output of another shape is not a chunk")
    func logsFailure() async throws {
        let rig = try await ShellRig.make()
        await rig.done()
        await #expect(throws: ProviderError.self) {
            _ = try await RunDirectory.logs("job", stream: .stdout, on: rig.target, from: nil, tail: nil)
        }
        #expect(RunDirectory.parseLogs(Array("not a size\nx".utf8)) == nil)
        #expect(RunDirectory.parseLogs(Array("12\nx".utf8)) == nil)
        #expect(RunDirectory.parseLogs([]) == nil)
    }

    @Test("logs in bounded chunks: a limit cuts a read, the next offset continues it, negative offsets count from the end")
    func boundedLogs() async throws {
        try await withShellRig { rig in
            try FileManager.default.createDirectory(atPath: rig.target.runDirectory, withIntermediateDirectories: true)
            let text = (1...200).map { "line \($0)\n" }.joined()
            try text.write(toFile: rig.target.runDirectory + "/job.out", atomically: true, encoding: .utf8)
            let first = try await RunDirectory.logs("job", stream: .stdout, on: rig.target, from: nil, tail: nil, limit: 100)
            #expect(first.bytes.count == 100)
            #expect(first.start == 0 && first.size == text.utf8.count && first.hasMore)
            var joined = first.bytes
            var next = first.nextOffset
            while next < text.utf8.count {
                let chunk = try await RunDirectory.logs("job", stream: .stdout, on: rig.target, from: next, tail: nil, limit: 100)
                #expect(chunk.start == next)
                joined += chunk.bytes
                next = chunk.nextOffset
            }
            #expect(joined == Array(text.utf8))
            let end = try await RunDirectory.logs("job", stream: .stdout, on: rig.target, from: -9, tail: nil, limit: 100)
            #expect(String(decoding: end.bytes, as: UTF8.self) == "line 200\n")
            let tail = try await RunDirectory.logs("job", stream: .stdout, on: rig.target, from: nil, tail: 3, limit: 9)
            #expect(String(decoding: tail.bytes, as: UTF8.self) == "line 198\n")
            #expect(tail.start == text.utf8.count - "line 198\nline 199\nline 200\n".utf8.count && tail.hasMore)
            // The joined reader of the port streams any size through bounded reads.
            let all = try await rig.manager.logs("job", stream: .stdout, on: rig.target, from: nil, tail: nil)
            #expect(all.bytes == Array(text.utf8))
        }
    }

    @Test("batch logs: many streams in one read, whole or cut at the limit, finished or still written, missing ones empty")
    func batchLogs() async throws {
        try await withShellRig { rig in
            let directory = rig.target.runDirectory
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try "one\n".write(toFile: directory + "/a.out", atomically: true, encoding: .utf8)
            try "0\n".write(toFile: directory + "/a.exit", atomically: true, encoding: .utf8)
            try String(repeating: "b", count: 300).write(toFile: directory + "/b.out", atomically: true, encoding: .utf8)
            try "0\n".write(toFile: directory + "/b.exit", atomically: true, encoding: .utf8)
            try "running\n".write(toFile: directory + "/c.err", atomically: true, encoding: .utf8)
            let items = [
                LogBatchItem(name: "a", stream: .stdout, run: rig.target.run), LogBatchItem(name: "b", stream: .stdout, run: rig.target.run),
                LogBatchItem(name: "c", stream: .stderr, run: rig.target.run), LogBatchItem(name: "missing", stream: .stdout, run: rig.target.run),
            ]
            let chunks = try await rig.manager.logs(of: items, on: rig.target, limit: 100)
            #expect(chunks.map { String(decoding: $0.bytes, as: UTF8.self) } == ["one\n", String(repeating: "b", count: 100), "running\n", ""])
            #expect(chunks.map(\.size) == [4, 300, 8, 0])
            #expect(chunks.map(\.hasMore) == [false, true, false, false])
            // More items than one command line may carry are read in groups, in order.
            let many = (0..<300).map { LogBatchItem(name: $0 % 2 == 0 ? "a" : "c", stream: $0 % 2 == 0 ? .stdout : .stderr, run: rig.target.run) }
            let all = try await rig.manager.logs(of: many, on: rig.target, limit: 100)
            #expect(all.count == 300)
            #expect(all.enumerated().allSatisfy { String(decoding: $0.element.bytes, as: UTF8.self) == ($0.offset % 2 == 0 ? "one\n" : "running\n") })
        }
        #expect(RunDirectory.parseBatchLogs(Array("1 1\n--\n".utf8), count: 1) == nil)
        #expect(RunDirectory.parseBatchLogs(Array("1 1\n--\neA==\n".utf8), count: 1)?.first?.bytes == [0x78])
    }
}
