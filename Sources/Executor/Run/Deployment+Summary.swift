extension Deployment {
    /// What apply would change, for `plan`: `agents` name the sessions' processes,
    /// `rerun` are the sessions the user asks to run again (`--rerun`).
    public func summary(for plan: Plan, agents: [String: any Agent] = [:], rerun: Set<String> = []) -> ChangeSummary {
        if needsReplace { return .replace }
        var creates = 0
        var updates: [String] = []
        var notes: [String] = []
        for entry in actions {
            for duplicate in duplicates[entry.machine] ?? [] {
                updates.append("remove \(duplicate.id), a second instance of machine \(entry.machine) (two boots raced)")
            }
            switch entry.action {
            case .create:
                creates += 1
            case .replace, .unusable:
                break
            case .reuse(let instance):
                switch instance.status {
                case .booting: updates.append("wait for \(instance.id) (machine \(entry.machine)), still starting")
                case .stopped: updates.append("resume \(instance.id) (machine \(entry.machine)), which is paused")
                default: break
                }
                let state = states[instance.id]
                if let state, state.machineInfoConfig != plan.configDigest { updates.append("machine info of \(entry.machine)") }
                for name in plan.resources(usedOn: entry.machine) where instance.labels[InstanceLabel.resource(name)] == nil {
                    // An optional resource that failed before: apply tries again (and restarts what uses it).
                    let line = "resource \(name) for machine \(entry.machine) (its instance does not have it yet)"
                    if !updates.contains(line) { updates.append(line) }
                }
                for step in plan.steps where step.machine == entry.machine {
                    switch step.action {
                    case .credentials(let profile):
                        if let state, state.credentials[profile.name] != plan.credentialsDigest(profile, resourceIDs: InstanceLabel.resources(in: instance.labels)) {
                            updates.append("credentials \(profile.name) on \(entry.machine)")
                        }
                    case .start(let session):
                        let decision = SessionDecision.decide(
                            session, process: SessionProcesses.processName(for: session, agents: agents),
                            secrets: SessionProcesses.secretsDigest(for: session, plan: plan, resourceIDs: InstanceLabel.resources(in: instance.labels)),
                            state: state, processes: processes[instance.id],
                            rerun: rerun.contains(session.name))
                        switch decision {
                        case .keep(_, let note?): notes.append("session \(session.name): \(note)")
                        case .keep: break
                        case .start(let reason): updates.append("start \(session.name)" + (reason.map { " (\($0))" } ?? ""))
                        case .rerun(let reason): updates.append("re-run \(session.name) (\(reason))")
                        }
                    default: break
                    }
                }
            }
        }
        if creates == actions.count && creates > 0 && updates.isEmpty { return .create }
        if creates > 0 { updates.insert("\(creates) machine\(creates == 1 ? "" : "s") to boot", at: 0) }
        return updates.isEmpty ? .noChanges(notes: notes) : .update(updates, notes: notes)
    }
}

/// What apply would do to what exists.
public enum ChangeSummary: Sendable, Equatable {
    /// Everything is in place: apply is a no-op. `notes` say what is worth knowing anyway.
    case noChanges(notes: [String])
    /// Nothing exists yet: apply creates everything.
    case create
    /// Some parts are missing, failed or changed: apply completes them.
    case update([String], notes: [String])
    /// The config changed, or an instance cannot be used: apply refuses unless `--replace` (then replaces the instances).
    case replace

    /// No changes and nothing to note.
    public static let noChanges = ChangeSummary.noChanges(notes: [])

    /// Whether apply would change anything.
    public var hasChanges: Bool {
        if case .noChanges = self { false } else { true }
    }

    /// Things worth knowing that apply does not change.
    public var notes: [String] {
        switch self {
        case .noChanges(let notes), .update(_, let notes): notes
        case .create, .replace: []
        }
    }

    /// One line for people.
    public var sentence: String {
        switch self {
        case .noChanges: "no changes"
        case .create: "will create"
        case .update(let parts, _): "will update: " + parts.joined(separator: ", ")
        case .replace: "will replace (the config changed or an instance cannot be used; apply needs --replace)"
        }
    }
}
