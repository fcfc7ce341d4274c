import Executor
import Foundation
import Testing

@testable import MorphAdapter

/// The real Morph Cloud, when the developer asks for it.
let smokeEnvironment: (key: String, snapshot: String, baseURL: String)? = {
    let environment = ProcessInfo.processInfo.environment
    guard environment["RUNJOB_MORPH_SMOKE"] == "1", let key = environment["MORPH_API_KEY"], !key.isEmpty,
        let snapshot = environment["RUNJOB_MORPH_SNAPSHOT"], !snapshot.isEmpty
    else { return nil }
    return (key, snapshot, environment["MORPH_BASE_URL"] ?? MorphConfiguration.defaultBaseURL)
}()

@Suite("Morph Cloud smoke test (real API)")
struct MorphCloudSmokeTests {
    @Test(
        "boot, exec, write and read a file, destroy on the real Morph Cloud",
        .enabled(if: smokeEnvironment != nil, "set RUNJOB_MORPH_SMOKE=1, MORPH_API_KEY and RUNJOB_MORPH_SNAPSHOT to run it"),
        .timeLimit(.minutes(10)))
    func smoke() async throws {
        let environment = try #require(smokeEnvironment)
        let provider = MorphProvider(
            configuration: MorphConfiguration(apiKey: Secret(source: .env("MORPH_API_KEY"), value: environment.key), baseURL: environment.baseURL))
        var options = [OptionEntry("snapshot", .text(InterpolatedString(environment.snapshot)))]
        options.append(OptionEntry("ttl", .object(AdapterOptions([OptionEntry("seconds", .integer(900)), OptionEntry("action", .text("stop"))]))))
        let labels = [InstanceLabel.name: "runjob-smoke", InstanceLabel.boot: RunClock.newRunID()]
        let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "smoke", options: AdapterOptions(options)), labels: labels))
        do {
            let home = try await provider.exec(instance.id, CommandSpec(.shell("printf %s \"$HOME\""), readOnly: true), stdin: nil)
            #expect(home.exitCode == 0 && home.stdoutText.hasPrefix("/"))
            let content = Array("smoke-\(RunClock.newRunID())\n".utf8)
            let path = home.stdoutText + "/.runjob-smoke/file"
            try await provider.writeFiles(instance.id, FileBatch(label: "smoke", files: [FileWrite(path: path, mode: .ownerOnly, content: content)]))
            #expect(try await provider.readFile(instance.id, path: path) == content)
            #expect(try await provider.list(labels: labels).map(\.id) == [instance.id])
        } catch {
            try? await provider.destroy(instance.id)
            throw error
        }
        try await provider.destroy(instance.id)
        #expect(try await provider.get(instance.id) == nil)
    }
}
