import Executor
import Foundation

/// Where the sessions of an ssh instance live.
enum SSHHomeMode: String, Sendable {
    /// The instance's own folder on the host (`~/.runjob/instances/<id>/home`): isolated, like the local provider.
    case instance
    /// The account's real home: tools and logins already there; runjob logs every file it
    /// installs and removes exactly those on destroy (putting back what they replaced).
    case user
}

/// How the ssh provider connects: timeouts, connection sharing, host key policy, and
/// where each machine of the manifest is.
struct SSHConfiguration: Sendable {
    /// `known_hosts:` of the provider block.
    enum KnownHosts: String, Sendable {
        /// Only hosts whose key is already known (StrictHostKeyChecking=yes).
        case strict
        /// Record the key of a host seen for the first time; a changed key still fails.
        case acceptNew = "accept-new"
    }

    /// Time to set up a TCP connection.
    var connectTimeout: Duration = .seconds(10)
    /// How long a shared connection left behind (runjob killed) stays open when idle.
    var controlPersist: Duration = .seconds(60)
    /// The host key policy.
    var knownHosts: KnownHosts = .strict
    /// The `home` of machines that do not say.
    var home: SSHHomeMode = .instance
    /// `ssh -F`: a client configuration file instead of `~/.ssh/config` (expanded locally).
    var configFile: String?
    /// How long a call keeps being retried after connection failures.
    var retryDeadline: Duration = .seconds(30)
    /// The ssh client.
    var program: String = "ssh"
    /// The environment of the ssh client (`SSH_AUTH_SOCK`, `HOME`, …): runjob's own.
    var environment: [String: String] = [:]
    /// Each machine's endpoint and home mode.
    var machines: [String: (endpoint: SSHEndpoint, home: SSHHomeMode)] = [:]

    /// Every distinct endpoint, in the manifest's order of machines.
    var endpoints: [SSHEndpoint] {
        var seen: [SSHEndpoint] = []
        for name in machines.keys.sorted() {
            if let endpoint = machines[name]?.endpoint, !seen.contains(endpoint) { seen.append(endpoint) }
        }
        return seen
    }

    /// The configuration for a `provider: {kind: ssh, …}` block, the manifest's machines and
    /// this process's environment.
    static func from(options: AdapterOptions, machines: [MachineSpec], environment: [String: String]) throws -> SSHConfiguration {
        var configuration = SSHConfiguration()
        configuration.environment = environment
        func duration(_ name: String) -> Duration? { options.durationMilliseconds(name).map { .milliseconds($0) } }
        if let value = duration("connect_timeout") { configuration.connectTimeout = value }
        if let value = duration("control_persist") { configuration.controlPersist = value }
        if let value = duration("retry_deadline") { configuration.retryDeadline = value }
        if let text = options.plainText("known_hosts"), let value = KnownHosts(rawValue: text) { configuration.knownHosts = value }
        if let text = options.plainText("home"), let value = SSHHomeMode(rawValue: text) { configuration.home = value }
        let localHome = environment["HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        if let file = options.plainText("config_file") ?? environment["RUNJOB_SSH_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            configuration.configFile = try expand(file, localHome: localHome, option: "config_file")
        }
        configuration.program = locate("ssh", path: environment["PATH"]) ?? "ssh"
        for machine in machines {
            let endpoint = try SSHEndpoint.of(machine, localHome: localHome)
            let home = machine.options.plainText("home").flatMap(SSHHomeMode.init(rawValue:)) ?? configuration.home
            configuration.machines[machine.name] = (endpoint, home)
        }
        return configuration
    }

    /// `path` with a leading `~` replaced by this machine's home.
    static func expand(_ path: String, localHome: String?, option: String) throws -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        guard let localHome else {
            throw ProviderError(ErrorCode.Provider.misconfigured, "`\(option)` starts with `~`, but HOME is not set on this machine")
        }
        return localHome + path.dropFirst()
    }

    /// The absolute path of `program` in `path` (colon-separated), if it is there.
    static func locate(_ program: String, path: String?) -> String? {
        for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where folder.hasPrefix("/") {
            let candidate = folder + "/" + program
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
