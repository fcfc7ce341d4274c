import Executor

/// One account on one host, as the system ssh client reaches it: what a machine's
/// `host`, `user`, `port`, `identity_file` and `ssh_options` say. Machines with the
/// same endpoint share one connection and one instance listing.
struct SSHEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// A name or address ssh resolves (also a `Host` alias of ssh_config).
    var host: String
    /// The login name, when the manifest gives one (else ssh_config's, else the local user).
    var user: String?
    /// The port, when the manifest gives one.
    var port: Int?
    /// The private key, already expanded on the machine running runjob.
    var identityFile: String?
    /// Extra `-o` options (`Key=Value`).
    var options: [String]

    /// `user@host:port` as far as known: for messages and error context.
    var description: String {
        (user.map { $0 + "@" } ?? "") + host + (port.map { ":\($0)" } ?? "")
    }

    /// The client arguments that select this endpoint (before the host itself).
    var arguments: [String] {
        var arguments: [String] = []
        if let user { arguments += ["-l", user] }
        if let port { arguments += ["-p", String(port)] }
        if let identityFile { arguments += ["-i", identityFile] }
        for option in options { arguments += ["-o", option] }
        return arguments
    }

    /// Options runjob sets itself (lower case): a machine's `ssh_options` may not change them.
    static let reservedOptions: Set<String> = ["controlmaster", "controlpath", "controlpersist", "batchmode", "stricthostkeychecking"]

    /// The endpoint a machine names; `localHome` expands a leading `~` of `identity_file`
    /// (the home of the machine running runjob, not of the instance).
    static func of(_ machine: MachineSpec, localHome: String?) throws -> SSHEndpoint {
        let context = [ErrorContext("machine", machine.name)]
        guard let host = machine.options.plainText("host"), !host.isEmpty else {
            throw ProviderError(ErrorCode.Provider.misconfigured, "machine \(machine.name) has no `host`", context: context)
        }
        guard !host.hasPrefix("-"), host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ProviderError(
                ErrorCode.Provider.misconfigured, "the host of machine \(machine.name) must be a host name, an address or an ssh_config alias",
                context: context)
        }
        var identity = machine.options.plainText("identity_file")
        if let path = identity, path == "~" || path.hasPrefix("~/") {
            guard let localHome else {
                throw ProviderError(
                    ErrorCode.Provider.misconfigured, "`identity_file` starts with `~`, but HOME is not set on this machine", context: context)
            }
            identity = localHome + path.dropFirst()
        }
        var options: [String] = []
        if case .list(let items)? = machine.options["ssh_options"] {
            for case .text(let text) in items {
                guard let option = text.plainValue else { continue }
                let key = option.split(whereSeparator: { $0 == "=" || $0 == " " }).first.map { String($0).lowercased() } ?? ""
                guard !key.isEmpty, option.contains("=") || option.contains(" ") else {
                    throw ProviderError(
                        ErrorCode.Provider.misconfigured, "ssh option `\(option)` of machine \(machine.name) is not `Key=Value`", context: context)
                }
                guard !reservedOptions.contains(key) else {
                    throw ProviderError(
                        ErrorCode.Provider.misconfigured,
                        "ssh option `\(option)` of machine \(machine.name) is runjob's own (connection sharing, batch mode and host keys are "
                            + "set by the provider: use the provider's `known_hosts` and `control_persist`)", context: context)
                }
                options.append(option)
            }
        }
        let user = machine.options.plainText("user")
        if let user, user.hasPrefix("-") || user.isEmpty {
            throw ProviderError(ErrorCode.Provider.misconfigured, "the user of machine \(machine.name) is not a login name", context: context)
        }
        return SSHEndpoint(host: host, user: user, port: machine.options.integer("port"), identityFile: identity, options: options)
    }
}
