import Dispatch
import Foundation
import Synchronization

/// Ctrl-C and SIGTERM for `apply` and `destroy`, installed before anything else runs:
/// the first signal goes to the handler given with ``forward(_:)`` (the run cleans up
/// and exits 130), or waits for it when it comes before there is one; a second signal
/// ends the process at once with 130.
final class EarlyInterrupts: Sendable {
    private struct State {
        var count = 0
        var pending: String?
        var handler: (@Sendable (String) -> Void)?
    }

    /// The process's one handler (signal dispositions belong to the process, so there is
    /// exactly one): made when first used, which `main` does first thing for `apply`.
    static let process = EarlyInterrupts()

    /// Dispatch sources are thread-safe; they are only kept alive here.
    private nonisolated(unsafe) let sources: [DispatchSourceSignal]
    private let state = Mutex(State())

    /// Installs handlers for SIGINT and SIGTERM on a background queue.
    private init() {
        let queue = DispatchQueue(label: "runjob.signals")
        var installed: [DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            installed.append(DispatchSource.makeSignalSource(signal: number, queue: queue))
        }
        sources = installed
        for (source, name) in zip(sources, ["SIGINT", "SIGTERM"]) {
            source.setEventHandler { [weak self] in self?.received(name) }
            source.resume()
        }
    }

    /// From now on the first signal calls `handler`; one that came already is handed over at once.
    func forward(_ handler: @escaping @Sendable (String) -> Void) {
        let pending = state.withLock { current -> String? in
            current.handler = handler
            defer { current.pending = nil }
            return current.pending
        }
        if let pending { handler(pending) }
    }

    /// The signal received before any handler was given, if one was.
    var received: String? { state.withLock { $0.pending } }

    private func received(_ name: String) {
        let (seen, handler) = state.withLock { current -> (Int, (@Sendable (String) -> Void)?) in
            current.count += 1
            if current.count == 1 && current.handler == nil { current.pending = name }
            return (current.count, current.handler)
        }
        if seen == 1 {
            Console.err("\nrunjob: \(name) received; stopping and cleaning up (press Ctrl-C again to exit at once)\n")
            handler?(name)
        } else {
            Console.err("\nrunjob: exiting at once; instances may be left behind (see `runjob status`)\n")
            _exit(ExitCodes.interrupted)
        }
    }
}
