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
        return Plan(
            name: manifest.name, source: manifest.source, provider: manifest.provider, processManager: manifest.processManager,
            machines: manifest.machines, credentials: manifest.credentials, sessions: manifest.sessions, steps: steps,
            waves: waves, configDigest: configDigest, secrets: secrets)
    }

    private typealias Parts = (steps: [Step], waves: [Int], config: String, secrets: SecretsDigest)

    private func serialParts(_ manifest: Manifest) -> Parts {
        let (steps, waves) = StepGraph.orderedSteps(for: manifest)
        return (steps, waves, Digests.config(manifest), Digests.secrets(manifest))
    }

    private func parallelParts(_ manifest: Manifest) -> Parts {
        // Ordering the steps takes about as long as rendering 40 % of the sessions for
        // the config digest: the thread that orders also renders the last 30 %, the
        // other digests the rest (and the secrets); this thread hashes the last part.
        let split = manifest.sessions.count * 7 / 10
        let ordered = Mutex<(steps: [Step], waves: [Int], lastSessions: [UInt8])?>(nil)
        let digests = Mutex<(config: SHA256Stream, secrets: SecretsDigest)?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 0 {
                let (steps, waves) = StepGraph.orderedSteps(for: manifest)
                let lastSessions = Digests.sessionPieces(manifest, split..<manifest.sessions.count)
                ordered.withLock { $0 = (steps, waves, lastSessions) }
            } else {
                var stream = Digests.configHead(manifest)
                for index in 0..<split { stream.update(Digests.sessionPiece(manifest, index)) }
                let secrets = Digests.secrets(manifest)
                digests.withLock { $0 = (stream, secrets) }
            }
        }
        guard let (steps, waves, lastSessions) = ordered.withLock({ $0 }), let (head, secrets) = digests.withLock({ $0 }) else {
            return serialParts(manifest)
        }
        var stream = head
        stream.update(lastSessions)
        return (steps, waves, Digests.finishConfig(stream), secrets)
    }
}
