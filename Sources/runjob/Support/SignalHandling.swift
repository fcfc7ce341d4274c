import Dispatch
import Foundation
import Synchronization

/// Ctrl-C and SIGTERM for `apply`, taken before anything else runs: the first signal
/// goes to the handler given with ``forward(_:)`` (the run cleans up and exits 130), or
/// waits for it when it comes before there is one; a second signal ends the process at
/// once with 130.
///
/// A plain `sigaction` handler, whichever thread the kernel picks, writes the signal's
/// number into a pipe (the classic self-pipe: `write` is async-signal-safe), and one
/// thread of ours reads the pipe. Two designs failed the interrupt stress test: a
/// dispatch signal source lost about one signal in 400, and blocking the signals for
/// `sigwait` let one through to a thread that swift-subprocess had unblocked them in
/// (default action: the process died with 143, nothing cleaned up). Children get the
/// default dispositions back when they `exec`.
final class EarlyInterrupts: Sendable {
    private struct State {
        var count = 0
        var pending: String?
        var handler: (@Sendable (String) -> Void)?
    }

    /// The process's one handler (signal dispositions belong to the process, so there is
    /// exactly one): made when first used, which `main` does first thing for `apply`.
    static let process = EarlyInterrupts()

    /// The self-pipe: made once, before the handler is installed, never changed.
    private static let wakeup: (read: Int32, write: Int32) = {
        var descriptors: [Int32] = [-1, -1]
        _ = pipe(&descriptors)
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return (descriptors[0], descriptors[1])
    }()

    private let state = Mutex(State())

    /// Installs the handler for SIGINT and SIGTERM and starts the thread that reads the pipe.
    private init() {
        let pipe = Self.wakeup
        let thread = Thread { [weak self] in
            var byte: UInt8 = 0
            while true {
                let count = read(pipe.read, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                guard count == 1 else { return }
                self?.received(Int32(byte) == SIGINT ? "SIGINT" : "SIGTERM")
            }
        }
        thread.name = "runjob.signals"
        thread.start()
        for number in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(EarlyInterrupts.wakeup.write, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
        }
        // A parent may have started runjob with these signals blocked (the mask is inherited
        // across exec): unblock them here, now that the handler is in place, so a Ctrl-C
        // is seen and never waits for a thread that happens to leave them unblocked.
        var interrupts = sigset_t()
        sigemptyset(&interrupts)
        sigaddset(&interrupts, SIGINT)
        sigaddset(&interrupts, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &interrupts, nil)
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
