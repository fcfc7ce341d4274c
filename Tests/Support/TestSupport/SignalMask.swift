import Foundation

/// Runs `body` (a process launch) with no signal blocked on the calling thread, one
/// launch at a time.
///
/// The test runner's threads block most signals, and a child started with
/// `Foundation.Process` inherits the mask of the thread that launched it: it would
/// never see SIGTERM or SIGINT. Launch children inside this so they start clean.
/// Launches are serialised: `Foundation.Process.run()` on Linux is not safe to call
/// from many threads at once (the full suite crashed in it, in `memcpy`, with dozens
/// of launches in flight).
/// `except` stay blocked (to start a child the way a parent that blocks them would).
public func withUnblockedSignals<T>(except blocked: [Int32] = [], _ body: () throws -> T) rethrows -> T {
    launches.lock()
    defer { launches.unlock() }
    var empty = sigset_t()
    var previous = sigset_t()
    sigemptyset(&empty)
    for signal in blocked { sigaddset(&empty, signal) }
    pthread_sigmask(SIG_SETMASK, &empty, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    return try body()
}

/// The lock that serialises process launches in the tests.
private let launches = NSLock()
