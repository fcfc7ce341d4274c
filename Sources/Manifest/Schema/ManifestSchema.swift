import Executor

/// The declared shape of manifest v1, assembled from runjob's own field lists
/// and every registered adapter's ``OptionSchema``. The loader reads manifests
/// with it and `runjob schema` prints it as JSON Schema, so the two always agree.
public struct ManifestSchema: Sendable {
    /// The only manifest version this runjob reads.
    public static let supportedVersion = 1
    /// The process manager used when a manifest names none.
    public static let defaultProcessManager = "shell"
    /// Top-level keys starting with this are ignored: a place for YAML anchors
    /// (`x-defaults: &defaults {…}`), as in Docker Compose.
    public static let extensionPrefix = "x-"
    /// The machine name `machine:` (the single-machine shorthand) stands for.
    public static let defaultMachineName = "main"

    /// The adapters whose options are part of the schema.
    public let registry: AdapterRegistry

    /// A schema over `registry`'s adapters.
    public init(registry: AdapterRegistry) {
        self.registry = registry
    }

    // MARK: Top level

    /// The top-level fields, with machine options of the provider `providerKind`
    /// (or the union of all providers' machine options when it is unknown).
    public func topLevel(providerKind: String?) -> OptionSchema {
        let machine = OptionType.object(machine(providerKind: providerKind))
        return OptionSchema([
            OptionField("version", .integer(min: nil, max: nil), required: true, doc: "Manifest format version; must be 1"),
            OptionField("name", .text(.name), required: true, doc: "Name of this job; identifies its instances together with the workspace"),
            OptionField("description", .text(.any), doc: "Free text for readers of the manifest"),
            OptionField(
                "provider", providerType, required: true,
                doc: "Where machines come from: `local`, `morph`, … (a word, or a mapping with `kind` and options)"),
            OptionField("machine", machine, doc: "A single machine (shorthand for `machines: {main: …}`)"),
            OptionField("machines", .map(key: .name, value: machine), doc: "Machines by name"),
            OptionField(
                "process_manager", processManagerType, doc: "What keeps sessions running: `shell` or `pm2` (a word, or a mapping with `kind`)",
                default: Self.defaultProcessManager),
            OptionField(
                "credentials", .map(key: .name, value: .object(credentialProfile)),
                doc: "Credential profiles by name: files installed before sessions start"),
            OptionField(
                "sessions", .map(key: .name, value: sessionType), doc: "Sessions by name: commands or agents started under the process manager"),
        ] + (registry.logins.isEmpty ? [] : [OptionField("auth", .object(logins), doc: "Settings of the stored logins that `${auth:…}` reads")])
            + (registry.resources.isEmpty
                ? []
                : [
                    OptionField(
                        "resources", .map(key: .name, value: resourceType),
                        doc: "Services a run creates (or finds again) for its sessions: `${resource:NAME.OUTPUT}` in a session's env or prompt, or a credential file")
                ]))
    }

    // MARK: Resources

    /// Fields every resource has, whatever its kind.
    public static let resourceCommonFields = OptionSchema([
        OptionField(
            "optional", .boolean,
            doc: "A failed creation does not fail the run: the sessions start without the variables that refer to it", default: "false"),
        OptionField("keep", .boolean, doc: "`destroy` leaves the resource in place", default: "false"),
    ])

    /// `resources.NAME` — one case per resource adapter; its outputs are listed in the case's doc.
    public var resourceType: OptionType {
        .variants(
            Variants(
                discriminator: "kind",
                cases: registry.resources.map { resource in
                    let outputs = resource.outputs.map { "`\($0.name)`" + ($0.isSecret ? " (secret)" : "") }.joined(separator: ", ")
                    return Variants.Case(
                        name: resource.kind, doc: resource.summary + ". Outputs: " + outputs,
                        schema: Self.resourceCommonFields.merging(resource.options))
                },
                allowsShorthand: false))
    }

    /// `auth:` — one block per login adapter.
    public var logins: OptionSchema {
        OptionSchema(
            registry.logins.map { login in
                OptionField(
                    login.name,
                    .object(
                        OptionSchema([
                            OptionField(
                                "min_validity", .duration,
                                doc: "How long the token must stay valid when apply resolves `${auth:\(login.name)…}`; refreshed first when it would not",
                                default: Self.durationText(login.defaultMinValidityMilliseconds))
                        ])), doc: login.summary)
            })
    }

    /// `2h`, `90m`, `45s` for a whole number of milliseconds.
    static func durationText(_ milliseconds: Int) -> String {
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }

    /// `provider:` — one case per provider adapter.
    public var providerType: OptionType {
        .variants(
            Variants(
                discriminator: "kind",
                cases: registry.providers.map { Variants.Case(name: $0.kind, doc: $0.summary, schema: $0.providerOptions) },
                allowsShorthand: true))
    }

    /// `process_manager:` — one case per process manager adapter.
    public var processManagerType: OptionType {
        .variants(
            Variants(
                discriminator: "kind",
                cases: registry.processManagers.map { Variants.Case(name: $0.kind, doc: $0.summary, schema: $0.options) },
                allowsShorthand: true))
    }

    // MARK: Machines

    /// Fields every machine has, whatever the provider.
    public static let machineCommonFields = OptionSchema([
        OptionField(
            "home", .path, doc: "Home directory on the instance, when the provider cannot tell (absolute)", default: "asked from the instance"),
        OptionField("metadata", .map(key: .labelKey, value: .text(.any)), doc: "Extra labels on the instance (keys `runjob.*` are reserved)"),
        OptionField("info", .json, doc: "Anything; written to `~/.machine.json` (mode 0640) with the instance id and run details"),
    ])

    /// A machine's fields for the provider `providerKind`.
    public func machine(providerKind: String?) -> OptionSchema {
        if let providerKind, let provider = registry.provider(providerKind) {
            return Self.machineCommonFields.merging(provider.machineOptions)
        }
        var union = Self.machineCommonFields
        for provider in registry.providers {
            for field in provider.machineOptions.fields where union.field(field.name) == nil {
                var optional = field
                optional.required = false
                union.fields.append(optional)
            }
        }
        return union
    }

    // MARK: Credentials

    /// A credential profile's fields.
    public let credentialProfile = OptionSchema([
        OptionField(
            "dirs",
            .list(
                .object(
                    OptionSchema([
                        OptionField("path", .path, required: true, doc: "Directory on the instance (absolute or ~)"),
                        OptionField("mode", .mode, doc: "Octal mode, e.g. 0700", default: "as created (umask)"),
                    ]))), doc: "Directories created first, in order"),
        OptionField(
            "files",
            .list(
                .object(
                    OptionSchema([
                        OptionField("path", .path, required: true, doc: "File on the instance (absolute or ~)"),
                        OptionField("mode", .mode, doc: "Octal mode", default: "0600"),
                        OptionField(
                            "content", .text(.any), required: true, secrets: .allowedWithOutputs,
                            doc: "The content, usually `${file:…}` or `${env:…}` (secret: never shown)"),
                    ]))), doc: "Files written atomically and verified by SHA-256"),
        OptionField(
            "env", .map(key: .envName, value: .text(.any)), secrets: .allowed,
            doc: "Environment variables given to every session that uses the profile"),
        OptionField("verify", .command, secrets: .command, doc: "A command that must exit 0 after installation"),
    ])

    // MARK: Sessions

    /// Fields every session has, whatever it runs.
    public static let sessionCommonFields = OptionSchema([
        OptionField("machine", .text(.name), doc: "Machine to run on", default: "the only machine"),
        OptionField("cwd", .path, secrets: .command, doc: "Working directory on the instance (absolute or ~); must exist", default: "~"),
        OptionField(
            "env", .map(key: .envName, value: .text(.any)), secrets: .allowedWithOutputs,
            doc: "Environment variables; secret ones reach the process through a 0600 file"),
        OptionField("credentials", .list(.text(.name)), doc: "Credential profiles installed before the session starts"),
        OptionField(
            "after", .map(key: .name, value: .choice(SessionDependency.Condition.allCases.map(\.rawValue))),
            doc: "Sessions to wait for: `started`, or `completed` (finished successfully)"),
    ])

    /// The prompt field (required for agents that say so).
    static func promptField(required: Bool) -> OptionField {
        OptionField(
            "prompt", .text(.any), required: required, secrets: .allowedWithOutputs,
            doc: required ? "The task, fed to the agent on stdin" : "Text fed on stdin", default: required ? nil : "stdin is /dev/null")
    }

    /// The key that selects an agent.
    public static let agentKey = "agent"
    /// The key of a `run:` session's command.
    public static let runKey = "run"

    /// A session: a `run:` command (no `agent`), or one case per agent adapter.
    public var sessionType: OptionType {
        let runCase = Variants.Case(
            name: Self.runKey, doc: "Runs a command or shell script",
            schema: Self.sessionCommonFields.merging(
                OptionSchema([
                    OptionField(
                        Self.runKey, .command, required: true, secrets: .command, doc: "The command: a shell script, {shell: …} or {argv: […]}"),
                    Self.promptField(required: false),
                ])))
        let agentCases = registry.agents.map { agent in
            Variants.Case(
                name: agent.kind, doc: agent.summary,
                schema: Self.sessionCommonFields.merging(OptionSchema([Self.promptField(required: agent.requiresPrompt)])).merging(
                    agent.sessionOptions))
        }
        return .variants(Variants(discriminator: Self.agentKey, cases: agentCases, allowsShorthand: false, fallback: runCase))
    }

    /// Keys a session has beside its agent's own options.
    static let sessionCommonKeys: Set<String> = Set(sessionCommonFields.fields.map(\.name) + ["prompt", runKey, agentKey])
}
