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
/// the environment is exactly what the test gives (plus PATH), stdin is a file or empty.
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = environment
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let inHandle = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = inHandle
        try process.run()
        process.waitUntilExit()
        try? outHandle.close()
        try? errHandle.close()
        try? inHandle.close()
        var status = process.terminationStatus
        if process.terminationReason == .uncaughtSignal { status += 128 }
        let stdout = Array((try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data())
        let stderr = Array((try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data())
        return CommandResult(status: status, stdout: stdout, stderr: stderr)
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
