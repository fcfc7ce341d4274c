/// Removing the instances of a deployment, as `runjob destroy` does.
public enum Teardown {
    /// The outcome for one instance.
    public struct Result: Sendable {
        /// The instance.
        public var instance: Instance
        /// Why it could not be destroyed; `nil` when it is gone.
        public var error: (any Error)?
    }

    /// Every instance of manifest `name` in `workspace` (found by labels, so machines
    /// no longer in the manifest are included).
    public static func instances(name: String, workspace: String, provider: any VMProvider) async throws -> [Instance] {
        try await provider.list(labels: Deployment.labels(name: name, workspace: workspace)).sorted { $0.id < $1.id }
    }

    /// Destroys `instances` at the same time; one result per instance, in the given order.
    public static func destroy(_ instances: [Instance], provider: any VMProvider) async -> [Result] {
        await withTaskGroup(of: (Int, (any Error)?).self) { group in
            for (index, instance) in instances.enumerated() {
                group.addTask {
                    do {
                        try await provider.destroy(instance.id)
                        return (index, nil)
                    } catch {
                        return (index, error)
                    }
                }
            }
            var errors = [(any Error)?](repeating: nil, count: instances.count)
            for await (index, error) in group { errors[index] = error }
            return instances.indices.map { Result(instance: instances[$0], error: errors[$0]) }
        }
    }
}
