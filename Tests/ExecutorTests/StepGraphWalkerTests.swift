import Synchronization
import Testing

@testable import Executor

/// The walker and the step execution, with in-memory work only: no process, no file, no clock
/// beyond the test's own (the whole suite runs in well under a second).
@Suite("Step graph walker and step execution (in memory)")
struct StepGraphWalkerTests {
    /// A step `kind:subject` depending on `dependsOn`.
    func step(_ id: String, _ dependsOn: [String] = []) -> Step {
        let machine = MachineSpec(name: "main")
        return Step(
            id: StepID(id) ?? .boot(id), dependsOn: dependsOn.compactMap { StepID($0) }, machine: "main", action: .boot(machine))
    }

    /// What happened, in order.
    final class Journal: Sendable {
        private let entries = Mutex<[String]>([])
        private let concurrency = Mutex<(now: Int, most: Int)>((0, 0))
        func note(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
        func enter() { concurrency.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
        func leave() { concurrency.withLock { $0.now -= 1 } }
        var most: Int { concurrency.withLock { $0.most } }
    }

    /// Walks `steps`, with `fail` failing and everything else succeeding after a few yields.
    func walk(_ steps: [Step], parallelism: Int = 4, fail: Set<String> = [], stopAfter: String? = nil) async -> (
        results: [StepID: StepResult], failures: [StepID], journal: Journal
    ) {
        let journal = Journal()
        let stop = Mutex<String?>(nil)
        let walker = StepGraphWalker(steps: steps, parallelism: parallelism)
        let (results, failures) = await walker.walk(
            execute: { step in
                journal.enter()
                for _ in 0..<5 { await Task.yield() }
                journal.leave()
                journal.note("done \(step.id)")
                if step.id.description == stopAfter { stop.withLock { $0 = "SIGINT" } }
                return fail.contains(step.id.description) ? StepResult(status: .failed, error: (ErrorCode.Provider.bootFailed, "no")) : StepResult(status: .ok)
            },
            started: { journal.note("start \($0.id)") },
            settled: { step, status, reason in journal.note("\(status.rawValue) \(step.id): \(reason)") },
            stopped: { stop.withLock { $0 } })
        return (results, failures, journal)
    }

    @Test("a step starts only after every dependency succeeded; independent steps run together")
    func ordering() async {
        let steps = [step("boot:a"), step("boot:b"), step("machine-info:a", ["boot:a"]), step("start:s", ["boot:a", "machine-info:a", "boot:b"])]
        let (results, failures, journal) = await walk(steps)
        #expect(results.values.allSatisfy { $0.status == .ok } && results.count == 4 && failures.isEmpty)
        let log = journal.all
        func index(_ entry: String) -> Int { log.firstIndex(of: entry) ?? -1 }
        #expect(index("start boot:a") < index("start boot:b") && index("start boot:b") < index("done boot:a"), "\(log)")
        #expect(index("done boot:a") < index("start machine-info:a"))
        #expect(index("done machine-info:a") < index("start start:s") && index("done boot:b") < index("start start:s"))
        #expect(journal.most == 2)
    }

    @Test("never more steps at once than the parallelism")
    func boundedConcurrency() async {
        let steps = (0..<20).map { step("boot:m\($0)") }
        for parallelism in [1, 3, 8] {
            let (results, _, journal) = await walk(steps, parallelism: parallelism)
            #expect(results.count == 20)
            #expect(journal.most <= parallelism && journal.most >= 1, "parallelism \(parallelism): \(journal.most)")
        }
    }

    @Test("a failure mid-wave: running siblings finish, nothing new starts, dependents are skipped naming it, the rest cancelled")
    func failureMidWave() async {
        let steps = [
            step("boot:a"), step("boot:b"), step("machine-info:a", ["boot:a"]), step("start:s", ["machine-info:a"]), step("boot:c", ["boot:b"]),
        ]
        let (results, failures, journal) = await walk(steps, fail: ["boot:a"])
        #expect(failures == [StepID("boot:a")!])
        #expect(results[StepID("boot:a")!]?.status == .failed)
        #expect(results[StepID("boot:b")!]?.status == .ok, "a sibling already running finishes")
        #expect(results[StepID("machine-info:a")!]?.status == .skipped)
        #expect(results[StepID("start:s")!]?.status == .skipped)
        #expect(journal.all.contains("skipped start:s: dependency boot:a failed"), "\(journal.all)")
        #expect(results[StepID("boot:c")!]?.status == .cancelled)
        #expect(journal.all.contains("cancelled boot:c: the run stopped after boot:a failed"))
        #expect(!journal.all.contains("start boot:c"))
    }

    @Test("an interrupt: nothing new starts, the rest is cancelled with the signal as the reason")
    func interrupted() async {
        let steps = [step("boot:a"), step("machine-info:a", ["boot:a"]), step("start:s", ["machine-info:a"])]
        let (results, failures, journal) = await walk(steps, stopAfter: "boot:a")
        #expect(failures.isEmpty)
        #expect(results[StepID("boot:a")!]?.status == .ok)
        #expect(results[StepID("machine-info:a")!]?.status == .cancelled)
        #expect(journal.all.contains("cancelled machine-info:a: the run was interrupted (SIGINT)"), "\(journal.all)")
        #expect(results[StepID("start:s")!]?.status == .cancelled)
    }

    @Test("a failure that follows another keeps both, in the order they failed")
    func failureOrder() async {
        let (results, failures, _) = await walk([step("boot:a"), step("boot:b")], parallelism: 2, fail: ["boot:a", "boot:b"])
        #expect(Set(failures) == [StepID("boot:a")!, StepID("boot:b")!] && failures.count == 2)
        #expect(results.values.allSatisfy { $0.status == .failed })
    }

    @Test("step execution: ok with data and timing; a failure with its code, context and redacted message; the same for every caller")
    func execution() async throws {
        let events = Mutex<[RunEvent.Kind]>([])
        let redactor = Redactor(secrets: [Secret(source: .env("T"), value: "step-secret-0123456789")])
        let execution = StepExecution(
            work: { step in
                if step.id.subject == "bad" {
                    throw ProviderError(
                        ErrorCode.Provider.execFailed, "it printed step-secret-0123456789", context: [.init("instance", "i-1"), .init("step", "x")])
                }
                return [.init("instance", .string("i-1"))]
            }, redactor: redactor, emit: { kind in events.withLock { $0.append(kind) } })
        try await execution.perform(step("boot:good"))
        let error = await #expect(throws: ProviderError.self) { try await execution.perform(step("boot:bad")) }
        #expect(error?.code == ErrorCode.Provider.execFailed)
        let finished = events.withLock { $0 }.compactMap { kind -> StepFinished? in if case .stepFinished(let f) = kind { f } else { nil } }
        #expect(finished.count == 2)
        #expect(finished[0].status == .ok && finished[0].data.first?.key == "instance")
        #expect(finished[1].status == .failed)
        #expect(finished[1].error?.code == ErrorCode.Provider.execFailed)
        #expect(finished[1].error?.message == "it printed [redacted] (instance=i-1, step=x)")
        #expect(events.withLock { $0 }.count == 4)
    }

    @Test("step execution: cancelled work is cancelled, not failed")
    func cancelled() async {
        let execution = StepExecution(work: { _ in throw CancellationError() }, redactor: Redactor(), emit: { _ in })
        let (result, error) = await execution.run(step("boot:a"))
        #expect(result.status == .cancelled)
        #expect(error is CancellationError)
    }
}
