import Foundation
import RunjobKit
import TestSupport
import Testing

/// The seed's orchestrator without a manifest, on the local provider with real processes.
@Suite("On-demand orchestrator: machines and ad-hoc sessions without a manifest", .serialized)
struct OnDemandOrchestratorTests {
    let machine = MachineSpec(name: "main", info: .object(["purpose": .string("on demand")]))
    let token = Secret(source: .env("API_TOKEN"), value: "on-demand-token-0123456789")

    var profile: CredentialProfileSpec {
        CredentialProfileSpec(
            name: "api", directories: [.init(path: .home(".api"), mode: .ownerOnlyDirectory)],
            files: [.init(path: .home(".api/token"), content: InterpolatedString(secret: token))])
    }

    /// An ad-hoc `command` agent session that reads its prompt on stdin and keeps running.
    func session(_ name: String, prompt: String) -> SessionSpec {
        SessionSpec(
            name: name, machine: "ignored", program: .agent(kind: "command", options: AdapterOptions([
                OptionEntry("argv", .list(["bash", "-c", "cat > prompt.txt; echo got $(wc -c < prompt.txt) bytes; cat ~/.api/token; exec sleep 300"].map { .text(InterpolatedString($0)) }))
            ])), prompt: InterpolatedString(prompt), credentials: ["api"])
    }

    func orchestrator(_ folder: TemporaryDirectory, sink: any EventSink = CollectingSink()) -> OnDemandOrchestrator {
        OnDemandOrchestrator(
            name: "agents", provider: ProviderSpec(kind: "local"), environment: ["XDG_STATE_HOME": folder.file("state"), "HOME": folder.path],
            sink: sink)
    }

    @Test("boot and prepare, start sessions on demand (prompt on stdin), logs, processes, destroy; idempotent; nothing left")
    func lifecycle() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-ondemand")
        defer { folder.remove() }
        let sink = CollectingSink()
        let host = orchestrator(folder, sink: sink)
        let prepared = try await host.bootAndPrepare(machine, profiles: [profile])
        #expect(try String(contentsOfFile: try #require(prepared.home) + "/.api/token", encoding: .utf8) == "on-demand-token-0123456789")
        #expect(try await host.bootAndPrepare(machine, profiles: [profile]) == prepared, "the same instance again")
        let first = try await host.startSession(session("review-1", prompt: "Review the diff."), on: machine, profiles: [profile])
        let second = try await host.startSession(session("review-2", prompt: "Write the tests."), on: machine, profiles: [profile])
        #expect(first.status == .running && second.status == .running)
        let again = try await host.startSession(session("review-1", prompt: "Review the diff."), on: machine, profiles: [profile])
        #expect(again.pid == first.pid, "a running session is adopted, not doubled")
        var text = ""
        for _ in 0..<400 where !text.contains("bytes") {
            text = String(decoding: try await host.logs(session: "review-1", on: machine), as: UTF8.self)
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(text == "got 16 bytes\n[redacted]", "\(text)")
        let processes = try await host.listProcesses(on: machine)
        #expect(Set(processes.map(\.name)) == ["review-1", "review-2"])
        // Events of every step went to the sink, as apply's do.
        #expect(sink.events.contains { if case .stepFinished(let finished) = $0.kind { finished.step == .start("review-2") } else { false } })
        let destroyed = try await host.destroy()
        #expect(destroyed.count == 1 && destroyed.allSatisfy { $0.error == nil })
        #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(prepared.instance)").isEmpty)
    }

    @Test("an unset secret is refused with orchestration.partial_plan before anything is booted")
    func partial() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-ondemand")
        defer { folder.remove() }
        let unset = CredentialProfileSpec(name: "api", files: [.init(path: .home(".t"), content: InterpolatedString(secret: Secret(unresolved: .env("NOPE"))))])
        let error = await #expect(throws: OrchestrationError.self) { _ = try await orchestrator(folder).bootAndPrepare(machine, profiles: [unset]) }
        #expect(error?.code == ErrorCode.Orchestration.partialPlan)
        #expect(!FileManager.default.fileExists(atPath: folder.file("state/runjob/instances/agents@default")))
    }

    @Test("names that are not names are refused")
    func names() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-ondemand")
        defer { folder.remove() }
        let error = await #expect(throws: OrchestrationError.self) { _ = try await orchestrator(folder).bootAndPrepare(MachineSpec(name: "Main Box")) }
        #expect(error?.code == ErrorCode.Manifest.invalidName)
    }
}
