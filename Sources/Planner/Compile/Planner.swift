import Dispatch
import Executor
import Manifest
import Synchronization

/// Compiles a validated ``Manifest`` into a ``Plan``: the step graph, a valid
/// execution order, and the config and secrets digests. Pure and deterministic:
/// the same manifest gives an equal plan in any process.
public struct Planner: Sendable {
    /// Manifests with at least this many sessions compute the digests on a second
    /// thread while the steps are ordered.
    public static let parallelThreshold = 2048

    /// A planner.
    public init() {}

    /// The plan for `manifest`.
    public func plan(_ manifest: Manifest) -> Plan {
        let (steps, waves, configDigest, secrets) =
            manifest.sessions.count >= Self.parallelThreshold ? parallelParts(manifest) : serialParts(manifest)
        var plan = Plan(
            name: manifest.name, source: manifest.source, provider: manifest.provider, processManager: manifest.processManager,
            machines: manifest.machines, credentials: manifest.credentials, sessions: manifest.sessions, steps: steps,
            waves: waves, configDigest: configDigest, secrets: secrets)
        plan.resources = manifest.resources
        plan.companionSecrets = manifest.loginSecrets
        return plan
    }

    private typealias Parts = (steps: [Step], waves: [Int], config: String, secrets: SecretsDigest)

    private func serialParts(_ manifest: Manifest) -> Parts {
        let (steps, waves) = StepGraph.orderedSteps(for: manifest)
        return (steps, waves, Digests.config(manifest), Digests.secrets(manifest))
    }

    private func parallelParts(_ manifest: Manifest) -> Parts {
        let ordered = Mutex<(steps: [Step], waves: [Int])>(([], []))
        let digests = Mutex<(config: String, secrets: SecretsDigest)?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 0 {
                let result = StepGraph.orderedSteps(for: manifest)
                ordered.withLock { $0 = result }
            } else {
                let result = (Digests.config(manifest), Digests.secrets(manifest))
                digests.withLock { $0 = result }
            }
        }
        let (steps, waves) = ordered.withLock { $0 }
        let (config, secrets) = digests.withLock { $0 } ?? (Digests.config(manifest), Digests.secrets(manifest))
        return (steps, waves, config, secrets)
    }
}
