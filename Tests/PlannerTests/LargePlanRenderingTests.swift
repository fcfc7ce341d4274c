import Manifest
import Testing

@testable import Executor
@testable import Planner

/// Plans large enough to be digested and rendered by two threads (the digest next to
/// the step ordering, the first half of the JSON streamed in pieces): the results are
/// those of a single pass.
@Suite("Large plans (two threads, pieces)")
struct LargePlanRenderingTests {
    /// A chain of sessions, each waiting for the one before: about two steps per session.
    static func chain(_ count: Int) -> String {
        var lines = ["version: 1", "name: chain", "provider: local", "machine: {}", "sessions:", "  s0: { run: echo 0 }"]
        for index in 1..<count {
            lines.append("  s\(index): { run: echo \(index), after: { s\(index - 1): completed } }")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("every step once, in plan order, byte for byte as a single-pass rendering")
    func sameAsSinglePass() throws {
        let plan = Planner().plan(try manifest(Self.chain(2200)))
        #expect(plan.steps.count >= PlanJSONRenderer.parallelThreshold)
        #expect(plan.steps.count > 2 * PlanJSONRenderer.stepsPerPiece)

        var pieces: [Int] = []
        var document: [UInt8] = []
        PlanJSONRenderer().write(plan) { piece in
            pieces.append(piece.count)
            document.append(contentsOf: piece)
        }
        // The steps in one pass, then the end of the document.
        let single = JSONWriter(indent: 2)
        PlanJSONRenderer.renderSteps(plan, 0..<plan.steps.count, into: single)
        let ending = Array("\n  ]\n}\n".utf8)
        #expect(Array(document.suffix(single.count + ending.count)) == single.bytes + ending)

        let parsed = try JSONValue.parse(document)
        let ids = parsed["steps"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
        #expect(ids == plan.steps.map(\.id.description))
        // The first half went out in pieces, not as one buffer.
        #expect(pieces.count > plan.steps.count / 2 / PlanJSONRenderer.stepsPerPiece)
        #expect(document == PlanJSONRenderer().render(plan))
    }

    @Test("the config digest computed next to the step ordering equals the one computed alone")
    func digestOnTwoThreads() throws {
        let manifest = try manifest(Self.chain(2200))
        #expect(manifest.sessions.count >= Planner.parallelThreshold)
        let plan = Planner().plan(manifest)
        #expect(plan.configDigest == Digests.config(manifest))
        // And the single pass is the digest of the whole canonical document.
        #expect(plan.configDigest == SHA256Hex.digest(Digests.configDocument(manifest).canonicalBytes()))
    }

    @Test("a plan below the threshold is streamed in pieces too, and parses")
    func smallPlanInPieces() throws {
        let plan = Planner().plan(try manifest(Self.chain(300)))
        #expect(plan.steps.count < PlanJSONRenderer.parallelThreshold)
        var pieces = 0
        var document: [UInt8] = []
        PlanJSONRenderer().write(plan) { piece in
            pieces += 1
            document.append(contentsOf: piece)
        }
        #expect(pieces > 3)
        let ids = try JSONValue.parse(document)["steps"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
        #expect(ids == plan.steps.map(\.id.description))
    }
}
