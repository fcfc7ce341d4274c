import Executor

/// The formats of `runjob graph`.
public enum GraphFormat: String, Sendable, CaseIterable {
    /// Graphviz DOT.
    case dot
    /// Mermaid flowchart (renders in GitHub Markdown).
    case mermaid
}

/// Draws a plan's step graph.
public struct GraphRenderer: Sendable {
    /// The format.
    public var format: GraphFormat

    /// A renderer for `format`.
    public init(format: GraphFormat) {
        self.format = format
    }

    /// The graph text, ending in a newline.
    public func render(_ plan: Plan) -> String {
        switch format {
        case .dot: dot(plan)
        case .mermaid: mermaid(plan)
        }
    }

    private func dot(_ plan: Plan) -> String {
        var lines = ["digraph \(quoteDOT(plan.name)) {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];"]
        for step in plan.steps {
            lines.append("  \(quoteDOT(step.id.description)) [shape=\(shape(step.kind))];")
        }
        for step in plan.steps {
            for dependency in step.dependsOn {
                lines.append("  \(quoteDOT(dependency.description)) -> \(quoteDOT(step.id.description));")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func shape(_ kind: StepKind) -> String {
        switch kind {
        case .resource: "cylinder"
        case .boot: "box3d"
        case .machineInfo, .credentials: "note"
        case .start: "box"
        case .wait: "diamond"
        }
    }

    private func quoteDOT(_ text: String) -> String {
        "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }

    private func mermaid(_ plan: Plan) -> String {
        var ids: [StepID: String] = [:]
        var lines = ["flowchart LR"]
        for (index, step) in plan.steps.enumerated() {
            let id = "s\(index)"
            ids[step.id] = id
            let label = step.id.description.replacing("\"", with: "#quot;")
            switch step.kind {
            case .wait: lines.append("  \(id){\"\(label)\"}")
            case .boot: lines.append("  \(id)[[\"\(label)\"]]")
            case .resource: lines.append("  \(id)[(\"\(label)\")]")
            default: lines.append("  \(id)[\"\(label)\"]")
            }
        }
        for step in plan.steps {
            guard let to = ids[step.id] else { continue }
            for dependency in step.dependsOn {
                if let from = ids[dependency] { lines.append("  \(from) --> \(to)") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
