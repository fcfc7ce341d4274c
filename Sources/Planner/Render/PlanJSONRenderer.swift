import Dispatch
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

    /// Plans with at least this many steps are rendered by two threads.
    public static let parallelThreshold = 4096

    /// The document's bytes, ending in a newline.
    public func render(_ plan: Plan, changes: ChangeReport? = nil) -> [UInt8] {
        var out: [UInt8] = []
        write(plan, changes: changes) { out.append(contentsOf: $0) }
        return out
    }

    /// Writes the document in a few large pieces to `sink`, in order, without
    /// assembling it in memory first (a 20 000-step plan is several megabytes).
    public func write(_ plan: Plan, changes: ChangeReport? = nil, to sink: (UnsafeRawBufferPointer) -> Void) {
        let head = header(plan, changes: changes)
        head.withUnsafeBytes(sink)
        // Steps are written in two halves on two threads when the plan is large;
        // the halves are emitted in order, so the bytes are the same either way.
        let count = plan.steps.count
        if count >= Self.parallelThreshold {
            // The second half is rendered into memory on another thread while this one
            // renders and emits the first; then the second follows.
            let middle = count / 2
            let secondHalf = JSONWriter(indent: 2, capacity: Self.estimatedStepBytes * (count - middle))
            // Handed over: only the other thread touches the writer until `group.wait()`
            // returns, and the group orders its writes before this thread's reads.
            nonisolated(unsafe) let handedOver = secondHalf
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) {
                Self.renderSteps(plan, middle..<count, into: handedOver)
            }
            Self.streamSteps(plan, 0..<middle, to: sink)
            group.wait()
            secondHalf.withUnsafeBytes(sink)
        } else {
            Self.streamSteps(plan, 0..<count, to: sink)
        }
        let tail = JSONWriter(indent: 2)
        if !plan.steps.isEmpty { tail.newline(1) }
        tail.append("]")
        tail.newline(0)
        tail.append("}\n")
        tail.withUnsafeBytes(sink)
    }

    /// About how many bytes one step takes (a buffer for many steps is sized with it).
    static let estimatedStepBytes = 512

    /// How many steps are rendered into the buffer before it goes to the sink.
    static let stepsPerPiece = 256

    /// Renders the steps of `range` in pieces of ``stepsPerPiece`` through one reused
    /// buffer, each piece going to `sink` as soon as it is written (so the memory
    /// written to stays small and warm).
    static func streamSteps(_ plan: Plan, _ range: Range<Int>, to sink: (UnsafeRawBufferPointer) -> Void) {
        let writer = JSONWriter(indent: 2, capacity: estimatedStepBytes * min(range.count, stepsPerPiece))
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + stepsPerPiece, range.upperBound)
            renderSteps(plan, start..<end, into: writer)
            writer.withUnsafeBytes(sink)
            writer.removeAll()
            start = end
        }
    }

    /// The steps in `range`, each preceded by its separator and indentation.
    static func renderSteps(_ plan: Plan, _ range: Range<Int>, into writer: JSONWriter) {
        for index in range {
            if index > 0 { writer.append(",") }
            writer.newline(2)
            let step = plan.steps[index]
            let object = ObjectWriter(writer, level: 2)
            object.key("id")
            writer.writeString(step.id.description)
            object.key("kind")
            writer.writeString(step.kind.rawValue)
            object.key("machine")
            writer.writeString(step.machine)
            object.key("wave")
            writer.writeInt(plan.waves[index])
            object.key("depends_on")
            writer.writeStrings(count: step.dependsOn.count, level: 3) { step.dependsOn[$0].description }
            object.key("inputs")
            switch step.action {
            case .start(let session): writeSession(session, into: writer, level: 3)
            default: writer.write(step.inputs, level: 3)
            }
            object.close()
        }
    }

    /// Writes `session.json()` straight into the writer: start steps are most of a large
    /// plan, and this skips building a `JSONValue` for each. `PlannerTests` checks that the
    /// bytes equal those of `json()`.
    static func writeSession(_ session: SessionSpec, into writer: JSONWriter, level: Int) {
        let object = ObjectWriter(writer, level: level)
        if !session.after.isEmpty {
            object.key("after")
            writer.writeStringMembers(count: session.after.count, level: level + 1) {
                (key: session.after[$0].session, value: session.after[$0].condition.rawValue)
            }
        }
        if case .agent(let kind, let options) = session.program {
            object.key("agent")
            writer.writeString(kind)
            if !options.isEmpty {
                object.key("agent_options")
                writer.write(options.json(), level: level + 1)
            }
        }
        if !session.credentials.isEmpty {
            object.key("credentials")
            writer.writeStrings(count: session.credentials.count, level: level + 1) { session.credentials[$0] }
        }
        object.key("cwd")
        writer.writeString(session.cwd.description)
        if !session.env.isEmpty {
            object.key("env")
            writer.writeStringMembers(count: session.env.count, level: level + 1) {
                (key: session.env[$0].name, value: session.env[$0].value.placeholder(.withState))
            }
        }
        object.key("machine")
        writer.writeString(session.machine)
        object.key("name")
        writer.writeString(session.name)
        if let prompt = session.prompt {
            object.key("prompt")
            writer.writeString(prompt.description)
        }
        if case .run(let command) = session.program {
            object.key("run")
            switch command {
            case .shell(let script): writer.writeStringMembers(count: 1, level: level + 1) { _ in (key: "shell", value: script) }
            case .argv: writer.write(command.json, level: level + 1)
            }
        }
        object.close()
    }

    /// Everything before the first step.
    private func header(_ plan: Plan, changes: ChangeReport?) -> JSONWriter {
        let summary = PlanSummary(plan)
        let writer = JSONWriter(indent: 2, capacity: 4096)
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
        if let changes { member("changes", changes.json) }
        member("provider", plan.provider.json())
        member("process_manager", plan.processManager.json())
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
        return writer
    }
}

/// Writes one JSON object member by member, with the same layout as `JSONWriter.write`.
struct ObjectWriter {
    let writer: JSONWriter
    let level: Int
    private let state = MemberCount()

    final class MemberCount {
        var count = 0
    }

    init(_ writer: JSONWriter, level: Int) {
        self.writer = writer
        self.level = level
        writer.append("{")
    }

    /// Starts a member: separator, indentation, the quoted key and the colon.
    func key(_ name: String) {
        if state.count > 0 { writer.append(",") }
        state.count += 1
        writer.newline(level + 1)
        writer.writeString(name)
        writer.append(": ")
    }

    /// Ends the object (`{}` when it had no member).
    func close() {
        if state.count > 0 { writer.newline(level) }
        writer.append("}")
    }
}
