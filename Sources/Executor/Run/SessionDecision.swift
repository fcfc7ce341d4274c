/// What apply does with one session, given runjob's record of it and the processes
/// on its instance. Modelled on Terraform: a session that failed or was stopped is
/// "tainted" and runs again; one whose secret inputs changed while it runs is
/// restarted; one that finished successfully stays finished unless `--rerun` names it.
public enum SessionDecision: Sendable, Equatable {
    /// Leave it as it is: it runs with the current inputs, or it finished successfully.
    /// `note` tells people something worth knowing (it finished before its secrets changed).
    case keep(InstanceState.SessionRecord, note: String?)
    /// Start it: nothing of it runs (never started, or an earlier start did not complete).
    /// A live process found at launch time is adopted, never duplicated.
    case start(reason: String?)
    /// Run it again, stopping a live process first.
    case rerun(reason: String)

    /// Whether a live process of the session is stopped first.
    public var startsAgain: Bool {
        if case .rerun = self { true } else { false }
    }

    /// Whether apply would start a process.
    public var startsProcess: Bool {
        if case .keep = self { false } else { true }
    }

    /// The decision for `session` (whose process is named `process` on the instance),
    /// from the instance's records (`nil`: nothing known, start and adopt) and the
    /// manager's processes (`nil`: not read). `rerun`: the user asked to run it again.
    public static func decide(
        _ session: SessionSpec, process: String, secrets: String, state: InstanceState?, processes: [ProcessState]?, rerun: Bool
    ) -> SessionDecision {
        if rerun { return .rerun(reason: "requested (--rerun)") }
        guard let state else { return .start(reason: nil) }
        let record = state.sessions[session.name]
        let recordName = record?.process ?? process
        let live = processes?.first { $0.name == recordName && $0.status == .running }
        if let live {
            if let recorded = record?.secrets, recorded != secrets, record?.run == live.run {
                return .rerun(reason: "its secret inputs changed since it started (it still runs with the old values)")
            }
            let kept = record.flatMap { $0.run == live.run ? $0 : nil }
                ?? InstanceState.SessionRecord(run: live.run, process: recordName, startedAt: record?.startedAt ?? "", config: record?.config ?? "")
            return .keep(kept, note: nil)
        }
        guard let record else {
            if state.unreadableSessions.contains(session.name) { return .start(reason: "its record on the instance is damaged and no process of it runs") }
            return .start(reason: nil)
        }
        guard let processes else { return .keep(record, note: nil) }
        guard let ran = processes.first(where: { $0.name == record.process && $0.run == record.run }) else {
            return .start(reason: "an earlier start (run \(record.run)) did not complete")
        }
        switch ran.status {
        case .running:
            return .keep(record, note: nil)  // not reachable: a running one is `live`
        case .exited where ran.exitCode == 0:
            if let recorded = record.secrets, recorded != secrets {
                return .keep(record, note: "it finished (run \(record.run)) before its secret inputs changed; `apply --rerun \(session.name)` runs it again")
            }
            return .keep(record, note: nil)
        case .exited, .stopped, .failed, .unknown:
            return .rerun(reason: "it \(describe(ran)) in run \(record.run)")
        }
    }

    /// `failed (exit 1)`, `was stopped`, `ended with an unknown exit status`.
    static func describe(_ state: ProcessState) -> String {
        switch (state.status, state.exitCode) {
        case (.stopped, let code?): "was stopped (exit \(code))"
        case (.stopped, nil): "ended with an unknown exit status (killed, or its exit file could not be written)"
        case (.failed, _): "could not start"
        case (_, let code?): "failed (exit \(code))"
        case (_, nil): "ended with an unknown exit status"
        }
    }
}
