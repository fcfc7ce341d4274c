import Executor

/// A plan summary for a pull-request comment (GitHub-flavoured Markdown).
public struct PlanMarkdownRenderer: Sendable {
    /// A renderer.
    public init() {}

    /// The Markdown text, ending in a newline.
    public func render(_ plan: Plan, changes: ChangeReport? = nil) -> String {
        let summary = PlanSummary(plan)
        var out: [String] = []
        out.append("### runjob plan: `\(escape(plan.name))`")
        out.append("")
        let headline = changes?.summary?.hasChanges == false ? "No changes (\(summary.contents) in place)" : summary.sentence
        out.append("**\(headline)** · provider `\(plan.provider.kind)` · process manager `\(plan.processManager.kind)`")
        out.append("")
        out.append("Config `sha256:\(plan.configDigest.prefix(16))` · secrets `\(plan.secrets.shortPrefix)`")
        if let changes {
            out += ["", "Workspace `\(changes.workspace)`: **\(escape(changes.sentence))**"]
            for note in changes.summary?.notes ?? [] { out.append("- note: \(escape(note))") }
        }
        if plan.secrets.isPartial {
            out.append("")
            out.append("> [!NOTE]")
            out.append("> Partial plan: not set here: \(plan.secrets.unresolved.map { "`\($0)`" }.joined(separator: ", ")). `apply` needs them.")
        }
        out.append("")
        out.append("| session | machine | runs | after |")
        out.append("|---|---|---|---|")
        for session in plan.sessions {
            let runs: String
            switch session.program {
            case .run: runs = "command"
            case .agent(let kind, let options): runs = "agent `\(kind)`" + (options.plainText("model").map { " (`\(escape($0))`)" } ?? "")
            }
            let after = session.after.map { "\($0.session) (\($0.condition.rawValue))" }.joined(separator: ", ")
            out.append("| `\(session.name)` | `\(session.machine)` | \(runs) | \(after.isEmpty ? "—" : escape(after)) |")
        }
        out.append("")
        out.append("<details><summary>\(count(summary.steps, "step")) in order</summary>")
        out.append("")
        let waves = plan.waves
        for (index, step) in plan.steps.enumerated() {
            let dependencies = step.dependsOn.isEmpty ? "" : " ← " + step.dependsOn.map { "`\($0)`" }.joined(separator: ", ")
            out.append("\(waves[index]). `\(step.id)`\(dependencies)")
        }
        out.append("")
        out.append("</details>")
        return out.joined(separator: "\n") + "\n"
    }

    private func escape(_ text: String) -> String {
        text.replacing("|", with: "\\|").replacing("<", with: "&lt;")
    }
}
