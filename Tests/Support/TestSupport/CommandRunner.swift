import Foundation

/// The outcome of running a program to completion.
public struct CommandResult: Sendable {
    /// Exit status (128 + n when killed by signal n).
    public var status: Int32
    /// Standard output bytes.
    public var stdout: [UInt8]
    /// Standard error bytes.
    public var stderr: [UInt8]

    /// Standard output as text.
    public var out: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error as text.
    public var err: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs programs for tests: outputs go to temporary files (no pipe deadlocks),
/// the environment is exactly what the test gives (plus PATH), stdin is a file or empty;
/// started with `posix_spawn` (``Spawn``), every signal unblocked, no inherited descriptor.
public enum CommandRunner {
    /// Runs `executable` with `arguments` and waits for it.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: [UInt8]? = nil, directory: String? = nil
    ) throws -> CommandResult {
        let scratch = try TemporaryDirectory(prefix: "runjob-run")
        defer { scratch.remove() }
        let outPath = scratch.file("stdout")
        let errPath = scratch.file("stderr")
        let inPath = scratch.file("stdin")
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        FileManager.default.createFile(atPath: inPath, contents: Data(stdin ?? []))
        var env = environment
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        // posix_spawn, not Foundation's Process (see ``Spawn``).
        let status = try Spawn.run(executable, arguments, environment: env, stdin: inPath, stdout: outPath, stderr: errPath, directory: directory)
        let stdout = Array((try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data())
        let stderr = Array((try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data())
        return CommandResult(status: status, stdout: stdout, stderr: stderr)
    }
}

extension CommandRunner {
    /// ``run(_:_:environment:stdin:directory:)`` on a thread of its own, so that an
    /// async test waiting for a program never blocks the (small) cooperative pool
    /// that every other test's async work runs on.
    public static func runDetached(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: [UInt8]? = nil, directory: String? = nil
    ) async throws -> CommandResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try run(executable, arguments, environment: environment, stdin: stdin, directory: directory) })
            }
        }
    }
}

/// Where the built `runjob` binary and the repository are.
public enum BuiltProducts {
    /// The repository root (found from this file's location).
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The folder holding the built products of this test run.
    public static let directory: String = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path,
            Bundle.main.bundleURL.path,
            Bundle.main.bundleURL.deletingLastPathComponent().path,
        ]
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate + "/runjob") {
            return candidate
        }
        return repositoryRoot + "/.build/debug"
    }()

    /// The `runjob` executable built alongside the tests.
    public static var runjob: String { directory + "/runjob" }
}

/// A program started in the background, with its outputs going to files (started with
/// `posix_spawn`: see ``Spawn``).
public final class BackgroundCommand: @unchecked Sendable {
    /// The process.
    public let process: SpawnedProcess
    private let scratch: TemporaryDirectory

    /// Starts `executable` with `arguments`; `blocked` signals start blocked in the child (as a
    /// parent that blocks them would leave them), every other signal unblocked.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String? = nil, blocked: [Int32] = []
    ) throws {
        scratch = try TemporaryDirectory(prefix: "runjob-bg")
        var env = environment
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        FileManager.default.createFile(atPath: scratch.file("stdout"), contents: nil)
        FileManager.default.createFile(atPath: scratch.file("stderr"), contents: nil)
        let pid = try Spawn.start(
            executable, arguments, environment: env, stdin: "/dev/null", stdout: scratch.file("stdout"), stderr: scratch.file("stderr"),
            directory: directory, blocked: blocked)
        process = SpawnedProcess(pid: pid)
    }

    /// Standard output so far.
    public var out: String { (try? String(contentsOfFile: scratch.file("stdout"), encoding: .utf8)) ?? "" }
    /// Standard error so far.
    public var err: String { (try? String(contentsOfFile: scratch.file("stderr"), encoding: .utf8)) ?? "" }

    /// Polls `condition` every 20 ms until it holds or `seconds` pass; whether it held.
    public func waitFor(seconds: Double = 30, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            if !process.isRunning { return condition() }
            usleep(20_000)
        }
        return condition()
    }

    /// Polls `condition` every 20 ms (without blocking a thread) until it holds or `seconds` pass; whether it held.
    public func eventually(seconds: Double = 30, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            if !process.isRunning { return condition() }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// Waits for the exit on a thread of its own; the status (128 + n after signal n).
    public func exitStatus() async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: self.finish()) }
        }
    }

    /// Sends `signal` to the process.
    public func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the exit; the status (128 + n after signal n).
    public func finish() -> Int32 { process.waitUntilExit() }

    deinit {
        if process.isRunning { process.terminate() }
        scratch.remove()
    }
}

/// Looks for processes on this machine.
public enum ProcessScan {
    /// Every process's argv (its words), as `/proc` shows it now.
    public static func argv() -> [[String]] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.filter { $0.allSatisfy(\.isNumber) }.compactMap { FileManager.default.contents(atPath: "/proc/\($0)/cmdline") }.map { bytes in
            bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Every process's argv, words joined by spaces, one process per line (for canary scans).
    public static func everyArgv() -> String {
        argv().map { $0.joined(separator: " ") }.joined(separator: "\n")
    }

    /// Pids whose environment contains `entry` (e.g. `RUNJOB_INSTANCE=local-abc`), excluding zombies.
    public static func pids(withEnvironment entry: String) -> [Int32] {
        let target = Array(entry.utf8)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap(Int32.init).filter { pid in
            guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            guard environ.split(separator: 0).contains(where: { Array($0) == target }) else { return false }
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            guard let close = stat.lastIndex(of: ")") else { return true }
            return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
        }
    }
}
