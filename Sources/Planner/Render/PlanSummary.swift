import Executor

/// Counts that every plan rendering shows.
public struct PlanSummary: Sendable, Equatable {
    /// Steps per kind.
    public var stepsByKind: [StepKind: Int]
    /// All steps.
    public var steps: Int
    /// Machines to boot.
    public var machines: Int
    /// Credential profile installations (profile × machine).
    public var credentialInstalls: Int
    /// Sessions to start.
    public var sessions: Int
    /// Sessions waited for.
    public var waits: Int
    /// Resources to create or find.
    public var resources: Int
    /// Number of waves (steps that can run together).
    public var waves: Int

    /// The summary of `plan`.
    public init(_ plan: Plan) {
        var byKind: [StepKind: Int] = [:]
        for step in plan.steps { byKind[step.kind, default: 0] += 1 }
        stepsByKind = byKind
        steps = plan.steps.count
        machines = byKind[.boot] ?? 0
        credentialInstalls = byKind[.credentials] ?? 0
        sessions = byKind[.start] ?? 0
        waits = byKind[.wait] ?? 0
        resources = byKind[.resource] ?? 0
        waves = plan.waves.max() ?? 0
    }

    /// "1 machine, 1 credential profile install, 2 sessions": what the plan holds, without verbs.
    public var contents: String {
        ((resources > 0 ? [count(resources, "resource")] : []) + [
            count(machines, "machine"), count(credentialInstalls, "credential install"), count(sessions, "session"),
        ]).joined(separator: ", ")
    }

    /// "1 machine to boot, 1 credential install, 2 sessions to start, 1 wait (7 steps in 4 waves)".
    public var sentence: String {
        var parts = resources > 0 ? [count(resources, "resource") + " to create or find"] : []
        parts += [
            count(machines, "machine") + " to boot",
            count(credentialInstalls, "credential install"),
            count(sessions, "session") + " to start",
        ]
        if waits > 0 { parts.append(count(waits, "wait")) }
        return parts.joined(separator: ", ") + " (\(count(steps, "step")) in \(count(waves, "wave")))"
    }
}

/// `1 machine`, `2 machines`.
func count(_ number: Int, _ noun: String) -> String {
    "\(number) \(noun)\(number == 1 ? "" : "s")"
}
