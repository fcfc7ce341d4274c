import Foundation
import RunjobKit
import TestSupport
import Testing

@Suite("What the on-demand API makes, runjob status and destroy see", .serialized)
struct OnDemandCLITests {
    @Test("a machine and a session started from Swift show in `runjob status` of a manifest with the same name; `runjob destroy` removes them")
    func statusAndDestroy() async throws {
        let home = try TemporaryDirectory(prefix: "runjob-home")
        defer { home.remove() }
        let host = OnDemandOrchestrator(
            name: "agents", provider: ProviderSpec(kind: "local"), environment: ["XDG_STATE_HOME": home.file("state"), "HOME": home.path])
        let machine = MachineSpec(name: "main")
        let prepared = try await host.bootAndPrepare(machine)
        let session = SessionSpec(name: "worker", machine: "main", program: .run(.shell("exec sleep 300")))
        let started = try await host.startSession(session, on: machine)
        #expect(started.status == .running)
        let file = try home.write("agents.yaml", "version: 1\nname: agents\nprovider: local\nmachine: {}\nsessions:\n  worker: { run: \"exec sleep 300\" }\n")
        let status = try await runjob(["status", "--output", "json", file], home: home)
        #expect(status.status == 0, "\(status.err)")
        #expect(status.out.contains(prepared.instance), "\(status.out)")
        let destroy = try await runjob(["destroy", "--yes", file], home: home)
        #expect(destroy.status == 0, "\(destroy.err)")
        #expect(destroy.err.contains("destroyed \(prepared.instance)"))
        #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(prepared.instance)").isEmpty)
    }
}
