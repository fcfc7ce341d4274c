import Executor
import Foundation
import Subprocess

/// One bash command on this machine, robust against cancellation and against runjob
/// going away:
///
/// - stdin, stdout and stderr are nameless files in the instance's `tmp/`, not pipes:
///   the child never gets SIGPIPE because runjob stopped reading (or died), and there is
///   no writer task that cancellation could tear down half-way;
/// - the child leads its own session (setsid): a Ctrl-C in runjob's terminal does not
///   reach it, and its whole process group can be signalled;
/// - Subprocess runs in a task of its own that is never cancelled; when the caller is
///   cancelled, the child's group gets TERM, then KILL after `grace`, the child is
///   waited for, every descriptor is closed, and `CancellationError` is thrown.
///
/// If runjob itself is killed (kill -9), the child runs to its end undisturbed (its
/// output is lost with the nameless files); destroy still finds it by its marker.
struct LocalExecution: Sendable {
    /// The bash script (`bash -c`).
    var script: String
    /// `NAME=value` entries.
    var environment: [String]
    /// The folder for the nameless stdin/stdout/stderr files.
    var scratchDirectory: String
    /// Bytes at most per output stream.
    var outputLimit: Int
    /// Time between TERM and KILL on cancellation.
    var grace: Duration
    /// The instance folder, where an exec that leaves processes in its session notes its pid
    /// (``LocalProcesses/noteLeftovers(of:folder:)``) so destroy finds them.
    var instanceFolder: String

    /// What went wrong before or around the child (not: a child that exited non-zero).
    enum Failure: Error {
        /// A scratch file could not be made or read.
        case files(LocalFileError)
        /// Subprocess could not spawn bash.
        case spawn(any Error)
        /// An output stream was longer than the limit.
        case outputTooLarge(stream: String)
    }

    /// Runs the script with `stdin` (or /dev/null) and waits for it.
    func run(stdin: [UInt8]?) async throws -> ExecResult {
        try Task.checkCancellation()
        var descriptors: [Int32] = []
        defer { for descriptor in descriptors { close(descriptor) } }
        let stdinFile: Int32
        let stdoutFile: Int32
        let stderrFile: Int32
        do throws(LocalFileError) {
            if let stdin {
                stdinFile = try LocalFileSystem.scratchFile(in: scratchDirectory)
                descriptors.append(stdinFile)
                do throws(LocalFileError) {
                    try LocalFileSystem.writeAll(stdin, to: stdinFile)
                } catch {
                    throw LocalFileError("cannot write the command's input to \(scratchDirectory): \(error.description)")
                }
                lseek(stdinFile, 0, SEEK_SET)
            } else {
                stdinFile = open("/dev/null", O_RDONLY | O_CLOEXEC)
                guard stdinFile >= 0 else { throw LocalFileError("cannot open /dev/null", code: errno) }
                descriptors.append(stdinFile)
            }
            stdoutFile = try LocalFileSystem.scratchFile(in: scratchDirectory)
            descriptors.append(stdoutFile)
            stderrFile = try LocalFileSystem.scratchFile(in: scratchDirectory)
            descriptors.append(stderrFile)
        } catch {
            throw Failure.files(error)
        }

        let control = LocalChildControl(grace: grace)
        let child = Task { [script, environment] () throws -> TerminationStatus in
            defer { control.ended() }
            var options = PlatformOptions()
            options.createSession = true
            let result = try await Subprocess.run(
                .path("/bin/bash"), arguments: ["-c", script],
                environment: .custom(environment.map { Array($0.utf8) + [0] }),  // strdup-ed by Subprocess: NUL-terminated
                workingDirectory: nil, platformOptions: options,
                input: .fileDescriptor(.init(rawValue: stdinFile), closeAfterSpawningProcess: false),
                output: .fileDescriptor(.init(rawValue: stdoutFile), closeAfterSpawningProcess: false),
                error: .fileDescriptor(.init(rawValue: stderrFile), closeAfterSpawningProcess: false)
            ) { execution in
                control.started(execution.processIdentifier.value)
            }
            return result.terminationStatus
        }
        let outcome = await withTaskCancellationHandler {
            await child.result
        } onCancel: {
            control.cancel()
        }
        if control.isCancelled {
            await control.waitForStop()
            throw CancellationError()
        }
        let status: TerminationStatus
        switch outcome {
        case .success(let value): status = value
        case .failure(let reason): throw Failure.spawn(reason)
        }
        if let pid = control.pid { LocalProcesses.noteLeftovers(of: pid, folder: instanceFolder) }
        let exitCode: Int32
        switch status {
        case .exited(let code): exitCode = Int32(truncatingIfNeeded: code)
        case .signaled(let signal): exitCode = 128 + Int32(truncatingIfNeeded: signal)
        }
        return ExecResult(exitCode: exitCode, stdout: try collect(stdoutFile, stream: "stdout"), stderr: try collect(stderrFile, stream: "stderr"))
    }

    private func collect(_ descriptor: Int32, stream: String) throws(Failure) -> [UInt8] {
        let bytes: [UInt8]?
        do throws(LocalFileError) {
            bytes = try LocalFileSystem.readAll(descriptor, limit: outputLimit)
        } catch {
            throw .files(LocalFileError("cannot read the command's \(stream) from \(scratchDirectory): \(error.description)"))
        }
        guard let bytes else { throw .outputTooLarge(stream: stream) }
        return bytes
    }
}
