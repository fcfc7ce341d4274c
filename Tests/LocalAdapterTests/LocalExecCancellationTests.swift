import Executor
import Foundation
import LocalAdapter
import TestSupport
import Testing

/// The number of entries in `/proc/self/fd`, and those that point into `folder`.
private func openDescriptors(into folder: String) -> (all: Int, inside: [String]) {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    let inside = names.compactMap { name -> String? in
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + name) else { return nil }
        return target.hasPrefix(folder + "/") ? target : nil
    }
    return (names.count, inside)
}

@Suite("Local exec under cancellation")
struct LocalExecCancellationTests {
    @Test("200 execs with small and large stdin, cancelled at random moments: no crash, no process left, no descriptor leaked")
    func cancellationStress() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-cancel")
        defer { folder.remove() }
        let provider = LocalProvider(stateDirectory: folder.file("state"), cancelGrace: .milliseconds(300))
        let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "m"), labels: [:]))
        let instanceFolder = try #require(instance.home.map { String($0.dropLast("/home".count)) })
        // Subprocess opens its shared I/O machinery once, on first use.
        _ = try await provider.exec(instance.id, .shell("cat > /dev/null"), stdin: [1])
        let before = openDescriptors(into: instanceFolder).all

        let small = Array("a small payload\n".utf8)
        let large = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
        let scripts = [
            "cat > /dev/null; sleep 5",
            "head -c 10 > /dev/null; sleep 5",  // stops reading early: no SIGPIPE anywhere
            "cat; echo done >&2",
            "cat > /dev/null; sleep 5 & sleep 5 & wait",  // a group of several processes
            "cat > /dev/null",
        ]
        var generator = SystemRandomNumberGenerator()
        var outcomes: [String: Int] = [:]
        for batch in 0..<10 {
            let plans = (0..<20).map { index -> (script: String, stdin: [UInt8], delay: Int) in
                let number = batch * 20 + index
                // Every 50th ignores TERM: it needs the KILL after the grace period.
                let script = number % 50 == 49 ? "trap '' TERM; cat > /dev/null; sleep 5" : scripts[Int(generator.next() % UInt64(scripts.count))]
                let delay = number % 10 == 0 ? 0 : Int(generator.next() % 40)
                return (script, number % 2 == 0 ? small : large, delay)
            }
            let results = await withTaskGroup(of: String.self) { group -> [String] in
                for plan in plans {
                    group.addTask {
                        let task = Task { try await provider.exec(instance.id, .shell(plan.script), stdin: plan.stdin) }
                        if plan.delay > 0 { try? await Task.sleep(for: .milliseconds(plan.delay)) }
                        task.cancel()
                        do {
                            _ = try await task.value
                            return "finished"
                        } catch is CancellationError {
                            return "cancelled"
                        } catch {
                            return "failed: \(error)"
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            for result in results { outcomes[result, default: 0] += 1 }
        }
        #expect(Set(outcomes.keys).isSubset(of: ["finished", "cancelled"]), "\(outcomes)")
        #expect(outcomes["cancelled", default: 0] > 100, "\(outcomes)")
        // Each cancelled exec returned only once its process group was gone.
        #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(instance.id)") == [])
        #expect(openDescriptors(into: instanceFolder).inside == [])
        // Other tests open descriptors meanwhile: a leak per exec would stay far above this.
        #expect(
            await eventually { openDescriptors(into: instanceFolder).all <= before + 10 },
            "before: \(before), now: \(openDescriptors(into: instanceFolder).all)")
        try await provider.destroy(instance.id)
    }

    @Test("a cancelled exec TERMs its process group, KILLs what ignores TERM after the grace, and returns only when all are gone")
    func cancelStopsTheGroup() async throws {
        try await withLocalInstance(cancelGrace: .milliseconds(200)) { provider, instance, home, _ in
            let script = "(trap '' TERM; exec sleep 300) & echo $! > ~/stubborn; sleep 300 & echo $! > ~/plain; wait"
            let task = Task { try await provider.exec(instance.id, .shell(script), stdin: Array("input".utf8)) }
            #expect(await eventually { read(home + "/stubborn") != nil && read(home + "/plain") != nil })
            let pids = [home + "/stubborn", home + "/plain"].compactMap { read($0).flatMap { Int32($0.trimmingASCIIWhitespace()) } }
            #expect(pids.count == 2)
            task.cancel()
            await #expect(throws: CancellationError.self) { _ = try await task.value }
            for pid in pids { #expect(!isRunning(pid), "\(pid) still runs") }
        }
    }

    @Test("an exec that is not cancelled returns its result; its command leads its own session and reads and writes files, not pipes")
    func noPipes() async throws {
        try await withLocalInstance { provider, instance, _, _ in
            let script = """
                read -r line; sid=$(ps -o sid= -p $$ | tr -d ' '); printf '%s|%s|%s\\n' "$line" "$sid" "$$"
                for fd in 0 1 2; do stat -L -c %F /proc/$$/fd/$fd; done
                """
            let result = try await provider.exec(instance.id, .shell(script), stdin: Array("hello\n".utf8))
            let lines = result.stdoutText.split(separator: "\n").map(String.init)
            #expect(lines.count == 4, "\(result.stdoutText) \(result.stderrText)")
            let ids = lines.first?.split(separator: "|").map(String.init) ?? []
            #expect(ids.count == 3 && ids[0] == "hello" && ids[1] == ids[2], "\(lines)")
            #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("regular") }, "\(lines)")
        }
    }

    @Test("an exec whose task is already cancelled starts nothing and throws CancellationError")
    func cancelledBeforeStart() async throws {
        try await withLocalInstance { provider, instance, home, _ in
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await provider.exec(instance.id, .shell("touch ~/ran"), stdin: nil)
            }
            await #expect(throws: CancellationError.self) { _ = try await task.value }
            #expect(!FileManager.default.fileExists(atPath: home + "/ran"))
        }
    }
}
