import Executor
import Foundation
import LocalAdapter

/// What one remote command gave back, with runjob's markers removed.
struct SSHReply: Sendable {
    /// The command's exit status (128+n after signal n).
    var exitCode: Int32
    /// Its standard output (whatever a login script printed before it is gone).
    var stdout: [UInt8]
    /// Its standard error.
    var stderr: [UInt8]
}

/// Runs commands on hosts with the system ssh client, one shared connection
/// (ControlMaster) per endpoint for the whole run, in a private 0700 folder.
///
/// Every command is wrapped (``SSHWrapper``) so that the reply says whether the command
/// started and how it ended, separately from ssh's own failures (both can exit 255).
/// A command that certainly never started is retried after connection failures until
/// ``SSHConfiguration/retryDeadline``; one that started and lost its connection is
/// retried only when it is read-only.
actor SSHTransport {
    let configuration: SSHConfiguration
    private var directory: String?
    private var masters: [SSHEndpoint: Task<Void, any Error>] = [:]
    private var slots: [SSHEndpoint: Int] = [:]

    init(configuration: SSHConfiguration) {
        self.configuration = configuration
    }

    /// Runs `wrapper` on `endpoint` with `stdin`; throws a `provider.*` error for a
    /// connection that cannot be made or was lost (the host and `context` in it).
    func run(_ endpoint: SSHEndpoint, _ wrapper: SSHWrapper, stdin: [UInt8]?, readOnly: Bool, context: [ErrorContext]) async throws -> SSHWrapper.Outcome {
        let context = [ErrorContext("host", endpoint.description)] + context
        let deadline = ContinuousClock.now + configuration.retryDeadline
        var pause: Duration = .milliseconds(250)
        while true {
            try Task.checkCancellation()
            let failure: ProviderError
            do {
                let path = try await master(for: endpoint, context: context)
                let result = try await client(endpoint, path: path, remote: wrapper.remoteCommand, stdin: stdin)
                let outcome = wrapper.read(result)
                switch outcome {
                case .finished, .missing:
                    return outcome
                case .neverStarted(let stderr):
                    forget(endpoint)
                    failure = SSHFailure.classify(stderr, exitCode: result.exitCode, endpoint: endpoint, context: context)
                case .lost:
                    forget(endpoint)
                    failure = ProviderError(
                        ErrorCode.Provider.unreachable,
                        "the connection to \(endpoint) was lost while the command ran; it may or may not have completed", context: context,
                        isRetryable: readOnly)
                }
            } catch let error as ProviderError {
                failure = error
            }
            guard failure.isRetryable, ContinuousClock.now + pause < deadline else { throw failure }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(4))
        }
    }

    /// Closes every shared connection (`ssh -O exit`) and removes the private folder.
    /// Runs to its end even when the calling task is cancelled (Ctrl-C cleanup).
    func close() async {
        let open = slots
        let folder = directory
        masters = [:]
        slots = [:]
        directory = nil
        guard let folder else { return }
        let configuration = configuration
        await Task.detached {
            for (endpoint, slot) in open {
                let path = folder + "/" + String(slot)
                guard access(path, F_OK) == 0 else { continue }
                let arguments = Self.commonArguments(configuration, path: path) + endpoint.arguments + ["-O", "exit", endpoint.host]
                _ = try? await Self.execute(configuration, folder: folder, arguments: arguments, stdin: nil)
            }
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] { unlink(folder + "/" + name) }
            rmdir(folder)
        }.value
    }

    // MARK: Connections

    /// The control socket of `endpoint`'s shared connection, opened first when needed.
    private func master(for endpoint: SSHEndpoint, context: [ErrorContext]) async throws -> String {
        let folder = try privateFolder()
        let slot = slots[endpoint] ?? slots.count
        slots[endpoint] = slot
        let path = folder + "/" + String(slot)
        if let opening = masters[endpoint] {
            try await opening.value
            return path
        }
        let configuration = configuration
        let opening = Task {
            // -f: the client goes to the background once it is authenticated, so its exit
            // status says whether the connection works; the master then lives on its own
            // (a session of its own: a Ctrl-C in runjob's terminal does not reach it) until
            // `-O exit`, or `control_persist` after its last use if runjob dies.
            let persist = max(1, Int(configuration.controlPersist.components.seconds))
            let arguments =
                Self.commonArguments(configuration, path: path)
                + ["-o", "ControlMaster=yes", "-o", "ControlPersist=\(persist)", "-f", "-N"] + endpoint.arguments + [endpoint.host]
            let result = try await Self.execute(configuration, folder: folder, arguments: arguments, stdin: nil)
            guard result.exitCode == 0 else {
                throw SSHFailure.classify(result.stderr, exitCode: result.exitCode, endpoint: endpoint, context: context)
            }
        }
        masters[endpoint] = opening
        do {
            try await opening.value
        } catch {
            if masters[endpoint] == opening { masters[endpoint] = nil }
            throw error
        }
        return path
    }

    /// Forgets `endpoint`'s shared connection after a failure: the next call opens a new one.
    private func forget(_ endpoint: SSHEndpoint) {
        masters[endpoint] = nil
    }

    /// The private folder of the control sockets (made 0700 on first use). Socket paths are
    /// short (`/tmp/runjob-ssh.XXXXXX/0`): the system allows about 100 bytes.
    private func privateFolder() throws -> String {
        if let directory { return directory }
        var base = configuration.environment["TMPDIR"].flatMap { $0.hasPrefix("/") && $0.utf8.count <= 60 ? $0 : nil } ?? "/tmp"
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        var template = Array((base + "/runjob-ssh.XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard let made else {
            throw ProviderError(
                ErrorCode.Provider.misconfigured, "cannot create a private folder for ssh's shared connections in \(base): \(String(cString: strerror(errno)))")
        }
        let path = String(cString: made)
        directory = path
        return path
    }

    // MARK: The client

    private func client(_ endpoint: SSHEndpoint, path: String, remote: String, stdin: [UInt8]?) async throws -> ExecResult {
        let folder = try privateFolder()
        let arguments = Self.commonArguments(configuration, path: path) + ["-o", "ControlMaster=no", "-T"] + endpoint.arguments + [endpoint.host, remote]
        return try await Self.execute(configuration, folder: folder, arguments: arguments, stdin: stdin)
    }

    /// Options every ssh call gets: batch mode (never a prompt), the host key policy, the
    /// connect timeout, keep-alives that notice a dead host, the control socket.
    static func commonArguments(_ configuration: SSHConfiguration, path: String) -> [String] {
        var arguments: [String] = []
        if let file = configuration.configFile { arguments += ["-F", file] }
        let strict = configuration.knownHosts == .strict ? "yes" : "accept-new"
        let connect = max(1, Int(configuration.connectTimeout.components.seconds))
        arguments += [
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=\(strict)", "-o", "ConnectTimeout=\(connect)", "-o", "ServerAliveInterval=5",
            "-o", "ServerAliveCountMax=3", "-o", "LogLevel=ERROR", "-o", "ControlPath=\(path)",
        ]
        return arguments
    }

    /// Runs the ssh client (its own session; stdin and output in nameless files; TERM then
    /// KILL when the calling task is cancelled).
    static func execute(_ configuration: SSHConfiguration, folder: String, arguments: [String], stdin: [UInt8]?) async throws -> ExecResult {
        let environment = configuration.environment.map { "\($0.key)=\($0.value)" }
        let execution = LocalExecution(
            program: configuration.program, arguments: arguments, environment: environment, scratchDirectory: folder, outputLimit: 256 << 20,
            grace: .seconds(2))
        do {
            return try await execution.run(stdin: stdin)
        } catch let failure as LocalExecution.Failure {
            throw ProviderError(ErrorCode.Provider.misconfigured, "cannot run the ssh client (\(configuration.program)): \(failure)")
        }
    }
}
