import Dispatch
import Executor
import Synchronization

/// Walks the top level of a manifest, reads each block with the ``SchemaReader``
/// and assembles the typed specs; then runs the checks that span blocks.
struct ManifestBuilder {
    let root: YAMLNode
    let file: String
    let schema: ManifestSchema
    let reader: SchemaReader

    init(root: YAMLNode, file: String, schema: ManifestSchema, reader: SchemaReader) {
        self.root = root
        self.file = file
        self.schema = schema
        self.reader = reader
    }

    mutating func build() throws(ManifestError) -> Manifest {
        guard let pairs = root.pairs else {
            let isEmpty = root.scalar?.isNull ?? false
            reader.error(
                isEmpty ? ErrorCode.Manifest.emptyDocument : ErrorCode.Manifest.notAMapping,
                isEmpty
                    ? "the document is empty; a manifest starts with `version: 1`"
                    : "the top level must be a mapping (`version: 1`, `name: …`, …), found \(root.kindDescription)",
                at: root, path: .root)
            throw ManifestError(diagnostics: reader.bag.items)
        }
        let providerKind = peekProviderKind()
        reader.pathsStayInInstance = providerKind.flatMap { schema.registry.provider($0)?.pathsStayInInstance } ?? false
        let top = schema.topLevel(providerKind: providerKind)
        for pair in pairs where top.field(pair.keyText) == nil && !pair.keyText.hasPrefix(ManifestSchema.extensionPrefix) {
            reader.reportUnknownKey(pair.keyText, at: pair.key, path: .root, known: top.fields.map(\.name))
        }
        for field in top.fields where field.required && root[field.name] == nil {
            reader.error(ErrorCode.Manifest.missingField, "the required field `\(field.name)` is missing (\(field.doc))", at: root, path: .root)
        }

        let version = readVersion()
        let name = root["name"].flatMap { reader.readText($0, format: .name, secrets: .forbidden, path: YAMLPath.root.appending("name")) }
        let description = root["description"].flatMap {
            reader.readText($0, format: .any, secrets: .forbidden, path: YAMLPath.root.appending("description"))
        }
        let provider = readProvider(top)
        let processManager = readProcessManager(top)
        let machines = readMachines(providerKind: providerKind)
        let resources = readResources()
        let profiles = readProfiles()
        let sessions = readSessions(machineNames: machines.declared.map(\.name))

        var checks = ReferenceChecks(
            reader: reader, registry: schema.registry, machines: machines.declared, profiles: profiles.declared, sessions: sessions.declared)
        checks.run()
        checkPrompts(sessions.specs)
        ResourceChecks(reader: reader, root: root).run(resources: resources, profiles: profiles.specs, sessions: sessions.specs)
        let logins = LoginChecks(reader: reader, registry: schema.registry, root: root, schema: schema)
            .run(profiles: profiles.specs, sessions: sessions.specs)

        guard !reader.bag.hasErrors, let version, let name, let provider, let processManager else {
            throw ManifestError(diagnostics: reader.bag.items)
        }
        let unresolved = Set(reader.references.filter(\.isMissing).map(\.source)).sorted()
        var manifest = Manifest(
            version: version, name: name.description, description: description?.description, source: file, provider: provider,
            processManager: processManager, machines: machines.specs, credentials: profiles.specs, sessions: sessions.specs,
            warnings: reader.bag.items.filter { $0.severity == .warning }, unresolvedSources: unresolved)
        manifest.resources = resources
        manifest.logins = logins
        manifest.loginSecrets = reader.interpolator.logins.secrets
        return manifest
    }

    /// The provider kind, read quietly so machine options can be checked against it.
    private func peekProviderKind() -> String? {
        guard let node = root["provider"] else { return nil }
        let kind = node.scalar?.text ?? node["kind"]?.scalar?.text
        return kind.flatMap { schema.registry.provider($0) != nil ? $0 : nil }
    }

    private func readVersion() -> Int? {
        guard let node = root["version"] else { return nil }
        guard let version = reader.readInteger(node, min: nil, max: nil, path: YAMLPath.root.appending("version")) else { return nil }
        guard version == ManifestSchema.supportedVersion else {
            reader.error(
                ErrorCode.Manifest.unsupportedVersion,
                "manifest version \(version) is not supported; this runjob reads version \(ManifestSchema.supportedVersion)", at: node,
                path: YAMLPath.root.appending("version"))
            return nil
        }
        return version
    }

    private func readProvider(_ top: OptionSchema) -> ProviderSpec? {
        guard let node = root["provider"], let field = top.field("provider") else { return nil }
        guard case .variant(let kind?, let options)? = reader.read(node, as: field.type, secrets: .allowed, path: YAMLPath.root.appending("provider"))
        else { return nil }
        return ProviderSpec(kind: kind, options: options)
    }

    private func readProcessManager(_ top: OptionSchema) -> ProcessManagerSpec? {
        guard let node = root["process_manager"] else { return ProcessManagerSpec(kind: ManifestSchema.defaultProcessManager) }
        guard let field = top.field("process_manager"),
            case .variant(let kind?, let options)? = reader.read(
                node, as: field.type, secrets: .allowed, path: YAMLPath.root.appending("process_manager"))
        else { return nil }
        return ProcessManagerSpec(kind: kind, options: options)
    }

    // MARK: Machines

    private func readMachines(providerKind: String?) -> (specs: [MachineSpec], declared: [DeclaredEntity]) {
        let machineSchema = schema.machine(providerKind: providerKind)
        let providerOwned = Set((providerKind.flatMap { schema.registry.provider($0)?.machineOptions } ?? OptionSchema([])).fields.map(\.name))
        let single = root["machine"]
        let many = root["machines"]
        if let single, let many {
            reader.error(
                ErrorCode.Manifest.conflictingFields, "use either `machine:` (one machine) or `machines:` (several), not both", at: many,
                path: YAMLPath.root.appending("machines"), notes: [.init(single.location, "`machine:` is here")])
        }
        if single == nil && many == nil && root["provider"] != nil {
            reader.error(
                ErrorCode.Manifest.missingField, "the manifest declares no machine; add `machine:` (one machine) or `machines:` (several)",
                at: root, path: .root)
        }
        var specs: [MachineSpec] = []
        var declared: [DeclaredEntity] = []
        if let single, many == nil {
            let name = ManifestSchema.defaultMachineName
            declared.append(DeclaredEntity(name: name, keyNode: single, node: single))
            if let spec = readMachine(single, name: name, schema: machineSchema, providerOwned: providerOwned, path: YAMLPath.root.appending("machine")) { specs.append(spec) }
        }
        if let many {
            guard let pairs = reader.expectMapping(many, path: YAMLPath.root.appending("machines")) else { return (specs, declared) }
            if pairs.isEmpty {
                reader.error(
                    ErrorCode.Manifest.invalidValue, "`machines` is empty; declare at least one machine", at: many,
                    path: YAMLPath.root.appending("machines"))
            }
            for pair in pairs {
                let path = YAMLPath.root.appending("machines").appending(pair.keyText)
                guard reader.checkKey(pair.keyText, format: .name, at: pair.key, path: path) else { continue }
                declared.append(DeclaredEntity(name: pair.keyText, keyNode: pair.key, node: pair.value))
                if let spec = readMachine(pair.value, name: pair.keyText, schema: machineSchema, providerOwned: providerOwned, path: path) { specs.append(spec) }
            }
        }
        return (specs, declared)
    }

    private func readMachine(
        _ node: YAMLNode, name: String, schema machineSchema: OptionSchema, providerOwned: Set<String>, path: YAMLPath
    ) -> MachineSpec? {
        guard let options = reader.readObject(node, schema: machineSchema, path: path) else { return nil }
        var home: RemotePath?
        if let homePath = options.path("home") {
            if case .home = homePath, let homeNode = node["home"] {
                if reader.pathsStayInInstance {
                    reader.error(
                        ErrorCode.Manifest.pathOutsideInstance, "this provider gives every instance its own home folder; remove `home`",
                        at: homeNode, path: path.appending("home"))
                } else {
                    reader.error(
                        ErrorCode.Manifest.invalidPath, "`home` must be an absolute path (it defines what `~` means)", at: homeNode,
                        path: path.appending("home"))
                }
                return nil
            }
            home = homePath
        }
        var metadata: [OptionEntry] = []
        if case .map(let entries)? = options["metadata"] { metadata = entries }
        var info = JSONValue.object([])
        if case .json(let value)? = options["info"] { info = value }
        // A common field the provider declares itself (the ssh provider's `home`) is the provider's.
        let common = Set(ManifestSchema.machineCommonFields.fields.map(\.name)).subtracting(providerOwned)
        let adapterOptions = AdapterOptions(options.values.filter { !common.contains($0.key) })
        return MachineSpec(name: name, home: home, metadata: metadata, info: info, options: adapterOptions)
    }

    // MARK: Resources

    /// Reads `resources:` and declares each entry to the interpolator, so the blocks read
    /// after it can refer to their outputs.
    private func readResources() -> [ResourceSpec] {
        guard let node = root["resources"] else { return [] }
        let basePath = YAMLPath.root.appending("resources")
        guard let pairs = reader.expectMapping(node, path: basePath) else { return [] }
        let catalog = reader.interpolator.resources
        var specs: [ResourceSpec] = []
        for pair in pairs {
            let path = basePath.appending(pair.keyText)
            guard reader.checkKey(pair.keyText, format: .name, at: pair.key, path: path) else { continue }
            let optionalFlag = pair.value["optional"]?.scalar.map { $0.text == "true" } ?? false
            let declaredKind = pair.value["kind"]?.scalar?.text
            catalog.declare(
                pair.keyText, ResourceCatalog.Entry(outputs: declaredKind.flatMap { schema.registry.resource($0)?.outputs }, optional: optionalFlag))
            guard case .variant(let kind?, let options)? = reader.read(pair.value, as: schema.resourceType, secrets: .allowed, path: path) else {
                continue
            }
            let common = Set(ManifestSchema.resourceCommonFields.fields.map(\.name))
            specs.append(
                ResourceSpec(
                    name: pair.keyText, kind: kind, options: AdapterOptions(options.values.filter { !common.contains($0.key) }),
                    optional: options.boolean("optional") ?? false, keep: options.boolean("keep") ?? false))
        }
        return specs
    }

    // MARK: Credentials

    private func readProfiles() -> (specs: [CredentialProfileSpec], declared: [DeclaredEntity]) {
        guard let node = root["credentials"] else { return ([], []) }
        let basePath = YAMLPath.root.appending("credentials")
        guard let pairs = reader.expectMapping(node, path: basePath) else { return ([], []) }
        var specs: [CredentialProfileSpec] = []
        var declared: [DeclaredEntity] = []
        for pair in pairs {
            let path = basePath.appending(pair.keyText)
            guard reader.checkKey(pair.keyText, format: .name, at: pair.key, path: path) else { continue }
            declared.append(DeclaredEntity(name: pair.keyText, keyNode: pair.key, node: pair.value))
            guard let options = reader.readObject(pair.value, schema: schema.credentialProfile, path: path) else { continue }
            specs.append(makeProfile(name: pair.keyText, options: options))
        }
        return (specs, declared)
    }

    private func makeProfile(name: String, options: AdapterOptions) -> CredentialProfileSpec {
        var directories: [CredentialProfileSpec.Directory] = []
        if case .list(let items)? = options["dirs"] {
            for case .object(let entry) in items {
                guard let path = entry.path("path") else { continue }
                var mode: FileMode?
                if case .mode(let value)? = entry["mode"] { mode = value }
                directories.append(.init(path: path, mode: mode))
            }
        }
        var files: [CredentialProfileSpec.File] = []
        if case .list(let items)? = options["files"] {
            for case .object(let entry) in items {
                guard let path = entry.path("path"), let content = entry.text("content") else { continue }
                var mode = FileMode.ownerOnly
                if case .mode(let value)? = entry["mode"] { mode = value }
                files.append(.init(path: path, mode: mode, content: content))
            }
        }
        var verify: CommandTemplate?
        if case .command(let command)? = options["verify"] { verify = command }
        return CredentialProfileSpec(name: name, directories: directories, files: files, env: Self.envVars(options["env"]), verify: verify)
    }

    static func envVars(_ value: OptionValue?) -> [EnvVar] {
        guard case .map(let entries)? = value else { return [] }
        return entries.compactMap { entry in
            if case .text(let text) = entry.value { EnvVar(entry.key, text) } else { nil }
        }
    }

    // MARK: Sessions

    /// Sessions from this many on are read by two threads (each half with its own reader).
    static let parallelSessionThreshold = 2048

    private func readSessions(machineNames: [String]) -> (specs: [SessionSpec], declared: [DeclaredEntity]) {
        guard let node = root["sessions"] else { return ([], []) }
        let basePath = YAMLPath.root.appending("sessions")
        guard let pairs = reader.expectMapping(node, path: basePath) else { return ([], []) }
        let sessionType = schema.sessionType
        guard pairs.count >= Self.parallelSessionThreshold else {
            return Self.readSessions(pairs, 0..<pairs.count, basePath: basePath, machineNames: machineNames, sessionType: sessionType, reader: reader)
        }
        // Sessions are independent: read the second half on another thread with its own
        // reader, then fold its findings into the main reader in document order.
        let middle = pairs.count / 2
        let environment = reader.interpolator.environment
        let logins = reader.interpolator.logins
        let resources = reader.interpolator.resources
        let strict = reader.strict
        let pathsStayInInstance = reader.pathsStayInInstance
        let halves = Mutex<[ChunkOutcome?]>([nil, nil])
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            let chunkReader = SchemaReader(interpolator: Interpolator(environment: environment, logins: logins, resources: resources), strict: strict)
            chunkReader.pathsStayInInstance = pathsStayInInstance
            let range = part == 0 ? 0..<middle : middle..<pairs.count
            let result = Self.readSessions(
                pairs, range, basePath: basePath, machineNames: machineNames, sessionType: sessionType, reader: chunkReader)
            let outcome = ChunkOutcome(specs: result.specs, declared: result.declared, findings: chunkReader.findings)
            halves.withLock { $0[part] = outcome }
        }
        var specs: [SessionSpec] = []
        var declared: [DeclaredEntity] = []
        for outcome in halves.withLock({ $0 }) {
            guard let outcome else { continue }
            reader.absorb(outcome.findings)
            specs += outcome.specs
            declared += outcome.declared
        }
        return (specs, declared)
    }

    /// What one thread read from its share of the sessions.
    private struct ChunkOutcome: Sendable {
        var specs: [SessionSpec]
        var declared: [DeclaredEntity]
        var findings: SchemaReader.Findings
    }

    private static func readSessions(
        _ all: YAMLNode.Pairs, _ range: Range<Int>, basePath: YAMLPath, machineNames: [String], sessionType: OptionType, reader: SchemaReader
    ) -> (specs: [SessionSpec], declared: [DeclaredEntity]) {
        var specs: [SessionSpec] = []
        var declared: [DeclaredEntity] = []
        specs.reserveCapacity(range.count)
        declared.reserveCapacity(range.count)
        for index in range {
            let pair = all[index]
            let path = basePath.appending(pair.keyText)
            guard reader.checkKey(pair.keyText, format: .name, at: pair.key, path: path) else { continue }
            declared.append(DeclaredEntity(name: pair.keyText, keyNode: pair.key, node: pair.value))
            if let agentNode = pair.value[ManifestSchema.agentKey], pair.value[ManifestSchema.runKey] != nil {
                reader.error(
                    ErrorCode.Manifest.conflictingFields, "a session either runs a command (`run:`) or an agent (`agent:`), not both", at: agentNode,
                    path: path.appending(ManifestSchema.agentKey))
                continue
            }
            guard case .variant(let agent, let options)? = reader.read(pair.value, as: sessionType, secrets: .allowed, path: path) else {
                continue
            }
            guard let machine = sessionMachine(options.plainText("machine"), machineNames: machineNames, at: pair.key, path: path) else { continue }
            specs.append(makeSession(name: pair.keyText, machine: machine, agent: agent, options: options))
        }
        return (specs, declared)
    }

    /// The session's machine: the named one, or the only one (several without a name is
    /// reported by ``ReferenceChecks``).
    private static func sessionMachine(_ named: String?, machineNames: [String], at key: YAMLNode, path: YAMLPath) -> String? {
        if let named { return named }
        return machineNames.count == 1 ? machineNames[0] : nil
    }

    private static func makeSession(name: String, machine: String, agent: String?, options: AdapterOptions) -> SessionSpec {
        let program: SessionProgram
        if let agent {
            let common = ManifestSchema.sessionCommonKeys
            program = .agent(kind: agent, options: AdapterOptions(options.values.filter { !common.contains($0.key) }))
        } else if case .command(let command)? = options[ManifestSchema.runKey] {
            program = .run(command)
        } else {
            program = .run(.shell("true"))
        }
        var after: [SessionDependency] = []
        if case .map(let entries)? = options["after"] {
            for entry in entries {
                guard case .text(let text) = entry.value, let condition = text.plainValue.flatMap(SessionDependency.Condition.init(rawValue:)) else {
                    continue
                }
                after.append(SessionDependency(session: entry.key, condition: condition))
            }
        }
        return SessionSpec(
            name: name, machine: machine, program: program, prompt: options.text("prompt"), cwd: options.path("cwd") ?? .home(""),
            env: Self.envVars(options["env"]), credentials: options.textList("credentials") ?? [], after: after)
    }

    private func checkPrompts(_ sessions: [SessionSpec]) {
        for session in sessions {
            guard let kind = session.agentKind, let limit = schema.registry.agent(kind)?.maxPromptBytes, let prompt = session.prompt else { continue }
            let size =
                prompt.reveal()?.utf8.count
                ?? prompt.parts.reduce(0) { sum, part in
                    if case .literal(let text) = part { sum + text.utf8.count } else { sum }
                }
            if size > limit, let node = root["sessions"]?[session.name]?["prompt"] {
                reader.error(
                    ErrorCode.Manifest.promptTooLarge, "the prompt is \(size) bytes; `\(kind)` accepts at most \(limit) bytes on stdin", at: node,
                    path: YAMLPath.root.appending("sessions").appending(session.name).appending("prompt"))
            }
        }
    }
}

/// A machine, profile or session as declared in the YAML (even if its body had errors),
/// so references can be checked against every declared name.
struct DeclaredEntity: Sendable {
    var name: String
    var keyNode: YAMLNode
    var node: YAMLNode
}
