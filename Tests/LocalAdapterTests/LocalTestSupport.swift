import Executor
import Foundation
import LocalAdapter
import TestSupport

/// The labels of the deployment `demo` in workspace `ci`.
let demo = ["runjob.name": "demo", "runjob.workspace": "ci"]

/// A provider in a temporary state folder (a cancelled exec gives its command `cancelGrace`);
/// destroys what is left and removes the folder afterwards, whatever `body` did.
func withLocalProvider(cancelGrace: Duration = .seconds(2), _ body: (LocalProvider, TemporaryDirectory) async throws -> Void) async throws {
    let folder = try TemporaryDirectory(prefix: "runjob-local")
    let provider = LocalProvider(stateDirectory: folder.file("state"), cancelGrace: cancelGrace)
    do { try await body(provider, folder) } catch {
        for instance in (try? await provider.list(labels: [:])) ?? [] { try? await provider.destroy(instance.id) }
        folder.remove()
        throw error
    }
    for instance in (try? await provider.list(labels: [:])) ?? [] { try? await provider.destroy(instance.id) }
    folder.remove()
}

/// One instance booted with `labels` in a fresh provider (see ``withLocalProvider(cancelGrace:_:)``), with its home.
func withLocalInstance(
    labels: [String: String] = demo, cancelGrace: Duration = .seconds(2),
    _ body: (LocalProvider, Instance, String, TemporaryDirectory) async throws -> Void
) async throws {
    try await withLocalProvider(cancelGrace: cancelGrace) { provider, folder in
        let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "main"), labels: labels))
        guard let home = instance.home else { throw ProviderError(ErrorCode.Provider.bootFailed, "no home") }
        try await body(provider, instance, home, folder)
    }
}

/// Whether `pid` is a live process (a zombie waiting for init to reap it is not).
func isRunning(_ pid: Int32) -> Bool {
    guard let stat = read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return false }
    return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
}

/// Polls `condition` every 10 ms until it holds or `seconds` passed; whether it held.
/// (The deadline is generous: the full suite runs hundreds of processes on two cores.)
func eventually(within seconds: Double = 30, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
