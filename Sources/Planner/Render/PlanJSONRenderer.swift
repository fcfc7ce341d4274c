import Executor

/// Writes a plan as the versioned JSON document of `plan --output json`.
///
/// Streams into one byte buffer (no intermediate document for the whole plan),
/// members in a fixed order, so equal plans give byte-identical output.
public struct PlanJSONRenderer: Sendable {
    /// The document's format name.
    public static let format = "runjob.plan"

    /// A renderer.
    public init() {}

    /// The document's bytes, ending in a newline.
    public func render(_ plan: Plan) -> [UInt8] {
        let summary = PlanSummary(plan)
        var writer = JSONWriter(indent: 2, capacity: 512 * max(plan.steps.count, 8))
        writer.append("{")
        var first = true
        func member(_ key: String, _ value: JSONValue) {
            if !first { writer.append(",") }
            first = false
            writer.newline(1)
            writer.writeString(key)
            writer.append(": ")
            writer.write(value, level: 1)
        }
        member("format", .string(Self.format))
        member("version", .int(Plan.formatVersion))
        member("name", .string(plan.name))
        member("source", .string(plan.source))
        member("config_digest", .string("sha256:" + plan.configDigest))
        member(
            "secrets_digest",
            .object([
                "prefix": .string(plan.secrets.shortPrefix),
                "partial": .bool(plan.secrets.isPartial),
                "unresolved": .array(plan.secrets.unresolved.map { .string($0.description) }),
            ]))
        member("provider", plan.provider.json)
        member("process_manager", plan.processManager.json)
        member(
            "summary",
            .object([
                "steps": .int(summary.steps),
                "waves": .int(summary.waves),
                "machines": .int(summary.machines),
                "credential_installs": .int(summary.credentialInstalls),
                "sessions": .int(summary.sessions),
                "waits": .int(summary.waits),
            ]))
        writer.append(",")
        writer.newline(1)
        writer.writeString("steps")
        writer.append(": [")
        let waves = StepGraph.waves(plan.steps)
        for (index, step) in plan.steps.enumerated() {
            if index > 0 { writer.append(",") }
            writer.newline(2)
            writer.write(
                .object([
                    "id": .string(step.id.description),
                    "kind": .string(step.kind.rawValue),
                    "machine": .string(step.machine),
                    "wave": .int(waves[index]),
                    "depends_on": .array(step.dependsOn.map { .string($0.description) }),
                    "inputs": step.inputs,
                ]), level: 2)
        }
        if !plan.steps.isEmpty { writer.newline(1) }
        writer.append("]")
        writer.newline(0)
        writer.append("}\n")
        return writer.bytes
    }
}
