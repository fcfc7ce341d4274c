import Foundation
import Testing

@testable import Executor

@Suite("Resource values, records, bindings and tolerated failures")
struct ResourceTypesTests {
    static let values = ResourceValues(
        kind: "instant", id: "app-1", outputs: ["app_id": "app-1", "admin_token": "tok-secret-0123456789"], secret: ["admin_token"])

    @Test("a resource's values print and mirror without their secret outputs; the secrets come out for redactors")
    func valuesHideSecrets() {
        let values = Self.values
        #expect(!values.description.contains("tok-secret"))
        #expect(values.description == "instant app-1 (app_id=app-1)")
        var dumped = ""
        dump(values, to: &dumped)
        #expect(!dumped.contains("tok-secret"))
        #expect(values.secrets(resource: "db").map(\.source) == [.runtime("resource:db.admin_token")])
        #expect(values.secrets(resource: "db").first?.reveal() == "tok-secret-0123456789")
        #expect(values.plainOutputs == ["app_id": "app-1"])
        #expect(values.value("missing") == nil)
    }

    @Test("a record round-trips as a 0600 file; anything else is not a record")
    func records() {
        let spec = ResourceSpec(name: "db", kind: "instant")
        let file = ResourceRecord.file(home: "/home/u", spec: spec, values: Self.values)
        #expect(file.path == "/home/u/.runjob/resources/db.json")
        #expect(file.mode == .ownerOnly)
        let content = ResourceRecord.parse(file.content)
        #expect(content?.values == Self.values)
        #expect(content?.config == spec.configDigest)
        #expect(ResourceRecord.parse(Array("not json".utf8)) == nil)
        #expect(ResourceRecord.parse(Array(#"{"config":"c","id":"x","kind":"k","outputs":{"a":1}}"#.utf8)) == nil, "outputs are strings")
        #expect(ResourceRecord.parse(Array(#"{"id":"x","kind":"k","outputs":{}}"#.utf8)) == nil, "no config")
    }

    @Test("binding: outputs become secrets or text; a missing resource leaves the string unbound; specs without outputs stay as they are")
    func binding() throws {
        let reference = OutputReference(resource: "db", output: "admin_token", isSecret: true)
        let text = InterpolatedString(parts: [.literal("Bearer "), .output(reference)])
        #expect(text.description == "Bearer <output resource:db.admin_token>")
        #expect(text.reveal() == nil, "unbound outputs have no value")
        #expect(text.isResolved, "but they are not missing")
        let bound = try #require(text.bound(to: ResourceOutputs(["db": Self.values])))
        #expect(bound.reveal() == "Bearer tok-secret-0123456789")
        #expect(bound.description == "Bearer <secret runtime:resource:db.admin_token>")
        #expect(text.bound(to: ResourceOutputs()) == nil)
        let plain = InterpolatedString("no outputs")
        #expect(plain.bound(to: ResourceOutputs()) == plain)

        let profile = CredentialProfileSpec(name: "c", files: [.init(path: .home(".db"), content: text)])
        #expect(try profile.bound(to: ResourceOutputs(["db": Self.values])).files[0].content.reveal() == "Bearer tok-secret-0123456789")
        let missing = #expect(throws: OrchestrationError.self) { try profile.bound(to: ResourceOutputs()) }
        #expect(missing?.code == ErrorCode.Orchestration.resourceMissing)
        #expect(missing?.message.contains("resource:db.admin_token") == true)
        let session = SessionSpec(name: "s", machine: "m", program: .run(.shell("true")), prompt: text)
        #expect(throws: OrchestrationError.self) { try session.bound(to: ResourceOutputs()) }
    }

    @Test("the walker: a tolerated failure lets its dependents run and stops nothing; an untolerated one skips them")
    func toleratedFailure() async {
        let optional = Step(id: .resource("db"), dependsOn: [], machine: "", action: .resource(ResourceSpec(name: "db", kind: "k", optional: true)))
        let boot = Step(id: .boot("m"), dependsOn: [.resource("db")], machine: "m", action: .boot(MachineSpec(name: "m")))
        for tolerated in [true, false] {
            let walker = StepGraphWalker(steps: [optional, boot], parallelism: 2)
            let (results, failures) = await walker.walk(
                execute: { step in
                    step.id == optional.id
                        ? StepResult(status: .failed, error: (ErrorCode.Resource.serverError, "down"), tolerated: tolerated) : StepResult(status: .ok)
                }, started: { _ in }, settled: { _, _, _ in }, stopped: { nil })
            #expect(results[boot.id]?.status == (tolerated ? .ok : .skipped))
            #expect(failures == (tolerated ? [] : [optional.id]))
        }
    }

    @Test("run.finished lists the optional steps that failed, and only when there are some")
    func runFinished() {
        let with = RunEvent(run: "r", .runFinished(RunFinished(status: .ok, milliseconds: 5, counts: [.ok: 3, .failed: 1], optionalFailed: [.resource("db")])))
        #expect(with.json.compactText.contains(#""optional_failed":["resource:db"]"#))
        let without = RunEvent(run: "r", .runFinished(RunFinished(status: .ok, milliseconds: 5, counts: [.ok: 3])))
        #expect(!without.json.compactText.contains("optional_failed"))
        let line = HumanEventLines.line(for: with, startedAt: 0)
        #expect(line?.contains("optional resource:db failed") == true)
    }
}
