import Executor
import Manifest

/// Compiles a validated ``Manifest`` into a ``Plan``: the step graph, a valid
/// execution order, and the config and secrets digests. Pure and deterministic:
/// the same manifest gives an equal plan in any process.
public struct Planner: Sendable {
    /// A planner.
    public init() {}

    /// The plan for `manifest`.
    public func plan(_ manifest: Manifest) -> Plan {
        let steps = StepGraph.order(StepGraph.steps(for: manifest))
        return Plan(
            name: manifest.name, source: manifest.source, provider: manifest.provider, processManager: manifest.processManager,
            machines: manifest.machines, credentials: manifest.credentials, sessions: manifest.sessions, steps: steps,
            configDigest: Digests.config(manifest), secrets: Digests.secrets(manifest))
    }
}
