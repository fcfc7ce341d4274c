import Executor
import Testing

@Suite("What re-apply does with a session: keep, start, or run again (tainted, changed, --rerun)")
struct SessionDecisionTests {
    let session = SessionSpec(name: "review", machine: "main", program: .run(.shell("true")))

    func record(run: String = "R1", secrets: String? = "S1") -> InstanceState.SessionRecord {
        .init(run: run, process: "review", startedAt: "t", config: "c", secrets: secrets)
    }

    func state(_ record: InstanceState.SessionRecord?, damaged: Bool = false) -> InstanceState {
        var state = InstanceState()
        if let record { state.sessions["review"] = record }
        if damaged { state.unreadable = ["session-review.json"] }
        return state
    }

    func decide(_ state: InstanceState?, _ processes: [ProcessState]?, secrets: String = "S1", rerun: Bool = false) -> SessionDecision {
        SessionDecision.decide(session, process: "review", secrets: secrets, state: state, processes: processes, rerun: rerun)
    }

    @Test("a running session with the same secrets is kept")
    func keepsRunning() {
        let running = ProcessState(name: "review", run: "R1", status: .running, pid: 7)
        #expect(decide(state(record()), [running]) == .keep(record(), note: nil))
    }

    @Test("a running session whose secret inputs changed is restarted")
    func restartsChanged() {
        let running = ProcessState(name: "review", run: "R1", status: .running, pid: 7)
        guard case .rerun(let reason) = decide(state(record()), [running], secrets: "S2") else {
            Issue.record("not a rerun")
            return
        }
        #expect(reason.contains("secret inputs changed"))
    }

    @Test("a failed, stopped or vanished session is tainted and runs again; a successful one stays finished")
    func tainted() {
        for (status, code, ran) in [(ProcessState.Status.exited, 3, true), (.stopped, 143, true), (.failed, 97, true), (.exited, 0, false)] {
            let finished = ProcessState(name: "review", run: "R1", status: status, pid: 7, exitCode: code)
            #expect(decide(state(record()), [finished]).startsAgain == ran, "\(status) \(code)")
        }
        let vanished = ProcessState(name: "review", run: "R1", status: .stopped, pid: 7, exitCode: nil)
        guard case .rerun(let reason) = decide(state(record()), [vanished]) else {
            Issue.record("a vanished session is not run again")
            return
        }
        #expect(reason.contains("unknown exit status"))
    }

    @Test("a successful session whose secrets changed is kept, with a note naming --rerun")
    func finishedAndChanged() {
        let done = ProcessState(name: "review", run: "R1", status: .exited, pid: 7, exitCode: 0)
        guard case .keep(_, let note?) = decide(state(record()), [done], secrets: "S2") else {
            Issue.record("no note")
            return
        }
        #expect(note.contains("--rerun review"))
    }

    @Test("--rerun runs any session again; no record starts it; a record without a process is an incomplete start")
    func startsAndReruns() {
        let done = ProcessState(name: "review", run: "R1", status: .exited, pid: 7, exitCode: 0)
        #expect(decide(state(record()), [done], rerun: true) == .rerun(reason: "requested (--rerun)"))
        #expect(decide(state(nil), []) == .start(reason: nil))
        #expect(decide(nil, nil) == .start(reason: nil))
        guard case .start(let reason?) = decide(state(record()), []) else {
            Issue.record("a record without a process is not an incomplete start")
            return
        }
        #expect(reason.contains("did not complete"))
    }

    @Test("a damaged record never hides a live process: it is kept (adopted), not started twice")
    func damagedRecord() {
        let running = ProcessState(name: "review", run: "R9", status: .running, pid: 7)
        guard case .keep(let kept, _) = decide(state(nil, damaged: true), [running]) else {
            Issue.record("a live session behind a damaged record would be started again")
            return
        }
        #expect(kept.run == "R9")
        guard case .start(let reason?) = decide(state(nil, damaged: true), []) else {
            Issue.record("no reason")
            return
        }
        #expect(reason.contains("damaged"))
    }

    @Test("records of older runjobs (no secrets digest) are never taken as changed")
    func olderRecords() {
        let running = ProcessState(name: "review", run: "R1", status: .running, pid: 7)
        #expect(decide(state(record(secrets: nil)), [running], secrets: "S2") == .keep(record(secrets: nil), note: nil))
    }

    @Test("the instance that stands for a machine is the oldest, the same for every reader")
    func precedence() {
        let old = Instance(id: "b", status: .ready, labels: [InstanceLabel.boot: "02"], createdAt: 10)
        let sameSecondEarlierToken = Instance(id: "c", status: .ready, labels: [InstanceLabel.boot: "01"], createdAt: 11)
        let sameSecondLaterToken = Instance(id: "a", status: .ready, labels: [InstanceLabel.boot: "03"], createdAt: 11)
        let unknownTime = Instance(id: "0", status: .ready, labels: [:], createdAt: nil)
        let sorted = [unknownTime, sameSecondLaterToken, old, sameSecondEarlierToken].sorted(by: Deployment.precedes)
        #expect(sorted.map(\.id) == ["b", "c", "a", "0"])
    }
}
