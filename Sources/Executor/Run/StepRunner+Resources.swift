/// The resource step: find the resource the deployment already uses, or create it; and what
/// boot needs of it.
///
/// Identity is the label `runjob.resource.NAME=<id>` that runjob puts on every instance using
/// the resource (nothing inside an instance can change it); the 0600 record on the instance
/// only supplies the outputs, and counts only when it names the labelled id.
extension StepRunner {
    func resource(_ spec: ResourceSpec) async throws -> Outcome {
        guard let adapter = runtime.resources[spec.name] else {
            throw OrchestrationError(
                ErrorCode.Orchestration.invalidPlan, "resource `\(spec.name)` has no adapter in this run", context: [.init("resource", spec.name)])
        }
        var data: [JSONValue.Member] = []
        if let found = try await recorded(spec, plain: adapter.plainOutputs) {
            // What the adapter declares decides which outputs are secret, not the record.
            let values = found.values.keepingPlain(only: adapter.plainOutputs)
            for secret in values.secrets(resource: spec.name) { redactor.add(secret) }
            if found.config == spec.configDigest {
                if try await adapter.exists(values) {
                    await keep(spec.name, values, created: false)
                    return Outcome(data: [.init("id", .string(values.id)), .init("unchanged", .bool(true))])
                }
                log(
                    .warning,
                    "resource \(spec.name): \(values.id) recorded on \(found.instance) no longer exists (an ephemeral Instant app expires after 14 days); creating a new one",
                    step: .resource(spec.name))
            } else {
                log(
                    .info, "resource \(spec.name): its config changed since \(values.id) was created; creating a new one (the old one is deleted once this run succeeds)",
                    step: .resource(spec.name))
                await state.setReplaced(spec.name, values, instance: found.instance)
            }
            data.append(.init("previous", .string(values.id)))
        }
        let request = ResourceRequest(
            resource: spec.name, deployment: plan.name, workspace: options.workspace,
            token: Self.creationToken(deployment: plan.name, workspace: options.workspace, spec: spec))
        let values = try await adapter.create(request).keepingPlain(only: adapter.plainOutputs)
        await keep(spec.name, values, created: !values.adopted)
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

    /// On a reused instance: labels it with the resources its steps use that it is not labelled
    /// with yet (or with another id) and writes their records (the instance was booted while
    /// they did not exist: an optional one had failed, the recorded one had expired, or another
    /// instance's record supplied it). The label goes first: a label without
    /// a record is reported (`resource.record_missing`), a record without its label is ignored.
    func recordNewResources(on instance: Instance, home: String, machine: String) async throws {
        var files: [FileWrite] = []
        var labels: [String: String] = [:]
        for (name, values) in await resourceRecords(for: machine) where instance.labels[InstanceLabel.resource(name)] != values.id {
            guard let spec = plan.resource(name) else { continue }
            files.append(ResourceRecord.file(home: home, spec: spec, values: values))
            labels[InstanceLabel.resource(name)] = values.id
        }
        guard !files.isEmpty else { return }
        try await runtime.provider.addLabels(instance.id, labels)
        try await runtime.provider.writeFiles(instance.id, FileBatch(label: "state:resources", files: files))
    }

    /// A resource as recorded on an instance.
    struct Recorded: Sendable {
        var instance: String
        var config: String
        var values: ResourceValues
    }

    /// The record of `spec` on an instance labelled with it: the machines that use it first,
    /// then any other instance of the deployment (a machine renamed or a session moved), then
    /// the records of instances this apply removed before its steps (`salvaged`). A paused or
    /// starting instance is made ready first (its boot step would do so anyway). Throws
    /// `resource.record_missing` when an instance is labelled but its record cannot be read
    /// (without `--replace`: creating another would orphan the one it names).
    private func recorded(_ spec: ResourceSpec, plain: Set<String>) async throws -> Recorded? {
        let label = InstanceLabel.resource(spec.name)
        let using = plan.machines(using: spec.name)
        var candidates: [Instance] = []
        for machine in using + plan.machines.map(\.name).filter({ !using.contains($0) }) {
            guard let action = deployment.action(for: machine), !action.isUnusable, let instance = action.instance,
                instance.labels[label] != nil
            else { continue }
            candidates.append(instance)
        }
        var labelled: (instance: String, id: String)?
        for instance in candidates {
            guard let id = instance.labels[label] else { continue }
            // Instances of machines that do not use it are looked at in passing: their boot
            // steps may replace them meanwhile, so a failed read there is no answer, not an error.
            let machine = instance.labels[InstanceLabel.machine] ?? ""
            let content =
                using.contains(machine)
                ? try await readRecord(spec, on: instance, plain: plain) : ((try? await readRecord(spec, on: instance, plain: plain)) ?? nil)
            if let content, content.values.id == id, content.values.kind == spec.kind {
                return Recorded(instance: instance.id, config: content.config, values: content.values)
            }
            if labelled == nil { labelled = (instance.id, id) }
        }
        if let salvaged = salvaged.first(where: { $0.name == spec.name && $0.values?.kind == spec.kind }), let values = salvaged.values,
            let config = salvaged.config
        {
            return Recorded(instance: salvaged.instance, config: config, values: values)
        }
        if let labelled, !options.replace {
            throw ResourceError(
                ErrorCode.Resource.recordMissing,
                "instance \(labelled.instance) uses resource `\(spec.name)` (\(labelled.id)), but its record ~/\(ResourceRecord.directory)/\(spec.name).json cannot be read or names another id; `apply --replace` creates a new one, `destroy` removes both",
                context: [.init("resource", spec.name), .init("instance", labelled.instance)])
        }
        return nil
    }

    /// The record of `spec` on `instance` (made ready first when it is paused or starting), or
    /// `nil`; its secret outputs (all but the adapter's `plain` ones) are known to the redactor
    /// before it returns.
    private func readRecord(_ spec: ResourceSpec, on found: Instance, plain: Set<String>) async throws -> ResourceRecord.Content? {
        var instance = await state.readied(found.id) ?? found
        if instance.status == .stopped || instance.status == .booting {
            instance = try await runtime.provider.makeReady(found)
            await state.setReadied(instance)
        }
        guard instance.status == .ready else { return nil }
        var home = instance.home ?? deployment.states[instance.id]?.home
        if home == nil { home = try await InstanceState.read(from: runtime.provider, instance: instance.id).home }
        guard let home, let content = try await ResourceRecord.read(spec.name, on: instance.id, home: home, provider: runtime.provider) else {
            return nil
        }
        for secret in content.values.keepingPlain(only: plain).secrets(resource: spec.name) { redactor.add(secret) }
        return content
    }

    /// The resource ids the steps of `machine` are judged by: this run's values, and for a
    /// resource this run has none of (an optional one that failed just now), the id the
    /// instance is labelled with, so a passing failure does not restart healthy sessions.
    func resourceIDs(on machine: String) async -> [String: String] {
        let labelled = deployment.instance(for: machine).map { InstanceLabel.resources(in: $0.labels) } ?? [:]
        return labelled.merging(await state.resourceOutputs().ids) { $1 }
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
