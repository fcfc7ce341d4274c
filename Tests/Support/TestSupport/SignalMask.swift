import Foundation

/// Runs `body` (a process launch) with no signal blocked on the calling thread.
///
/// The test runner's threads block most signals, and a child started with
/// `Foundation.Process` inherits the mask of the thread that launched it: it would
/// never see SIGTERM or SIGINT. Launch children inside this so they start clean.
public func withUnblockedSignals<T>(_ body: () throws -> T) rethrows -> T {
    var empty = sigset_t()
    var previous = sigset_t()
    sigemptyset(&empty)
    pthread_sigmask(SIG_SETMASK, &empty, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    return try body()
}
