import Executor

/// The readable summary of `runjob plan`: what will be booted, installed and
/// started, in which order, with counts.
public struct PlanTextRenderer: Sendable {
    /// Whether to use ANSI colour.
    public var useColor: Bool

    /// A renderer.
    public init(useColor: Bool = false) {
        self.useColor = useColor
    }

    private func paint(_ text: String, _ code: String) -> String {
        useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// The summary text, ending in a newline; `notes` (the provider's ``ProviderDescriptor/planNotes``)
    /// follow the header.
    public func render(_ plan: Plan, changes: ChangeReport? = nil, notes: [String] = []) -> String {
        let summary = PlanSummary(plan)
        var lines: [String] = []
        lines.append(paint("Plan: \(plan.name)", "1") + " (\(plan.source))")
        lines.append("  provider \(plan.provider.kind) · process manager \(plan.processManager.kind)")
        lines.append("  config sha256:\(plan.configDigest.prefix(16))… · secrets \(plan.secrets.shortPrefix)…")
        for note in notes { lines.append("  note: " + note) }
        if plan.secrets.isPartial {
            let missing = plan.secrets.unresolved.map(\.description).joined(separator: ", ")
            lines.append(paint("  partial: not set here: \(missing) (apply needs them)", "33"))
        }
        // With nothing to change, the lists describe what is in place, not what will happen.
        let applied = changes?.summary?.hasChanges == false
        let mark = applied ? "=" : paint("+", "32")
        if let changes { lines.append("  workspace \(changes.workspace): " + paint(changes.sentence, "1")) }
        lines.append("")
        if !plan.resources.isEmpty {
            let heading = count(plan.resources.count, "resource")
            lines.append(applied ? "\(heading) (in place):" : "Will create or find \(heading):")
            for resource in plan.resources {
                lines.append("  " + mark + " \(resource.name): \(details(resource))")
            }
        }
        lines.append(applied ? "\(count(plan.machines.count, "machine")) (running):" : "Will boot \(count(plan.machines.count, "machine")):")
        for machine in plan.machines {
            lines.append("  " + mark + " \(machine.name)\(details(machine))")
        }
        let installs = plan.steps.filter { $0.kind == .credentials }
        if !installs.isEmpty {
            let heading = count(installs.count, "credential profile")
            lines.append(applied ? "\(heading) (installed):" : "Will install \(heading):")
            for step in installs {
                guard case .credentials(let profile) = step.action else { continue }
                lines.append("  " + mark + " \(profile.name) on \(step.machine): \(details(profile))")
            }
        }
        if !plan.sessions.isEmpty {
            let heading = count(plan.sessions.count, "session")
            lines.append(applied ? "\(heading) (started):" : "Will start \(heading):")
            for session in plan.sessions {
                lines.append("  " + mark + " \(session.name) on \(session.machine): \(details(session))")
            }
        }
        lines.append("")
        lines.append("Order (\(count(summary.steps, "step")) in \(count(summary.waves, "wave"))):")
        let waves = plan.waves
        var byWave: [Int: [String]] = [:]
        for (index, step) in plan.steps.enumerated() { byWave[waves[index], default: []].append(step.id.description) }
        for wave in byWave.keys.sorted() {
            lines.append("  \(wave). " + (byWave[wave] ?? []).joined(separator: ", "))
        }
        lines.append("")
        if let changes {
            if case .update(let parts, _)? = changes.summary {
                lines.append("Workspace \(changes.workspace): " + paint("will update:", "1"))
                for part in parts { lines.append("  " + paint("~", "33") + " " + part) }
            } else {
                lines.append("Workspace \(changes.workspace): " + paint(changes.sentence, "1"))
            }
            for note in changes.summary?.notes ?? [] { lines.append("  note: " + note) }
        }
        if applied {
            lines.append(paint("Plan: ", "1") + "no changes; `apply` would do nothing (\(summary.contents)).")
        } else {
            lines.append(paint("Plan: ", "1") + summary.sentence + ".")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func details(_ machine: MachineSpec) -> String {
        var parts: [String] = []
        for option in machine.options.values { parts.append("\(option.key) \(compact(option.value.json()))") }
        if !machine.metadata.isEmpty { parts.append("\(count(machine.metadata.count, "label"))") }
        if case .object(let members) = machine.info, !members.isEmpty { parts.append("info: \(members.map(\.key).joined(separator: ", "))") }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: "; ") + ")"
    }

    private func details(_ resource: ResourceSpec) -> String {
        var parts = [resource.kind]
        for option in resource.options.values { parts.append("\(option.key) \(oneLine(compact(option.value.json())))") }
        if resource.optional { parts.append("optional") }
        if resource.keep { parts.append("kept on destroy") }
        return parts.joined(separator: "; ")
    }

    private func details(_ profile: CredentialProfileSpec) -> String {
        var parts: [String] = []
        if !profile.directories.isEmpty { parts.append(count(profile.directories.count, "dir")) }
        for file in profile.files { parts.append("\(file.path) \(file.mode) ← \(file.content)") }
        if !profile.env.isEmpty { parts.append("env \(profile.env.map(\.name).joined(separator: ", "))") }
        if profile.verify != nil { parts.append("verify") }
        return parts.joined(separator: "; ")
    }

    private func details(_ session: SessionSpec) -> String {
        var parts: [String] = []
        switch session.program {
        case .run(let command): parts.append("run `\(oneLine(command.description))`")
        case .agent(let kind, let options):
            var text = "agent \(kind)"
            if let model = options.plainText("model") { text += " (\(model))" }
            parts.append(text)
        }
        if session.cwd != .home("") { parts.append("in \(session.cwd)") }
        if !session.after.isEmpty {
            parts.append("after " + session.after.map { "\($0.session) \($0.condition.rawValue)" }.joined(separator: ", "))
        }
        if !session.credentials.isEmpty { parts.append("credentials " + session.credentials.joined(separator: ", ")) }
        if !session.env.isEmpty { parts.append("env " + session.env.map(\.name).joined(separator: ", ")) }
        let outputs = session.outputs
        if !outputs.isEmpty { parts.append("uses " + Array(Set(outputs.map(\.placeholder))).sorted().joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }

    private func oneLine(_ text: String) -> String {
        let first = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        let shortened = first.count > 60 ? String(first.prefix(57)) + "…" : first
        return text.contains("\n") ? shortened + " …" : shortened
    }

    private func compact(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.compactText
    }
}
