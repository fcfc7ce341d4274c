import Foundation
import Synchronization

/// Stops one exec's child when the task waiting for it is cancelled: TERM to the
/// child's process group (the child leads its own session), KILL after `grace`, done
/// once no live process is left in the group (zombies wait for init and do not count). Cancellation may come before the child exists (it is then
/// stopped as soon as it does) or after it ended (nothing is signalled: its pid may be reused).
final class LocalChildControl: Sendable {
    private struct State {
        var pid: pid_t?
        var cancelled = false
        var ended = false
        var stopper: Task<Void, Never>?
    }

    private let state = Mutex(State())
    private let grace: Duration

    /// A control that waits `grace` between TERM and KILL.
    init(grace: Duration) {
        self.grace = grace
    }

    /// The child was spawned as `pid` (leader of its session and group).
    func started(_ pid: pid_t) {
        state.withLock { state in
            state.pid = pid
            if state.cancelled, state.stopper == nil { state.stopper = stopper(for: pid) }
        }
    }

    /// The child was reaped (or never spawned): its pid is no longer ours to signal.
    func ended() {
        state.withLock { $0.ended = true }
    }

    /// The waiting task was cancelled: stop the child (now, or once it exists).
    func cancel() {
        state.withLock { state in
            state.cancelled = true
            if let pid = state.pid, !state.ended, state.stopper == nil { state.stopper = stopper(for: pid) }
        }
    }

    /// The child's pid, once it was spawned.
    var pid: pid_t? { state.withLock { $0.pid } }

    /// Whether ``cancel()`` was called.
    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Returns once the stop (if one was started) is over: the group is empty or was killed.
    func waitForStop() async {
        let stopper = state.withLock { $0.stopper }
        await stopper?.value
    }

    private var leaderIsOurs: Bool { state.withLock { !$0.ended } }

    private func stopper(for pid: pid_t) -> Task<Void, Never> {
        let grace = self.grace
        return Task.detached { [self] in
            // The leader by pid too: with a fork-based spawn it may not have called setsid yet.
            // A group of zombies waiting for init still answers kill(-pid, 0): then look into
            // /proc, at most every 50 ms (it reads every process's stat).
            var scanned = ContinuousClock.now - .seconds(1)
            var liveMembers = true
            func anythingLeft() async -> Bool {
                if leaderIsOurs && kill(pid, 0) == 0 { return true }
                guard kill(-pid, 0) == 0 || errno == EPERM else { return false }
                if ContinuousClock.now - scanned >= .milliseconds(50) {
                    liveMembers = await LocalProcessTable.groupHasLiveMembers(pid)
                    scanned = ContinuousClock.now
                }
                return liveMembers
            }
            for (signal, limit) in [(SIGTERM, grace), (SIGKILL, Duration.seconds(5))] {
                kill(-pid, signal)
                if leaderIsOurs { kill(pid, signal) }
                let deadline = ContinuousClock.now + limit
                while await anythingLeft(), ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(10))
                }
                if !(await anythingLeft()) { return }
            }
        }
    }
}
