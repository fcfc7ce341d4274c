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
        /// Whether the instance was ready and had no record naming this id: nothing more can be
        /// learnt (otherwise the record may just not have been readable now).
        public var recordAbsent = false
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
    /// each with the record of the first instance that has one naming that id. Which outputs
    /// are secret is the adapter's word (`adapters` by resource name); without an adapter every
    /// output is. With `makeReady`, a paused or starting instance is made ready first (destroy:
    /// the record holds what deleting needs). A record costs one file read (plus one read-only
    /// exec when the provider does not know the home).
    public static func resources(
        of instances: [Instance], provider: any VMProvider, adapters: [String: any ResourceProvider], makeReady: Bool = false
    ) async -> [FoundResource] {
        var found: [String: FoundResource] = [:]
        var order: [String] = []
        for listed in instances {
            let labelled = InstanceLabel.resources(in: listed.labels).sorted { $0.key < $1.key }
            guard !labelled.isEmpty else { continue }
            var instance = listed
            if makeReady, instance.status == .stopped || instance.status == .booting, let ready = try? await provider.makeReady(instance) {
                instance = ready
            }
            var home = instance.home
            if home == nil, instance.status == .ready {
                home = (try? await InstanceState.read(from: provider, instance: instance.id))?.home
            }
            for (name, id) in labelled {
                let key = name + "\u{0}" + id
                if found[key]?.values != nil { continue }
                var content: ResourceRecord.Content?
                var absent = false
                if let home, instance.status == .ready {
                    do {
                        if let parsed = try await ResourceRecord.read(name, on: instance.id, home: home, provider: provider), parsed.values.id == id {
                            content = parsed
                        } else {
                            absent = true
                        }
                    } catch {
                        // Not readable now: unknown, not absent.
                    }
                }
                if found[key] == nil { order.append(key) }
                let plain = adapters[name]?.plainOutputs ?? []
                var entry = FoundResource(
                    name: name, id: id, instance: instance.id, values: content?.values.keepingPlain(only: plain), config: content?.config)
                entry.recordAbsent = absent && (found[key]?.recordAbsent ?? true)
                found[key] = entry
            }
        }
        return order.compactMap { found[$0] }
    }

    /// The secret outputs of every resource `instances` use (from their records), for the
    /// redactor of a command that prints what sessions wrote (`logs`, `status`): a session
    /// may print its own token. Only plans' resources that have secret outputs cost a read.
    public static func resourceSecrets(
        plan: Plan, instances: [Instance], provider: any VMProvider, adapters: [String: any ResourceProvider]
    ) async -> [Secret] {
        guard instances.contains(where: { !InstanceLabel.resources(in: $0.labels).isEmpty }) else { return [] }
        return await resources(of: instances, provider: provider, adapters: adapters).flatMap { $0.values?.secrets(resource: $0.name) ?? [] }
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
            } catch let error as ResourceError where error.code == ErrorCode.Resource.recordMissing && resource.recordAbsent {
                // The record is gone for good: it cannot be deleted and expires by itself: said, never blocking.
                results.append(ResourceResult(resource: resource, outcome: "left", error: error))
            } catch let error as ResourceError where error.code == ErrorCode.Resource.recordMissing {
                // The record may just be unreadable now (a paused instance, a lost answer): keep the instance that holds it.
                let blocked = ResourceError(
                    error.code,
                    "the record of resource `\(resource.name)` on \(resource.instance) could not be read, and deleting \(resource.id) needs it; run destroy again (a paused instance is resumed first)",
                    context: [.init("resource", resource.name), .init("instance", resource.instance)])
                results.append(ResourceResult(resource: resource, outcome: nil, error: blocked))
            } catch {
                results.append(ResourceResult(resource: resource, outcome: nil, error: error))
            }
        }
        return results
    }
}
