import Executor
import Foundation
import TestSupport
import Testing

@testable import MorphAdapter

let twoProfileManifest = """
    version: 1
    name: bench-shape
    provider: { kind: morph }
    machine: { snapshot: snapshot_apply001, info: { owner: tests } }
    credentials:
      one:
        files:
          - { path: ~/.one/a, content: "${env:ONE}" }
          - { path: ~/.one/b, content: b }
          - { path: ~/.one/c, content: c }
          - { path: ~/.one/d, content: d }
          - { path: ~/.one/e, content: e }
      two:
        files:
          - { path: ~/.two/a, content: "${env:TWO}" }
          - { path: ~/.two/b, content: b }
          - { path: ~/.two/c, content: c }
          - { path: ~/.two/d, content: d }
          - { path: ~/.two/e, content: e }
    sessions:
      a: { run: "true", credentials: [one] }
      b: { run: "true", credentials: [two] }
      c: { run: "true", after: { a: completed } }
      d: { run: "true", after: { b: started } }
    """

@Suite("apply on Morph (emulator)")
struct MorphApplyTests {
    @Test("a plan runs end to end: one exec per credential profile; re-apply makes zero changing calls")
    func applyAndReapply() async throws {
        try await withMorphRig(bootDelay: .milliseconds(100)) { rig in
            let plan = try makePlan(twoProfileManifest, env: ["ONE": "one-secret-0123456789", "TWO": "two-secret-0123456789"])
            let counting = CountingProvider(rig.provider)
            let (outcome, events) = await rig.apply(plan, provider: counting)
            #expect(outcome.status == .ok, "\(outcome.firstError.map { "\($0.code) \($0.message)" } ?? "")")
            let credentialExecs = counting.recorded.filter { $0.operation == "exec" && ($0.label ?? "").hasPrefix("credentials:") }
            #expect(credentialExecs.compactMap(\.label).sorted() == ["credentials:one", "credentials:two"])
            let home = try #require(await rig.emulator.allInstances().first?["sandbox_home"]?.stringValue)
            #expect(FileManager.default.contents(atPath: home + "/.two/a") == Data("two-secret-0123456789".utf8))
            let key = Canary(value: rig.key)
            for event in events { #expect(key.leaks(in: event.json.compactText).isEmpty) }

            counting.reset()
            let (again, _) = await rig.apply(plan, provider: counting)
            #expect(again.status == .ok)
            #expect(again.instances == outcome.instances)
            #expect(counting.mutatingCalls.isEmpty, "\(counting.mutatingCalls)")
        }
    }

    @Test("a credential payload over 96 KiB is chunked; every exec request stays small")
    func largeCredential() async throws {
        try await withMorphRig { rig in
            let big = String(repeating: "0123456789abcdef", count: 12_800)  // 200 KiB
            let plan = try makePlan(
                """
                version: 1
                name: big
                provider: { kind: morph }
                machine: { snapshot: snapshot_apply002 }
                credentials:
                  big: { files: [{ path: ~/.big, content: "${env:BIG}" }] }
                sessions:
                  s: { run: "true", credentials: [big] }
                """, env: ["BIG": big])
            let (outcome, _) = await rig.apply(plan)
            #expect(outcome.status == .ok, "\(outcome.firstError.map { "\($0.code) \($0.message)" } ?? "")")
            let home = try #require(await rig.emulator.allInstances().first?["sandbox_home"]?.stringValue)
            #expect(FileManager.default.contents(atPath: home + "/.big") == Data(big.utf8))
            let execs = await rig.requests("POST /instance/{id}/exec")
            // 200 KiB → 267 KiB of base64 → 3 chunk requests (96 + 96 + 75 KiB); nothing else is that big.
            #expect(execs.filter { $0.bodyBytes > 70 * 1024 }.count == 3)
            #expect(execs.allSatisfy { $0.bodyBytes < 100 * 1024 })
        }
    }

    @Test("a failing run destroys what it booted; an interrupted boot leaves nothing behind")
    func failureCleanup() async throws {
        try await withMorphRig(bootDelay: .milliseconds(50)) { rig in
            let plan = try makePlan(
                """
                version: 1
                name: failing
                provider: { kind: morph }
                machine: { snapshot: snapshot_apply003 }
                sessions:
                  bad: { run: "exit 3" }
                  next: { run: "true", after: { bad: completed } }
                """)
            let (outcome, _) = await rig.apply(plan)
            #expect(outcome.status == .failed)
            #expect(await rig.liveInstances().isEmpty)
        }
    }
}
