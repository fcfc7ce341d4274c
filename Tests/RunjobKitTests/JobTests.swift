import Foundation
import RunjobKit
import TestSupport
import Testing

/// RunjobKit's entry point, driven as a Swift program would: real processes on the local provider.
@Suite("Job: load, apply, status, logs and destroy from Swift", .serialized)
struct JobTests {
    static let manifest = """
        version: 1
        name: kit-job
        provider: local
        machine: {}
        credentials:
          token: { files: [{ path: ~/.token, mode: "0600", content: "${env:KIT_TOKEN}" }] }
        sessions:
          hello:
            credentials: [token]
            run: "echo hello; echo token=$(cat ~/.token)"
        """

    @Test("a whole lifecycle: apply with a sink, status, redacted logs, destroy; nothing left")
    func lifecycle() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-kit")
        defer { folder.remove() }
        let environment = ["XDG_STATE_HOME": folder.file("state"), "HOME": folder.path, "KIT_TOKEN": "kit-token-value-0123456789"]
        let job = try Job(text: Self.manifest, file: folder.file("kit.yaml"), environment: environment)
        let sink = CollectingSink()
        let outcome = try await job.apply(RunOptions(waitForSessions: true, pollInterval: .milliseconds(50)), sink: sink)
        #expect(outcome.status == .ok, "\(String(describing: outcome.firstError))")
        #expect(sink.events.contains { if case .runFinished = $0.kind { true } else { false } })
        let status = try await job.status()
        #expect(status.machines.first?.instance != nil)
        let logs = String(decoding: try await job.logs(session: "hello"), as: UTF8.self)
        #expect(logs == "hello\ntoken=[redacted]\n")
        let destroyed = try await job.destroy()
        #expect(destroyed.count == 1 && destroyed.allSatisfy { $0.error == nil }, "\(destroyed.map { String(describing: $0.error) })")
        #expect(try await job.status().machines.first?.instance == nil)
    }

    @Test("a plan with an unset secret is refused by the core with orchestration.partial_plan; nothing is booted")
    func partial() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-kit")
        defer { folder.remove() }
        let job = try Job(text: Self.manifest, file: folder.file("kit.yaml"), environment: ["XDG_STATE_HOME": folder.file("state")])
        let outcome = try await job.apply(sink: CollectingSink())
        #expect(outcome.status == .failed)
        #expect(outcome.firstError?.code == ErrorCode.Orchestration.partialPlan)
        #expect(!FileManager.default.fileExists(atPath: folder.file("state/runjob/instances/kit-job@default")))
    }

    @Test("a manifest that does not load throws its diagnostics; a missing file says so")
    func invalid() throws {
        let error = #expect(throws: ManifestError.self) { try Job(text: "version: 1\nname: Bad Name\n", environment: [:]) }
        #expect(error?.diagnostics.isEmpty == false)
        let missing = #expect(throws: ManifestError.self) { try Job(path: "/nonexistent/job.yaml", environment: [:]) }
        #expect(missing?.diagnostics.first?.code == ErrorCode.Manifest.fileUnreadable)
    }
}
