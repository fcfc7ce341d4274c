import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starts test children with `posix_spawn` rather than Foundation's `Process`, whose `run()`
/// in this toolchain can read past a buffer while closing inherited descriptors (a SIGSEGV
/// in `memcpy`, seen in CI). The child gets: the given stdin/stdout/stderr files, no other
/// descriptor of the test process (`closefrom`), every signal unblocked and at its default
/// disposition (as a shell would start it), exactly `environment`, and `directory`.
enum Spawn {
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias Chdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// A glibc function the Swift module does not import (glibc 2.29 / 2.34 and later).
    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)
    }

    /// Runs `executable` (an absolute path) to its end; its status (128 + n when killed by signal n).
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], stdin: String, stdout: String, stderr: String,
        directory: String?
    ) throws -> Int32 {
        let pid = try start(executable, arguments, environment: environment, stdin: stdin, stdout: stdout, stderr: stderr, directory: directory)
        return try wait(pid)
    }

    /// Waits for `pid` to end; its status (128 + n when killed by signal n).
    static func wait(_ pid: pid_t) throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw SpawnError(message: "waitpid failed: \(String(cString: strerror(errno)))") }
        }
        return decode(status)
    }

    /// The status of `pid` if it has ended (reaping it), else `nil`.
    static func poll(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid ? decode(status) : nil
    }

    /// A `waitpid` status as an exit status (128 + n when killed by signal n).
    static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Starts `executable` (an absolute path) with `blocked` signals blocked in the child
    /// (every other one unblocked); its pid.
    static func start(
        _ executable: String, _ arguments: [String], environment: [String: String], stdin: String, stdout: String, stderr: String,
        directory: String?, blocked: [Int32] = []
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_TRUNC, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_TRUNC, 0)
        guard let closeFrom = symbol("posix_spawn_file_actions_addclosefrom_np") else {
            throw SpawnError(message: "posix_spawn_file_actions_addclosefrom_np is missing (glibc older than 2.34)")
        }
        _ = unsafeBitCast(closeFrom, to: CloseFrom.self)(&actions, 3)
        if let directory {
            guard let chdir = symbol("posix_spawn_file_actions_addchdir_np") else {
                throw SpawnError(message: "posix_spawn_file_actions_addchdir_np is missing (glibc older than 2.29)")
            }
            _ = directory.withCString { unsafeBitCast(chdir, to: Chdir.self)(&actions, $0) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in blocked { sigaddset(&mask, signal) }
        posix_spawnattr_setsigmask(&attributes, &mask)
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let started = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard started == 0 else { throw SpawnError(message: "cannot start \(executable): \(String(cString: strerror(started)))") }
        return pid
    }
}

/// A child started with ``Spawn``: what tests ask of a running program.
public final class SpawnedProcess: @unchecked Sendable {
    /// The pid.
    public let processIdentifier: Int32
    private let ended = NSLock()
    private var status: Int32?

    init(pid: Int32) { processIdentifier = pid }

    /// Whether it still runs (reaps it once it ended).
    public var isRunning: Bool {
        ended.lock()
        defer { ended.unlock() }
        if status == nil { status = Spawn.poll(processIdentifier) }
        return status == nil
    }

    /// Sends SIGTERM.
    public func terminate() { kill(processIdentifier, SIGTERM) }

    /// Waits for the end; the exit status (128 + n after signal n).
    public func waitUntilExit() -> Int32 {
        ended.lock()
        defer { ended.unlock() }
        if let status { return status }
        let value = (try? Spawn.wait(processIdentifier)) ?? 255
        status = value
        return value
    }
}

/// Why a test child could not be started or waited for.
public struct SpawnError: Error, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    public var description: String { message }
}
