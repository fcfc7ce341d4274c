import Dispatch
import Foundation
import Synchronization

/// Ctrl-C and SIGTERM: the first calls `onFirst` (the run cleans up and exits 130);
/// a second one ends the process at once with 130.
final class InterruptHandler: Sendable {
    /// Dispatch sources are thread-safe; they are only kept alive here.
    private nonisolated(unsafe) let sources: [DispatchSourceSignal]
    private let count = Mutex(0)
    private let onFirst: @Sendable (String) -> Void

    /// Installs handlers for SIGINT and SIGTERM on a background queue.
    init(onFirst: @escaping @Sendable (String) -> Void) {
        self.onFirst = onFirst
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

    private func received(_ name: String) {
        let seen = count.withLock { value -> Int in
            value += 1
            return value
        }
        if seen == 1 {
            Console.err("\nrunjob: \(name) received; stopping and cleaning up (press Ctrl-C again to exit at once)\n")
            onFirst(name)
        } else {
            Console.err("\nrunjob: exiting at once; instances may be left behind (see `runjob status`)\n")
            _exit(ExitCodes.interrupted)
        }
    }
}
