import Logging
import Synchronization
import Testing

@testable import Executor

/// A provider answering every exec with a fixed result (or error), in memory.
private struct ScriptedProvider: VMProvider {
    let kind = "scripted"
    var result: Result<ExecResult, ProviderError>

    func boot(_ request: BootRequest) async throws -> Instance { Instance(id: "i-1", status: .ready, labels: request.labels, home: "/h") }
    func get(_ id: String) async throws -> Instance? { nil }
    func list(labels: [String: String]) async throws -> [Instance] { [] }
    func destroy(_ id: String) async throws {}
    func exec(_ id: String, _ command: CommandSpec, stdin: [UInt8]?) async throws -> ExecResult { try result.get() }
    func writeFiles(_ id: String, _ batch: FileBatch) async throws {}
    func readFile(_ id: String, path: String) async throws -> [UInt8]? { nil }
}

/// Lines written by a logger, in memory.
private final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var text: String { all.joined() }
    func append(_ line: String) { lines.withLock { $0.append(line) } }
}

@Suite("Logging: child loggers, the task's run and step, every remote command as data, redacted in the handler")
struct LoggingTests {
    static let secret = Secret(source: SecretSource(kind: .env, name: "TOKEN"), value: "tok-Very-Secret-Value-0042")

    private func logger(_ level: Logger.Level, into lines: LogLines) -> Logger {
        RedactingLogHandler.logger(label: "runjob", level: level, redactor: Redactor(secrets: [Self.secret])) { lines.append($0) }
    }

    @Test("exec at debug: the command as data with run, step, machine and instance; at trace its output, redacted")
    func execLogged() async throws {
        let lines = LogLines()
        let output = "token is \(Self.secret.reveal() ?? "")\n"
        let provider = LoggedProvider(
            ScriptedProvider(result: .success(ExecResult(exitCode: 0, stdout: Array(output.utf8)))), logger: logger(.trace, into: lines))
        let command = CommandSpec(.argv(["cat", "/h/.token"]), cwd: "/h", label: "probe", readOnly: true)
        let result = try await LogContext.$run.withValue("R1") {
            try await LogContext.inStep("start:s", machine: "main") { try await provider.exec("i-1", command, stdin: nil) }
        }
        #expect(result.exitCode == 0)
        let debug = try #require(lines.all.first { $0.contains(" debug runjob.provider: exec ") })
        for field in ["run=R1", "step=start:s", "machine=main", "instance=i-1", "label=probe", "argv=cat /h/.token", "exit=0", "read_only=true", "provider=scripted"] {
            #expect(debug.contains(field), "\(field) missing in \(debug)")
        }
        let trace = try #require(lines.all.first { $0.contains(" trace runjob.provider: exec output ") })
        #expect(trace.contains("token is [redacted]"), "\(trace)")
        #expect(!lines.text.contains("Very-Secret"))
    }

    @Test("a failed call is logged with its code and rethrown unchanged; below debug nothing is written")
    func failureLogged() async throws {
        let lines = LogLines()
        let failure = ProviderError(ErrorCode.Provider.unreachable, "no route to \(Self.secret.reveal() ?? "")", context: [.init("instance", "i-1")])
        let provider = LoggedProvider(ScriptedProvider(result: .failure(failure)), logger: logger(.debug, into: lines))
        let error = await #expect(throws: ProviderError.self) { try await provider.exec("i-1", .shell("true\necho two"), stdin: [1, 2]) }
        #expect(error?.code == ErrorCode.Provider.unreachable)
        let line = try #require(lines.all.first { $0.contains("exec failed") })
        #expect(line.contains("error=provider.unreachable: no route to [redacted]"), "\(line)")
        #expect(line.contains("script=13 bytes, 2 lines, first: true") && line.contains("stdin_bytes=2"), "\(line)")

        let quiet = LogLines()
        let silent = LoggedProvider(ScriptedProvider(result: .failure(failure)), logger: logger(.info, into: quiet))
        await #expect(throws: ProviderError.self) { try await silent.exec("i-1", .shell("true"), stdin: nil) }
        #expect(quiet.all.isEmpty)
    }

    @Test("child loggers stack their prefixes and metadata; the silent logger writes nothing")
    func childLoggers() {
        let lines = LogLines()
        let parent = logger(.info, into: lines).child("morph", metadata: ["provider": "morph"])
        parent.child("http").info("sent", metadata: ["status": "200"])
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.contains(" info runjob.morph.http: sent provider=morph status=200") == true, "\(lines.all)")
        #expect(Logger.silent.logLevel == .critical)
        #expect(LogContext.metadata.isEmpty)
    }
}
