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
package struct LocalExecution: Sendable {
    /// The program to run (an absolute path or a name looked up in `PATH`).
    var program: String = "/bin/bash"
    /// Its arguments; by default `-c` and ``script``.
    var arguments: [String]?
    /// The bash script (`bash -c`) when ``arguments`` is `nil`.
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
    /// (``LocalProcesses/noteLeftovers(of:folder:)``) so destroy finds them; `nil`: not noted.
    var instanceFolder: String?

    /// A bash script run in a local instance.
    init(script: String, environment: [String], scratchDirectory: String, outputLimit: Int, grace: Duration, instanceFolder: String?) {
        self.script = script
        self.environment = environment
        self.scratchDirectory = scratchDirectory
        self.outputLimit = outputLimit
        self.grace = grace
        self.instanceFolder = instanceFolder
    }

    /// Any program with `arguments`, run the same way (its own session, nameless files for
    /// its input and output, stopped as a group on cancellation): the ssh provider's client.
    package init(program: String, arguments: [String], environment: [String], scratchDirectory: String, outputLimit: Int, grace: Duration) {
        self.program = program
        self.arguments = arguments
        self.script = ""
        self.environment = environment
        self.scratchDirectory = scratchDirectory
        self.outputLimit = outputLimit
        self.grace = grace
        self.instanceFolder = nil
    }

    /// What went wrong before or around the child (not: a child that exited non-zero).
    package enum Failure: Error {
        /// A scratch file could not be made or read.
        case files(LocalFileError)
        /// Subprocess could not spawn bash.
        case spawn(any Error)
        /// An output stream was longer than the limit.
        case outputTooLarge(stream: String)
    }

    /// Runs the program with `stdin` (or /dev/null) and waits for it.
    package func run(stdin: [UInt8]?) async throws -> ExecResult {
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
        let executable: Executable = program.hasPrefix("/") ? .path(.init(program)) : .name(program)
        let argv = arguments ?? ["-c", script]
        let child = Task { [environment] () throws -> TerminationStatus in
            defer { control.ended() }
            var options = PlatformOptions()
            options.createSession = true
            let result = try await Subprocess.run(
                executable, arguments: .init(argv),
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
        if let pid = control.pid, let instanceFolder { LocalProcesses.noteLeftovers(of: pid, folder: instanceFolder) }
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
