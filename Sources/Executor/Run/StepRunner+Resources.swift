/// The resource step: find the resource the deployment already uses (through the record on
/// an instance that uses it), or create it; and what boot needs of it.
extension StepRunner {
    func resource(_ spec: ResourceSpec) async throws -> Outcome {
        guard let adapter = runtime.resources[spec.name] else {
            throw OrchestrationError(
                ErrorCode.Orchestration.invalidPlan, "resource `\(spec.name)` has no adapter in this run", context: [.init("resource", spec.name)])
        }
        var data: [JSONValue.Member] = []
        var replaced: ResourceValues?
        if let found = try await recorded(spec) {
            if found.content.config == spec.configDigest {
                if try await adapter.exists(found.content.values) {
                    await keep(spec.name, found.content.values, created: false)
                    return Outcome(data: [.init("id", .string(found.content.values.id)), .init("unchanged", .bool(true))])
                }
                log(
                    .warning,
                    "resource \(spec.name): \(found.content.values.id) recorded on \(found.instance) no longer exists (an ephemeral Instant app expires after 14 days); creating a new one",
                    step: .resource(spec.name))
                data.append(.init("previous", .string(found.content.values.id)))
            } else {
                log(
                    .info, "resource \(spec.name): its config changed since \(found.content.values.id) was created; creating a new one",
                    step: .resource(spec.name))
                data.append(.init("previous", .string(found.content.values.id)))
                replaced = found.content.values
            }
        }
        let request = ResourceRequest(
            resource: spec.name, deployment: plan.name, workspace: options.workspace,
            token: Self.creationToken(deployment: plan.name, workspace: options.workspace, spec: spec))
        let values = try await adapter.create(request)
        await keep(spec.name, values, created: true)
        if let replaced {
            // The new one exists: the one made for the old config goes, as a replaced instance does.
            do {
                _ = try await adapter.delete(replaced)
                log(.info, "resource \(spec.name): deleted \(replaced.id), made for the old config", step: .resource(spec.name))
            } catch {
                let failure = StepExecution.describe(error, redactor: redactor)
                log(
                    .warning, "resource \(spec.name): could not delete \(replaced.id), made for the old config (\(failure.code): \(failure.message)); delete it at the service",
                    step: .resource(spec.name))
            }
        }
        var outcome: [JSONValue.Member] = [.init("id", .string(values.id)), .init("created", .bool(true))]
        for (name, value) in values.plainOutputs.sorted(by: { $0.key < $1.key }) where value != values.id { outcome.append(.init(name, .string(value))) }
        return Outcome(data: outcome + data)
    }

    /// The name token of a resource: 12 hex digits of SHA-256 over the deployment, the workspace,
    /// the resource's name and its config (see ``ResourceRequest/token``).
    static func creationToken(deployment: String, workspace: String, spec: ResourceSpec) -> String {
        String(SHA256Hex.digest([deployment, workspace, spec.name, spec.configDigest].joined(separator: "\u{0}")).prefix(12))
    }

    /// Makes the values known to the run: their secrets to the redactor first, then to the steps.
    private func keep(_ name: String, _ values: ResourceValues, created: Bool) async {
        for secret in values.secrets(resource: name) { redactor.add(secret) }
        await state.setResource(name, values, created: created)
    }

    /// On a reused instance: writes the records of the resources this run created that its
    /// steps use (the instance was booted while they did not exist, e.g. an optional one had
    /// failed); its labels stay as they were.
    func recordNewResources(on instance: String, home: String, machine: String) async throws {
        var files: [FileWrite] = []
        for (name, values) in await resourceRecords(for: machine) where await state.createdResource(name) {
            if let spec = plan.resource(name) { files.append(ResourceRecord.file(home: home, spec: spec, values: values)) }
        }
        guard !files.isEmpty else { return }
        try await runtime.provider.writeFiles(instance, FileBatch(label: "state:resources", files: files))
    }

    /// The record of `spec` on an instance of a machine that uses it, if one is there.
    /// Throws `resource.record_missing` when an instance is labelled with the resource but
    /// its record cannot be read (without `--replace`: creating another would orphan it).
    private func recorded(_ spec: ResourceSpec) async throws -> (instance: String, content: ResourceRecord.Content)? {
        var labelled: (instance: Instance, id: String)?
        for machine in plan.machines(using: spec.name) {
            guard let action = deployment.action(for: machine), !action.isUnusable, let instance = action.instance else { continue }
            let id = instance.labels[InstanceLabel.resource(spec.name)]
            guard instance.status == .ready, let home = instance.home ?? deployment.states[instance.id]?.home else {
                if let id, labelled == nil { labelled = (instance, id) }
                continue
            }
            if let bytes = try await runtime.provider.readFile(instance.id, path: ResourceRecord.path(home: home, resource: spec.name)),
                let content = ResourceRecord.parse(bytes), content.values.kind == spec.kind
            {
                for secret in content.values.secrets(resource: spec.name) { redactor.add(secret) }
                return (instance.id, content)
            }
            if let id, labelled == nil { labelled = (instance, id) }
        }
        if let labelled, !options.replace {
            throw ResourceError(
                ErrorCode.Resource.recordMissing,
                "instance \(labelled.instance.id) uses resource `\(spec.name)` (\(labelled.id)), but its record ~/\(ResourceRecord.directory)/\(spec.name).json cannot be read; `apply --replace` creates a new one, `destroy` removes both",
                context: [.init("resource", spec.name), .init("instance", labelled.instance.id)])
        }
        return nil
    }

    /// The resources the steps of `machine` use that exist in this run, for its boot
    /// (labels, and the records it writes with the boot record).
    func resourceRecords(for machine: String) async -> [(String, ResourceValues)] {
        let names = plan.resources(usedOn: machine)
        guard !names.isEmpty else { return [] }
        let outputs = await state.resourceOutputs()
        return names.compactMap { name in outputs.resources[name].map { (name, $0) } }
    }
}
