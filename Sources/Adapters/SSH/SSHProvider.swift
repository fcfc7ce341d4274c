import AdapterKit
import Executor
import Foundation
import Synchronization

/// The ssh provider: an instance is a claim on a host you already have, reached with
/// the system OpenSSH client (so `~/.ssh/config`, the agent, ProxyJump and known_hosts
/// work as they do for you). Booting creates `~/.runjob/instances/<id>/` on the host with
/// the instance's labels; the host itself is never created or destroyed.
///
/// Commands run through one shared connection per host (see ``SSHTransport``) with
/// their stdin streamed: file payloads and prompts never appear in a process list.
/// Instances are found again from their records on the hosts of the manifest's
/// machines, from any machine with SSH access.
public struct SSHProvider: VMProvider {
    /// `ssh`.
    public let kind = "ssh"
    /// The environment variable every process of an instance carries (its value: the instance id).
    public static let markerVariable = "RUNJOB_INSTANCE"

    let configuration: SSHConfiguration
    let transport: SSHTransport
    /// Instance id → the endpoint it was seen on (filled by boot, get and list).
    private let places = SSHPlaces()

    init(configuration: SSHConfiguration) {
        self.configuration = configuration
        transport = SSHTransport(configuration: configuration)
    }

    /// The hosts this provider looks at, by endpoint: two runs over the same hosts share a lease.
    public var leaseScope: String {
        "ssh:" + configuration.endpoints.map(\.description).sorted().joined(separator: ",")
    }

    /// Closes the shared connections and removes their private folder.
    public func release() async {
        await transport.close()
    }

    // MARK: Commands and files

    /// Runs `command` in the instance (HOME: its own folder, or the account's under
    /// `home: user`; cwd: the command's, else HOME) with `stdin` streamed to it.
    public func exec(_ id: String, _ command: CommandSpec, stdin: [UInt8]?) async throws -> ExecResult {
        let context = [ErrorContext("instance", id), ErrorContext("command", command.label ?? "exec")]
        let reply = try await run(id, ShellScript.render(command), stdin: stdin, readOnly: command.readOnly, context: context)
        return ExecResult(exitCode: reply.exitCode, stdout: reply.stdout, stderr: reply.stderr)
    }

    /// Writes a batch in one round trip (the script every provider uses, its payload on stdin).
    public func writeFiles(_ id: String, _ batch: FileBatch) async throws {
        try await execFileBatch(id, batch)
    }

    /// The file's bytes (`cat` on the host), or `nil` when nothing is there.
    public func readFile(_ id: String, path: String) async throws -> [UInt8]? {
        let context = [ErrorContext("instance", id), ErrorContext("path", path)]
        let reply = try await run(id, SSHScripts.read(path: path), stdin: nil, readOnly: true, context: context)
        switch reply.exitCode {
        case 0: return reply.stdout
        case SSHScripts.fileMissing: return nil
        default:
            let detail = String(decoding: reply.stderr, as: UTF8.self).trimmingASCIIWhitespace()
            throw ProviderError(ErrorCode.Provider.fileReadFailed, "cannot read \(path): \(detail.isEmpty ? "exit \(reply.exitCode)" : detail)", context: context)
        }
    }

    /// Adds labels to the instance's record on its host (read, merge, atomic rewrite).
    public func addLabels(_ id: String, _ labels: [String: String]) async throws {
        guard let found = try await find(id), let endpoint = endpoint(of: id) else {
            throw ProviderError(ErrorCode.Provider.notFound, "no ssh instance \(id)", context: [.init("instance", id)])
        }
        guard found.status != .incomplete else {
            throw ProviderError(ErrorCode.Provider.invalidResponse, "the record of \(id) is missing or damaged", context: [.init("instance", id)])
        }
        let record = InstanceRecordDocument(id: id, labels: found.labels.merging(labels) { $1 }, createdAt: found.createdAt ?? 0)
        let wrapper = SSHWrapper(script: SSHScripts.writeRecord(id: id))
        let context = [ErrorContext("instance", id), ErrorContext("command", "labels")]
        let outcome = try await transport.run(endpoint, wrapper, stdin: record.bytes, readOnly: false, context: context)
        guard case .finished(let reply) = outcome, reply.exitCode == 0 else {
            throw ProviderError(ErrorCode.Provider.execFailed, "cannot write the labels of \(id)", context: context)
        }
    }

    /// Runs `script` inside the instance `id`; `provider.not_found` when its folder is gone.
    func run(_ id: String, _ script: String, stdin: [UInt8]?, readOnly: Bool, context: [ErrorContext]) async throws -> SSHReply {
        guard Self.isValidID(id) else {
            throw ProviderError(ErrorCode.Provider.invalidRequest, "`\(id)` is not an ssh instance id", context: [.init("instance", id)])
        }
        guard let endpoint = try await locate(id) else {
            throw ProviderError(ErrorCode.Provider.notFound, "the ssh instance \(id) is on none of the manifest's hosts", context: context)
        }
        switch try await transport.run(endpoint, SSHWrapper(script: script, instance: id), stdin: stdin, readOnly: readOnly, context: context) {
        case .finished(let reply): return reply
        case .missing:
            throw ProviderError(ErrorCode.Provider.notFound, "the ssh instance \(id) no longer exists on \(endpoint)", context: context)
        case .neverStarted, .lost:
            throw ProviderError(ErrorCode.Provider.unreachable, "the command did not complete on \(endpoint)", context: context)
        }
    }

    // MARK: Where instances are

    /// The endpoint `id` was last seen on.
    func endpoint(of id: String) -> SSHEndpoint? {
        places.map.withLock { $0[id] }
    }

    /// The endpoint of `id`: where it was last seen, else wherever a search of every host finds it.
    func locate(_ id: String) async throws -> SSHEndpoint? {
        if let known = endpoint(of: id) { return known }
        _ = try await find(id)
        return endpoint(of: id)
    }

    /// Notes where `id` is.
    func remember(_ id: String, on endpoint: SSHEndpoint) {
        places.map.withLock { $0[id] = endpoint }
    }

    // MARK: Ids

    /// `ssh-` and 12 lowercase letters or digits.
    static func newID() -> String { FolderInstanceID.make(prefix: "ssh-") }

    /// Whether `id` looks like an ssh instance id (never a path).
    static func isValidID(_ id: String) -> Bool { FolderInstanceID.isValid(id, prefix: "ssh-") }
}

/// Where each instance id was seen, shared by the copies of one provider.
final class SSHPlaces: Sendable {
    /// Instance id → endpoint.
    let map = Mutex<[String: SSHEndpoint]>([:])
}
