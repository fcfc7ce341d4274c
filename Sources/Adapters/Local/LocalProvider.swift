import Executor
import Foundation
import Subprocess

/// The embedded provider: an instance is a folder on this machine,
/// `<state>/instances/<id>/`, with its own `home/` (the instance home) and `tmp/`;
/// exec runs real processes with `HOME` set to that home, a minimal environment,
/// and a marker variable so that destroy finds every process of the instance.
///
/// It isolates files, not security: processes run as the current user.
public struct LocalProvider: VMProvider {
    /// `local`.
    public let kind = "local"
    /// The state directory (`$XDG_STATE_HOME/runjob` or `~/.local/state/runjob`).
    public let stateDirectory: String
    /// The environment variable every process of an instance carries (its value: the instance id).
    public static let markerVariable = "RUNJOB_INSTANCE"
    /// PATH of processes on an instance (the manifest's env and process managers add to it).
    public static let basePath = "/usr/local/bin:/usr/bin:/bin"

    /// A provider keeping its instances under `stateDirectory`.
    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    /// The default state directory for an environment: `$XDG_STATE_HOME/runjob`,
    /// else `$HOME/.local/state/runjob`; `nil` without either.
    public static func defaultStateDirectory(environment: [String: String]) -> String? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/runjob" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.local/state/runjob" }
        return nil
    }

    var instancesDirectory: String { stateDirectory + "/instances" }

    func folder(_ id: String) -> String { instancesDirectory + "/" + id }

    func home(_ id: String) -> String { folder(id) + "/home" }

    // MARK: Lifecycle

    /// Creates the folder, its `home/` and `tmp/` (0700) and the labels file; ready at once.
    public func boot(_ request: BootRequest) async throws -> Instance {
        let id = Self.newID()
        let manager = FileManager.default
        do {
            for path in [folder(id), home(id), folder(id) + "/tmp"] {
                try manager.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            let record = LocalInstanceRecord(id: id, labels: request.labels, createdAt: Int(RunClock.nowMilliseconds() / 1000))
            try record.write(to: folder(id) + "/instance.json")
        } catch {
            try? manager.removeItem(atPath: folder(id))
            throw ProviderError(
                ErrorCode.Provider.bootFailed, "cannot create the instance folder under \(instancesDirectory): \(error.localizedDescription)",
                context: [.init("instance", id)])
        }
        return Instance(id: id, status: .ready, labels: request.labels, home: home(id), createdAt: Int(RunClock.nowMilliseconds() / 1000))
    }

    /// The instance, or `nil` when its folder is gone.
    public func get(_ id: String) async throws -> Instance? {
        guard Self.isValidID(id), let record = LocalInstanceRecord.read(from: folder(id) + "/instance.json") else { return nil }
        return record.instance(home: home(id))
    }

    /// Every instance whose labels include all of `labels`.
    public func list(labels: [String: String]) async throws -> [Instance] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: instancesDirectory)) ?? []
        return names.sorted().compactMap { name -> Instance? in
            guard Self.isValidID(name), let record = LocalInstanceRecord.read(from: folder(name) + "/instance.json") else { return nil }
            guard labels.allSatisfy({ record.labels[$0.key] == $0.value }) else { return nil }
            return record.instance(home: home(name))
        }
    }

    /// Kills every process of the instance (TERM, then KILL) and removes its folder.
    public func destroy(_ id: String) async throws {
        guard Self.isValidID(id) else {
            throw ProviderError(ErrorCode.Provider.invalidRequest, "`\(id)` is not a local instance id", context: [.init("instance", id)])
        }
        await LocalProcesses.terminateAll(marker: "\(Self.markerVariable)=\(id)", folder: folder(id))
        guard FileManager.default.fileExists(atPath: folder(id)) else { return }
        do {
            try FileManager.default.removeItem(atPath: folder(id))
        } catch {
            throw ProviderError(
                ErrorCode.Provider.unsupported, "cannot remove \(folder(id)): \(error.localizedDescription)", context: [.init("instance", id)])
        }
    }

    // MARK: Commands and files

    /// Runs `command` with bash in the instance (cwd: the command's, or the home),
    /// `stdin` fed to it, and waits for it.
    public func exec(_ id: String, _ command: CommandSpec, stdin: [UInt8]?) async throws -> ExecResult {
        guard Self.isValidID(id), FileManager.default.fileExists(atPath: home(id)) else {
            throw ProviderError(ErrorCode.Provider.notFound, "the local instance \(id) does not exist", context: [.init("instance", id)])
        }
        var spec = command
        if spec.cwd == nil { spec.cwd = home(id) }
        let environment: [[UInt8]] = [
            "HOME=\(home(id))", "PATH=\(Self.basePath)", "LANG=C.UTF-8", "TMPDIR=\(folder(id))/tmp", "\(Self.markerVariable)=\(id)",
            "USER=\(ProcessInfo.processInfo.environment["USER"] ?? "runjob")", "SHELL=/bin/bash",
        ].map { Array($0.utf8) + [0] }  // strdup-ed by Subprocess: NUL-terminate each entry
        do {
            let limit = 256 << 20
            let result: ExecutionResult<Void, BytesOutput, BytesOutput>
            if let stdin {
                result = try await Subprocess.run(
                    .path("/bin/bash"), arguments: ["-c", ShellScript.render(spec)], environment: .custom(environment),
                    workingDirectory: nil, input: .array(stdin), output: .bytes(limit: limit), error: .bytes(limit: limit))
            } else {
                result = try await Subprocess.run(
                    .path("/bin/bash"), arguments: ["-c", ShellScript.render(spec)], environment: .custom(environment),
                    workingDirectory: nil, input: .none, output: .bytes(limit: limit), error: .bytes(limit: limit))
            }
            let status: Int32
            switch result.terminationStatus {
            case .exited(let code): status = Int32(truncatingIfNeeded: code)
            case .signaled(let signal): status = 128 + Int32(truncatingIfNeeded: signal)
            }
            return ExecResult(exitCode: status, stdout: result.standardOutput, stderr: result.standardError)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ProviderError(
                ErrorCode.Provider.execFailed, "cannot run a command in the local instance: \(error)",
                context: [.init("instance", id), .init("command", command.label ?? "exec")])
        }
    }

    /// Writes a batch with one exec (the same script every provider uses).
    public func writeFiles(_ id: String, _ batch: FileBatch) async throws {
        try await execFileBatch(id, batch)
    }

    /// Reads the file directly (the instance is on this machine).
    public func readFile(_ id: String, path: String) async throws -> [UInt8]? {
        switch LocalFile.read(path, limit: 1 << 30) {
        case .bytes(let bytes): return bytes
        case .missing: return nil
        case .directory, .tooLarge, .unreadable:
            throw ProviderError(ErrorCode.Provider.fileReadFailed, "cannot read \(path)", context: [.init("instance", id)])
        }
    }

    // MARK: Ids

    /// `local-` and 12 lowercase letters or digits.
    static func newID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return "local-" + String((0..<12).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    /// Whether `id` looks like a local instance id (never a path).
    static func isValidID(_ id: String) -> Bool {
        id.hasPrefix("local-") && id.count == 18 && id.utf8.dropFirst(6).allSatisfy { ASCII.isLowercase($0) || ASCII.isDigit($0) }
    }
}
