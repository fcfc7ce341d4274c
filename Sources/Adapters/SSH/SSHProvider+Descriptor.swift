import Executor

extension SSHProvider {
    /// `provider: {kind: ssh, …}` and the options of ssh machines.
    public static let descriptor = ProviderDescriptor(
        kind: "ssh",
        summary: "Hosts you already have, over the system OpenSSH client (your ssh_config, agent, ProxyJump and known_hosts apply); "
            + "an instance is a folder ~/.runjob/instances/<id>/ on the host",
        providerOptions: OptionSchema([
            OptionField("connect_timeout", .duration, doc: "Time to set up a connection to a host", default: "10s"),
            OptionField(
                "control_persist", .duration,
                doc: "How long a shared connection stays open when idle if runjob dies (it is closed at exit otherwise)", default: "60s"),
            OptionField(
                "known_hosts", .choice(["strict", "accept-new"]),
                doc: "Host keys: `strict` connects only to hosts known_hosts has; `accept-new` records a new host's key (a changed key still fails)",
                default: "strict"),
            OptionField(
                "home", .choice(["instance", "user"]),
                doc: "HOME of the sessions: `instance` (the instance's own folder) or `user` (the account's home; destroy removes exactly "
                    + "the files runjob installed and puts back what they replaced); machines may say otherwise", default: "instance"),
            OptionField(
                "config_file", .text(.line),
                doc: "ssh client configuration to use instead of ~/.ssh/config (`ssh -F`); `~` is the home of the machine running runjob",
                default: "RUNJOB_SSH_CONFIG, else ssh's own (~/.ssh/config)"),
            OptionField(
                "retry_deadline", .duration, doc: "How long a command keeps being retried while the host cannot be reached", default: "30s"),
        ]),
        machineOptions: OptionSchema([
            OptionField("host", .text(.line), required: true, doc: "Host name, address, or a Host alias of your ssh_config"),
            OptionField("user", .text(.line), doc: "Login name", default: "ssh_config's, else your local user name"),
            OptionField("port", .integer(min: 1, max: 65535), doc: "SSH port", default: "ssh_config's, else 22"),
            OptionField(
                "identity_file", .text(.line),
                doc: "Private key; `~` here is the home of the machine running runjob (not the instance home, as everywhere else)",
                default: "ssh_config's and the agent's keys"),
            OptionField("ssh_options", .list(.text(.line)), doc: "Extra ssh options, `Key=Value` (ProxyJump=bastion, …)"),
            OptionField(
                "home", .choice(["instance", "user"]), doc: "HOME of this machine's sessions (see the provider's `home`)",
                default: "the provider's `home`"),
        ]),
        planNotes: { provider, machines in
            let fallback = provider.options.plainText("home") ?? "instance"
            let users = machines.filter { ($0.options.plainText("home") ?? fallback) == "user" }.map(\.name)
            guard !users.isEmpty else { return [] }
            return [
                "home: user on \(users.joined(separator: ", ")): sessions use the account's own home; runjob logs every file it installs "
                    + "there and destroy removes exactly those (putting back the files they replaced); one instance per account at a time"
            ]
        },
        make: { context in
            var configuration = try SSHConfiguration.from(options: context.options, machines: context.machines, environment: context.environment)
            if context.preview {
                // A quick read-only look gives up on an unreachable host soon.
                configuration.retryDeadline = min(configuration.retryDeadline, .seconds(3))
            }
            return MadeProvider(provider: SSHProvider(configuration: configuration))
        })
}
