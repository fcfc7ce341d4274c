import Executor
import Foundation
import Testing
import TestSupport

@Suite("Deployment lease: one run changes a deployment at a time; a dead holder releases it")
struct DeploymentLeaseTests {
    let key = LeaseKey(scope: "local:/x", name: "demo", workspace: "default")

    func holder(_ run: String) -> LeaseHolder {
        LeaseHolder.current(run: run, command: "apply")
    }

    @Test("a second acquirer waits, is told who holds it, and refuses with the holder's run id when time is up")
    func refusesWithHolder() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-lease")
        defer { folder.remove() }
        let locking = FileDeploymentLocking(directory: folder.file("locks"))
        let first = try await locking.acquire(key, holder: holder("RUN-ONE"), timeout: .zero) { _ in }
        let seen = LockedBox<LeaseHolder?>(nil)
        let error = await #expect(throws: OrchestrationError.self) {
            _ = try await locking.acquire(key, holder: holder("RUN-TWO"), timeout: .milliseconds(200)) { seen.set($0) }
        }
        #expect(error?.code == ErrorCode.Orchestration.locked)
        #expect(error?.message.contains("RUN-ONE") == true)
        #expect(seen.get()?.run == "RUN-ONE")
        first.release()
        // Not `.zero`: a process another test forks at that moment holds the lock until it execs.
        let second = try await locking.acquire(key, holder: holder("RUN-TWO"), timeout: .seconds(30)) { _ in }
        second.release()
    }

    @Test("a waiting acquirer gets the lease as soon as the holder releases it")
    func waitsForRelease() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-lease")
        defer { folder.remove() }
        let locking = FileDeploymentLocking(directory: folder.file("locks"))
        let first = try await locking.acquire(key, holder: holder("RUN-ONE"), timeout: .zero) { _ in }
        let waited = LockedBox(false)
        let task = Task { try await locking.acquire(key, holder: holder("RUN-TWO"), timeout: .seconds(30)) { _ in waited.set(true) } }
        while !waited.get() { await Task.yield() }
        first.release()
        let second = try await task.value
        second.release()
    }

    @Test("different deployments (name, workspace, provider scope) do not exclude each other")
    func keysAreSeparate() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-lease")
        defer { folder.remove() }
        let locking = FileDeploymentLocking(directory: folder.file("locks"))
        let held = try await locking.acquire(key, holder: holder("A"), timeout: .zero) { _ in }
        for other in [
            LeaseKey(scope: "local:/x", name: "demo", workspace: "ci-1"), LeaseKey(scope: "local:/y", name: "demo", workspace: "default"),
            LeaseKey(scope: "local:/x", name: "other", workspace: "default"),
        ] {
            let lease = try await locking.acquire(other, holder: holder("B"), timeout: .zero) { _ in }
            lease.release()
        }
        held.release()
    }

    @Test("a holder killed with -9 releases the lease at once")
    func deadHolderReleases() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-lease")
        defer { folder.remove() }
        let locking = FileDeploymentLocking(directory: folder.file("locks"))
        try FileManager.default.createDirectory(atPath: folder.file("locks"), withIntermediateDirectories: true)
        let path = locking.path(for: key)
        // A real other process holds the lock: flock(1) keeps it (-o: its child does not) while the child sleeps.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        process.arguments = ["-o", path, "sleep", "61.5"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try withUnblockedSignals { try process.run() }
        let pid = process.processIdentifier
        var refused = false
        for _ in 0..<200 where !refused {
            do {
                let lease = try await locking.acquire(key, holder: holder("PROBE"), timeout: .zero) { _ in }
                lease.release()
                try await Task.sleep(for: .milliseconds(10))
            } catch let error as OrchestrationError where error.code == ErrorCode.Orchestration.locked {
                refused = true
            }
        }
        #expect(refused, "the other process never took the lock")
        kill(pid, SIGKILL)
        // Dead once gone or a zombie (the kernel released its locks either way).
        func dead() -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
            return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
        }
        while !dead() { try await Task.sleep(for: .milliseconds(5)) }
        defer { _ = try? CommandRunner.run("/usr/bin/pkill", ["-KILL", "-f", "^sleep 61.5$"]) }
        let lease = try await locking.acquire(key, holder: holder("AFTER"), timeout: .milliseconds(500)) { _ in }
        lease.release()
    }

    @Test("a lease folder that cannot be made is a clear error, not a crash")
    func unusableFolder() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-lease")
        defer { folder.remove() }
        FileManager.default.createFile(atPath: folder.file("file"), contents: Data("x".utf8))
        let locking = FileDeploymentLocking(directory: folder.file("file") + "/locks")
        let error = await #expect(throws: OrchestrationError.self) {
            _ = try await locking.acquire(key, holder: holder("A"), timeout: .zero) { _ in }
        }
        #expect(error?.message.contains("Not a directory") == true || error?.message.contains("not a directory") == true)
    }
}

/// A value shared with a closure under a lock (tests only).
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func get() -> Value { lock.withLock { value } }
    func set(_ new: Value) { lock.withLock { value = new } }
}
