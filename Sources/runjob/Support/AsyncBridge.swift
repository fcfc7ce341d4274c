import Dispatch
import Synchronization

/// Runs async work from the synchronous `main` and waits for it. The concurrency
/// runtime starts only for commands that call this (apply, status, logs, destroy).
enum AsyncBridge {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let value = await body()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        guard let value = result.withLock({ $0 }) else { preconditionFailure("the async work ended without a value") }
        return value
    }
}
