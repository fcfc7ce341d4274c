import ClaudeCodeAdapter
import CodexAdapter
import CommandAdapter
import LocalAdapter
import Manifest
import MorphAdapter
import PM2Adapter
import ShellAdapter
import Testing

@testable import Executor
@testable import Planner

let registry = AdapterRegistry(
    providers: [LocalProvider.descriptor, MorphProvider.descriptor],
    processManagers: [ShellProcessManager.descriptor, PM2ProcessManager.descriptor],
    agents: [ClaudeCodeAgent.descriptor, CodexAgent.descriptor, CommandAgent.descriptor])

func manifest(_ text: String, env: [String: String] = [:]) throws -> Manifest {
    try ManifestLoader(registry: registry, environment: .variablesOnly(env)).load(text: text, file: "t.yaml")
}

@Suite("Planner: steps, order, waves, digests")
struct PlannerTests {
    let text = """
        version: 1
        name: p
        provider: local
        machines: { a: {}, b: {} }
        credentials:
          c: { files: [{ path: ~/f, content: "${env:C}" }] }
        sessions:
          late: { run: echo, machine: a, after: { early: completed } }
          early: { run: echo, machine: a, credentials: [c] }
          other: { run: echo, machine: b, credentials: [c], after: { early: started } }
        """

    @Test("steps and dependencies follow the design's ids")
    func steps() throws {
        let plan = Planner().plan(try manifest(text, env: ["C": "c0ffee-0123456789"]))
        let ids = plan.steps.map(\.id.description)
        #expect(
            ids == [
                "boot:a", "machine-info:a", "boot:b", "machine-info:b", "credentials:c@a", "credentials:c@b", "start:early", "wait:early",
                "start:late", "start:other",
            ])
        #expect(plan.step(.start("late"))?.dependsOn == [.boot("a"), .machineInfo("a"), .wait("early")])
        #expect(plan.step(.start("other"))?.dependsOn == [.boot("b"), .machineInfo("b"), .credentials("c", on: "b"), .start("early")])
        #expect(plan.step(.wait("early"))?.dependsOn == [.start("early")])
        // Every step comes after its dependencies.
        var seen: Set<StepID> = []
        for step in plan.steps {
            #expect(step.dependsOn.allSatisfy(seen.contains), "\(step.id)")
            seen.insert(step.id)
        }
        #expect(StepGraph.waves(plan.steps) == [1, 2, 1, 2, 2, 2, 3, 4, 5, 4])
    }

    @Test("ordering puts steps in a cycle last instead of looping (validation prevents cycles)")
    func cycleSafe() {
        let machine = MachineSpec(name: "m")
        let a = Step(id: .start("a"), dependsOn: [.start("b")], machine: "m", action: .boot(machine))
        let b = Step(id: .start("b"), dependsOn: [.start("a")], machine: "m", action: .boot(machine))
        let c = Step(id: .boot("m"), dependsOn: [], machine: "m", action: .boot(machine))
        #expect(StepGraph.order([a, b, c]).map(\.id) == [.boot("m"), .start("a"), .start("b")])
    }

    @Test("digests: config ignores secret values and their presence; secrets digest tracks values per scope")
    func digests() throws {
        let one = Planner().plan(try manifest(text, env: ["C": "c0ffee-0123456789"]))
        let two = Planner().plan(try manifest(text, env: ["C": "c0ffee-9876543210"]))
        let none = Planner().plan(try manifest(text))
        #expect(one.configDigest == two.configDigest)
        #expect(one.configDigest == none.configDigest)
        #expect(one.secrets.overall != two.secrets.overall)
        #expect(one.secrets.scopes.keys.sorted() == ["credentials:c"])
        #expect(!one.secrets.isPartial)
        #expect(none.secrets.isPartial)
        #expect(none.secrets.unresolved == [.env("C")])
        #expect(one.secrets.shortPrefix.count == 12)
        let changed = Planner().plan(
            try manifest(text.replacing("run: echo, machine: b", with: "run: echo changed, machine: b"), env: ["C": "c0ffee-0123456789"]))
        #expect(changed.configDigest != one.configDigest)
    }

    @Test("the JSON rendering is stable and never contains secret values")
    func jsonRendering() throws {
        let plan = Planner().plan(try manifest(text, env: ["C": "value-that-is-secret"]))
        let bytes = PlanJSONRenderer().render(plan)
        #expect(bytes == PlanJSONRenderer().render(Planner().plan(try manifest(text, env: ["C": "value-that-is-secret"]))))
        let rendered = String(decoding: bytes, as: UTF8.self)
        #expect(!rendered.contains("value-that-is-secret"))
        #expect(rendered.contains("<secret env:C>"))
        let document = try JSONValue.parse(bytes)
        #expect(document["summary"]?["steps"] == .int(10))
        #expect(document["steps"]?.arrayValue?.first?["wave"] == .int(1))
    }

    @Test("text and markdown summaries count what will happen")
    func summaries() throws {
        let plan = Planner().plan(try manifest(text))
        let summary = PlanSummary(plan)
        #expect(summary.sentence == "2 machines to boot, 2 credential installs, 3 sessions to start, 1 wait (10 steps in 5 waves)")
        let text = PlanTextRenderer().render(plan)
        #expect(text.contains("partial: not set here: env:C"))
        #expect(text.contains("+ c on a: ~/f 0600 ← <secret env:C (unset)>"))
        let markdown = PlanMarkdownRenderer().render(plan)
        #expect(markdown.contains("> Partial plan: not set here: `env:C`."))
    }

    @Test("graphs draw every dependency")
    func graphs() throws {
        let plan = Planner().plan(try manifest(text))
        let dot = GraphRenderer(format: .dot).render(plan)
        let edges = plan.steps.reduce(0) { $0 + $1.dependsOn.count }
        #expect(dot.components(separatedBy: " -> ").count - 1 == edges)
        let mermaid = GraphRenderer(format: .mermaid).render(plan)
        #expect(mermaid.components(separatedBy: " --> ").count - 1 == edges)
    }
}

@Suite("Config digest streaming")
struct ConfigDigestStreamingTests {
    @Test("the streamed digest equals the digest of the whole canonical document")
    func streamedEqualsWhole() throws {
        let text = """
            version: 1
            name: p
            provider: { kind: morph, api_key: "${env:K}" }
            machines: { a: { snapshot: snapshot_1 }, b: { snapshot: snapshot_2, info: { x: 1 } } }
            credentials:
              c: { files: [{ path: ~/f, content: "${env:C}" }], env: { Z: "${env:C}", A: b } }
            sessions:
              s1: { run: echo, machine: a, credentials: [c], env: { B: "1", A: "2" } }
              s2: { agent: claude, prompt: hi, model: opus, machine: b, after: { s1: completed } }
            """
        let parsed = try manifest(text, env: ["C": "c0ffee-0123456789", "K": "abcdefghij"])
        #expect(Digests.config(parsed) == SHA256Hex.digest(Digests.configDocument(parsed).canonicalBytes()))
        #expect(
            Digests.config(parsed)
                != SHA256Hex.digest(Digests.configDocument(try manifest(text.replacing("prompt: hi", with: "prompt: ho"))).canonicalBytes()))
    }
}

@Suite("Plan JSON rendering fast path")
struct PlanRenderingTests {
    @Test("sessions written directly match their JSONValue rendering byte for byte")
    func directSessionWriting() throws {
        let text = """
            version: 1
            name: p
            provider: local
            machine: {}
            credentials:
              c: { files: [{ path: ~/f, content: "${env:C}" }] }
            sessions:
              plain: { run: echo }
              rich:
                run: { argv: [git, clone, "a b"] }
                cwd: ~/srv/x
                env: { Z: "${env:C}", A: "\\"quoted\\"" }
                credentials: [c]
                prompt: "line one\\nline two"
                after: { plain: completed }
              agent:
                agent: claude
                model: opus
                allowed_tools: [Read, Write]
                prompt: Review.
                after: { rich: started, plain: completed }
            """
        for env in [["C": "c0ffee-0123456789"], [:]] {
            let plan = Planner().plan(try manifest(text, env: env))
            for session in plan.sessions {
                let direct = JSONWriter(indent: 2)
                PlanJSONRenderer.writeSession(session, into: direct, level: 3)
                let generic = JSONWriter(indent: 2)
                generic.write(session.json(), level: 3)
                #expect(direct.string == generic.string, "\(session.name)")
            }
            let fast = JSONWriter(indent: 2)
            PlanJSONRenderer.renderSteps(plan, 0..<plan.steps.count, into: fast)
            let slow = JSONWriter(indent: 2)
            for (index, step) in plan.steps.enumerated() {
                if index > 0 { slow.append(",") }
                slow.newline(2)
                slow.write(
                    .object([
                        "id": .string(step.id.description), "kind": .string(step.kind.rawValue), "machine": .string(step.machine),
                        "wave": .int(plan.waves[index]), "depends_on": .array(step.dependsOn.map { .string($0.description) }),
                        "inputs": step.inputs,
                    ]), level: 2)
            }
            #expect(fast.string == slow.string)
        }
    }
}
