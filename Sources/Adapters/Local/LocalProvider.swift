import AdapterKit
import Executor
import Foundation

/// The embedded provider: an instance is a folder on this machine,
/// `<state>/instances/<name>@<workspace>/<id>/` (or `<state>/instances/<id>/` without
/// deployment labels), with its own `home/` (the instance home), `tmp/` and
/// `instance.json` (labels); exec runs real processes with `HOME` set to that home, a
/// minimal environment, and a marker variable so that destroy finds every process of
/// the instance.
///
/// It isolates files, not security: processes run as the current user.
public struct LocalProvider: VMProvider {
    /// `local`.
    public let kind = "local"
    /// The state directory (`$XDG_STATE_HOME/runjob` or `~/.local/state/runjob`).
    public let stateDirectory: String
    /// Time between TERM and KILL when a cancelled exec stops its command.
    public let cancelGrace: Duration
    /// The environment variable every process of an instance carries (its value: the instance id).
    public static let markerVariable = "RUNJOB_INSTANCE"
    /// PATH of processes on an instance (the manifest's env and process managers add to it).
    public static let basePath = "/usr/local/bin:/usr/bin:/bin"
    /// Bytes at most of a command's stdout, and of its stderr.
    static let outputLimit = 256 << 20

    /// A provider keeping its instances under `stateDirectory`; a cancelled exec gives its
    /// command `cancelGrace` between TERM and KILL.
    public init(stateDirectory: String, cancelGrace: Duration = .seconds(2)) {
        self.stateDirectory = stateDirectory
        self.cancelGrace = cancelGrace
    }

    /// The default state directory for an environment: `$XDG_STATE_HOME/runjob`,
    /// else `$HOME/.local/state/runjob`; `nil` without either.
    public static func defaultStateDirectory(environment: [String: String]) -> String? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/runjob" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.local/state/runjob" }
        return nil
    }

    var layout: LocalLayout { LocalLayout(instancesDirectory: stateDirectory + "/instances") }

    /// The folder of the ready (renamed into place) instance `id`, if there is one.
    func folder(of id: String) throws -> String? {
        guard Self.isValidID(id) else { return nil }
        do throws(LocalFileError) {
            return try layout.places(of: id).first { !$0.staging }?.path
        } catch {
            throw ProviderError(ErrorCode.Provider.misconfigured, "cannot look for the local instance: \(error)", context: [.init("instance", id)])
        }
    }

    // MARK: Commands and files

    /// Runs `command` with bash in the instance (cwd: the command's, or the home), `stdin`
    /// fed to it, and waits for it. When the calling task is cancelled, the command's whole
    /// process group is stopped (TERM, then KILL after ``cancelGrace``) and waited for, and
    /// `CancellationError` is thrown; if runjob dies instead, the command runs to its end.
    public func exec(_ id: String, _ command: CommandSpec, stdin: [UInt8]?) async throws -> ExecResult {
        guard let folder = try folder(of: id), LocalFileSystem.isDirectory(folder + "/home") else {
            throw ProviderError(ErrorCode.Provider.notFound, "the local instance \(id) does not exist", context: [.init("instance", id)])
        }
        let home = folder + "/home"
        var spec = command
        if spec.cwd == nil { spec.cwd = home }
        let environment = [
            "HOME=\(home)", "PATH=\(Self.basePath)", "LANG=C.UTF-8", "TMPDIR=\(folder)/tmp", "\(Self.markerVariable)=\(id)",
            "USER=\(ProcessInfo.processInfo.environment["USER"] ?? "runjob")", "SHELL=/bin/bash",
        ]
        let execution = LocalExecution(
            script: ShellScript.render(spec), environment: environment, scratchDirectory: folder + "/tmp", outputLimit: Self.outputLimit,
            grace: cancelGrace, instanceFolder: folder)
        let context = [ErrorContext("instance", id), ErrorContext("command", command.label ?? "exec")]
        do {
            return try await execution.run(stdin: stdin)
        } catch let failure as LocalExecution.Failure {
            switch failure {
            case .files(let error):
                throw ProviderError(ErrorCode.Provider.execFailed, "cannot run a command in the local instance: \(error)", context: context)
            case .spawn(let error):
                throw ProviderError(
                    ErrorCode.Provider.execFailed, "cannot start /bin/bash for a command in the local instance: \(error)", context: context)
            case .outputTooLarge(let stream):
                throw ProviderError(
                    ErrorCode.Provider.execFailed, "the command wrote more than \(Self.outputLimit >> 20) MiB to \(stream)", context: context)
            }
        }
    }

    /// Writes a batch with one exec (the same script every provider uses), after checking
    /// that every target stays inside the instance folder once the links of its existing
    /// parent folders are followed (`provider.path_outside_instance` otherwise).
    public func writeFiles(_ id: String, _ batch: FileBatch) async throws {
        if let folder = try folder(of: id) {
            try LocalPathGuard(folder: folder, home: folder + "/home").check(batch, instance: id)
        }
        try await execFileBatch(id, batch)
    }

    /// Adds labels to the instance's `instance.json` (rewritten atomically).
    public func addLabels(_ id: String, _ labels: [String: String]) async throws {
        let places: [LocalLayout.Place]
        do throws(LocalFileError) {
            places = Self.isValidID(id) ? try layout.places(of: id) : []
        } catch {
            throw ProviderError(ErrorCode.Provider.misconfigured, "cannot look for the local instance: \(error)", context: [.init("instance", id)])
        }
        guard let place = places.first(where: { !$0.staging }) else {
            throw ProviderError(ErrorCode.Provider.notFound, "no local instance \(id)", context: [.init("instance", id)])
        }
        let path = place.path + "/" + LocalInstanceRecord.fileName
        guard case .record(var record) = LocalInstanceRecord.read(from: path, id: id) else {
            throw ProviderError(ErrorCode.Provider.invalidResponse, "the labels file of \(id) is missing or damaged", context: [.init("instance", id)])
        }
        record.labels.merge(labels) { $1 }
        do throws(LocalFileError) {
            try record.write(to: path)
        } catch {
            throw ProviderError(ErrorCode.Provider.misconfigured, "cannot write the labels of \(id): \(error)", context: [.init("instance", id)])
        }
    }

    /// Reads the file directly (the instance is on this machine); a FIFO or device is refused, not waited on.
    public func readFile(_ id: String, path: String) async throws -> [UInt8]? {
        switch LocalFileSystem.readRegular(path, limit: 1 << 30) {
        case .bytes(let bytes): return bytes
        case .missing: return nil
        case .directory:
            throw ProviderError(ErrorCode.Provider.fileReadFailed, "cannot read \(path): it is a directory", context: [.init("instance", id)])
        case .tooLarge(let size):
            throw ProviderError(
                ErrorCode.Provider.fileReadFailed, "cannot read \(path): it is \(size) bytes, more than 1 GiB", context: [.init("instance", id)])
        case .unreadable(let reason):
            throw ProviderError(ErrorCode.Provider.fileReadFailed, "cannot read \(path): \(reason)", context: [.init("instance", id)])
        }
    }

    // MARK: Ids

    /// `local-` and 12 lowercase letters or digits.
    static func newID() -> String { FolderInstanceID.make(prefix: "local-") }

    /// Whether `id` looks like a local instance id (never a path).
    static func isValidID(_ id: String) -> Bool { FolderInstanceID.isValid(id, prefix: "local-") }
}
