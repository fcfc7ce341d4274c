extension Teardown {
    /// A resource a deployment's instances use, found by their labels and records.
    public struct FoundResource: Sendable {
        /// The resource's name in the manifest.
        public var name: String
        /// Its id (the label's value).
        public var id: String
        /// The instance whose record was read (or whose label named it).
        public var instance: String
        /// The record's values, or `nil` when no record could be read (then only the id is known).
        public var values: ResourceValues?
    }

    /// The outcome of deleting one resource.
    public struct ResourceResult: Sendable {
        /// The resource.
        public var resource: FoundResource
        /// What happened: `deleted`, `gone` (already), `kept` (`keep: true`).
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
                var values: ResourceValues?
                if let home, instance.status == .ready,
                    let bytes = try? await provider.readFile(instance.id, path: ResourceRecord.path(home: home, resource: name)),
                    let content = ResourceRecord.parse(bytes), content.values.id == id
                {
                    values = content.values
                }
                if found[key] == nil { order.append(key) }
                found[key] = FoundResource(name: name, id: id, instance: instance.id, values: values)
            }
        }
        return order.compactMap { found[$0] }
    }

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
            } catch {
                results.append(ResourceResult(resource: resource, outcome: nil, error: error))
            }
        }
        return results
    }
}
