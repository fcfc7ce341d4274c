import Dispatch
import Foundation
import RunjobKit
import Synchronization

/// The live progress line on a terminal's stderr: steps done of total, what is
/// running, elapsed time; redrawn on every event and twice a second.
final class ProgressView: EventSink {
    private struct State {
        var total = 0
        var done = 0
        var running: [String] = []
        var start = RunClock.nowMilliseconds()
        var finished = false
    }

    private let state = Mutex(State())
    private let redactor: Redactor
    /// Dispatch sources are thread-safe; this one only redraws.
    private nonisolated(unsafe) let timer: DispatchSourceTimer

    init(redactor: Redactor) {
        self.redactor = redactor
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "runjob.progress"))
        timer.schedule(deadline: .now() + .milliseconds(500), repeating: .milliseconds(500))
        timer.setEventHandler { [weak self] in self?.draw() }
        timer.resume()
    }

    func emit(_ event: RunEvent) {
        var permanent: String?
        state.withLock { state in
            switch event.kind {
            case .runStarted(let started):
                state.total = started.steps
                state.start = event.milliseconds
            case .stepStarted(let step, _):
                state.running.append(step.description)
            case .stepFinished(let finished):
                state.running.removeAll { $0 == finished.step.description }
                state.done += 1
                if finished.status == .failed { permanent = HumanEventLines.line(for: event, startedAt: state.start) }
            case .runFinished, .runInterrupted:
                state.finished = true
                permanent = HumanEventLines.line(for: event, startedAt: state.start)
            case .sessionFinished, .log:
                permanent = HumanEventLines.line(for: event, startedAt: state.start)
            }
        }
        if let permanent { Console.err("\r\u{1B}[K" + redactor.redact(permanent) + "\n") }
        draw()
        if state.withLock({ $0.finished }) { timer.cancel() }
    }

    private func draw() {
        let line: String? = state.withLock { state in
            guard !state.finished else { return nil }
            let elapsed = Double(RunClock.nowMilliseconds() - state.start) / 1000
            let running = state.running.prefix(3).joined(separator: ", ") + (state.running.count > 3 ? ", …" : "")
            return String(format: "[%d/%d] %@%.1fs", state.done, state.total, running.isEmpty ? "" : running + " · ", elapsed)
        }
        guard let line else { return }
        Console.err("\r\u{1B}[K" + line)
    }
}
