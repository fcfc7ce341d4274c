extension Teardown {
    /// A resource a deployment's instances use, found by their labels and records.
    public struct FoundResource: Sendable {
        /// The resource's name in the manifest.
        public var name: String
        /// Its id (the label's value).
        public var id: String
        /// The instance whose record was read (or whose label named it).
        public var instance: String
        /// The record's values, or `nil` when no record naming that id could be read (then only the id is known).
        public var values: ResourceValues?
        /// The resource config the record was made for.
        public var config: String?
    }

    /// The outcome of deleting one resource.
    public struct ResourceResult: Sendable {
        /// The resource.
        public var resource: FoundResource
        /// What happened: `deleted`, `gone` (already), `kept` (`keep: true`), `left` (it cannot be
        /// deleted without its record, and expires by itself: see ``error`` for why).
        public var outcome: String?
        /// Why it could not be deleted.
        public var error: (any Error)?
    }

    /// The resources `instances` use (labels `runjob.resource.NAME=ID`), one per name and id,
    /// each with the record of the first instance that has one. Reading a record costs one
    /// read of a file (plus one read-only exec when the provider does not know the home).
    public static func resources(of instances: [Instance], provider: any VMProvider) async -> [FoundResource] {
        var found: [String: FoundResource] = [:]
        var order: [String] = []
        for instance in instances {
            let labels = instance.labels.filter { $0.key.hasPrefix(InstanceLabel.resourcePrefix) }.sorted { $0.key < $1.key }
            guard !labels.isEmpty else { continue }
            var home = instance.home
            if home == nil, instance.status == .ready {
                home = (try? await InstanceState.read(from: provider, instance: instance.id))?.home
            }
            for (label, id) in labels {
                let name = String(label.dropFirst(InstanceLabel.resourcePrefix.count))
                let key = name + "\u{0}" + id
                if found[key]?.values != nil { continue }
                var content: ResourceRecord.Content?
                if let home, instance.status == .ready,
                    let bytes = try? await provider.readFile(instance.id, path: ResourceRecord.path(home: home, resource: name)),
                    let parsed = ResourceRecord.parse(bytes), parsed.values.id == id
                {
                    content = parsed
                }
                if found[key] == nil { order.append(key) }
                found[key] = FoundResource(name: name, id: id, instance: instance.id, values: content?.values, config: content?.config)
            }
        }
        return order.compactMap { found[$0] }
    }

    /// The secret outputs of every resource `instances` use (from their records), for the
    /// redactor of a command that prints what sessions wrote (`logs`, `status`): a session
    /// may print its own token. Only plans' resources that have secret outputs cost a read.
    public static func resourceSecrets(plan: Plan, instances: [Instance], provider: any VMProvider) async -> [Secret] {
        guard instances.contains(where: { $0.labels.keys.contains { $0.hasPrefix(InstanceLabel.resourcePrefix) } }) else { return [] }
        return await resources(of: instances, provider: provider).flatMap { $0.values?.secrets(resource: $0.name) ?? [] }
    }

    /// Whether a result blocks removing the instances (an error other than "cannot be deleted without its record").
    public static func blocks(_ result: ResourceResult) -> Bool { result.error != nil && result.outcome != "left" }

    /// Deletes `resources` with the adapters of the plan's resources (by name), keeping those
    /// whose spec says `keep: true`. A resource the plan no longer declares cannot be deleted
    /// (its adapter and options are unknown) and is reported as an error.
    public static func deleteResources(_ resources: [FoundResource], plan: Plan, adapters: [String: any ResourceProvider]) async -> [ResourceResult] {
        var results: [ResourceResult] = []
        for resource in resources {
            guard let spec = plan.resource(resource.name), let adapter = adapters[resource.name] else {
                let error = ResourceError(
                    ErrorCode.Resource.misconfigured,
                    "resource `\(resource.name)` (\(resource.id)) is no longer in the manifest, so runjob cannot delete it; delete it at the service, or put it back and destroy again",
                    context: [.init("resource", resource.name)])
                results.append(ResourceResult(resource: resource, outcome: nil, error: error))
                continue
            }
            if spec.keep {
                results.append(ResourceResult(resource: resource, outcome: "kept", error: nil))
                continue
            }
            let values = resource.values ?? ResourceValues(kind: spec.kind, id: resource.id, outputs: [:], secret: [])
            do {
                let deleted = try await adapter.delete(values)
                results.append(ResourceResult(resource: resource, outcome: deleted ? "deleted" : "gone", error: nil))
            } catch let error as ResourceError where error.code == ErrorCode.Resource.recordMissing {
                // Without its record it cannot be deleted; it expires by itself: said, never blocking.
                results.append(ResourceResult(resource: resource, outcome: "left", error: error))
            } catch {
                results.append(ResourceResult(resource: resource, outcome: nil, error: error))
            }
        }
        return results
    }
}
