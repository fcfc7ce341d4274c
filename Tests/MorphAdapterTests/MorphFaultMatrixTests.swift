import Executor
import MorphEmulator
import TestSupport
import Testing

@testable import MorphAdapter

/// One cell of the fault matrix: a fault on one route used by apply or destroy, and
/// what apply must do about it (`nil`: succeed; else fail with that code).
struct FaultCase: Sendable, CustomTestStringConvertible {
    var route: String
    var skip: Int
    var kind: EmulatorFault.Kind
    var status: Int?
    var phase: EmulatorFault.Phase
    var expected: ErrorCode?

    var testDescription: String {
        let what = kind == .status ? "\(status ?? 0)" : kind.rawValue
        let which = skip > 0 ? " (request #\(skip + 1))" : ""
        return "\(what)/\(phase.rawValue) on \(route)\(which) → \(expected?.rawValue ?? "ok")"
    }

    var fault: EmulatorFault {
        EmulatorFault(route: route, kind: kind, phase: phase, count: 1, skip: skip, status: status, retryAfter: 0, latencyMilliseconds: 150)
    }
}

/// The matrix: every fault × phase on every route apply and destroy use.
///
/// Idempotent calls (GET, DELETE, read-only exec) ride out everything but a 500
/// on a GET; the start call is never repeated before its boot token was looked up;
/// a changing exec (the first exec writes the boot record) is never repeated, so any
/// lost answer fails the apply with the matching code. Execs in order: #1 boot record
/// and `$HOME`, #2–#3 machine info and credentials, #4 start:job, #5 wait:job (read-only).
let faultMatrix: [FaultCase] = {
    let kinds: [(EmulatorFault.Kind, Int?)] = [
        (.latency, nil), (.status, 429), (.status, 500), (.status, 502), (.status, 503), (.status, 504), (.reset, nil), (.hang, nil),
        (.malformed, nil), (.html, 502),
    ]
    let routes: [(String, Int)] = [
        ("POST /instance", 0), ("GET /instance", 0), ("GET /instance/{id}", 0), ("POST /instance/{id}/exec", 0), ("POST /instance/{id}/exec", 4),
        ("DELETE /instance/{id}", 0),
    ]
    var cases: [FaultCase] = []
    for (route, skip) in routes {
        for (kind, status) in kinds {
            for phase in EmulatorFault.Phase.allCases {
                cases.append(
                    FaultCase(route: route, skip: skip, kind: kind, status: status, phase: phase, expected: expectedCode(route, skip, kind, status)))
            }
        }
    }
    return cases
}()

/// What apply answers to one fault (see ``faultMatrix``).
func expectedCode(_ route: String, _ skip: Int, _ kind: EmulatorFault.Kind, _ status: Int?) -> ErrorCode? {
    if kind == .latency { return nil }
    switch route {
    case "GET /instance", "GET /instance/{id}":
        return status == 500 ? ErrorCode.Provider.serverError : nil
    case "POST /instance/{id}/exec" where skip == 4:  // read-only: wait:job asking for the session's state
        return status == 500 ? ErrorCode.Provider.serverError : nil
    case "POST /instance/{id}/exec":  // changing (writing the boot record): never sent twice
        switch kind {
        case .status, .html: return status == 429 ? ErrorCode.Provider.rateLimited : ErrorCode.Provider.serverError
        case .reset: return ErrorCode.Provider.unreachable
        case .hang: return ErrorCode.Provider.timeout
        case .malformed: return ErrorCode.Provider.invalidResponse
        case .latency: return nil
        }
    default:  // POST /instance (looked up by token), DELETE /instance/{id}
        return nil
    }
}

let faultManifest = """
    version: 1
    name: faults
    provider: { kind: morph }
    machine: { snapshot: snapshot_fault001 }
    credentials:
      tok:
        files: [{ path: ~/.tok, content: "${env:TOKEN}" }]
    sessions:
      job: { run: "true", credentials: [tok] }
      later: { run: "true", after: { job: completed } }
    """

/// Applies the fault manifest with `fault` armed, then destroys the deployment, and
/// lists what went wrong: a wrong outcome, instances left, a boot token with two instances.
func runFaultCase(_ fault: FaultCase, blindBoot: Bool = false) async throws -> [String] {
    let rig = try await MorphRig.start(bootDelay: .milliseconds(60)) { configuration in
        // A hang costs one request timeout, so hang cases keep it short. Every other case
        // gets a generous one: the whole matrix runs at once, and on a loaded machine an
        // answer that comes late would be taken for a lost one and retried (a 500 meant to
        // fail apply would then be retried into a success).
        configuration.requestTimeout = fault.kind == .hang ? .seconds(2) : .seconds(15)
        // Only a hang needs a short exec deadline; elsewhere a loaded machine (the whole suite on
        // two cores) must not turn a slow exec into provider.timeout.
        configuration.execTimeout = fault.kind == .hang ? .seconds(8) : .seconds(30)
        configuration.retryDeadline = .seconds(10)
    }
    var problems: [String] = []
    do {
        let plan = try makePlan(faultManifest, env: ["TOKEN": "fault-token-0123456789abcdef"])
        await rig.emulator.inject(fault.fault)
        let provider = blindBoot ? rig.provider.blindlyRetryingBoot() : rig.provider
        let (outcome, _) = await rig.apply(plan, provider: provider)
        let code = outcome.firstError?.code
        if let expected = fault.expected {
            if outcome.status != .failed || code != expected {
                problems.append(
                    "apply: expected failure \(expected), got \(outcome.status) \(code?.rawValue ?? "") \(outcome.firstError?.message ?? "")")
            }
        } else if outcome.status != .ok {
            problems.append("apply: expected success, got \(code?.rawValue ?? "?"): \(outcome.firstError?.message ?? "")")
        }
        let instances = try await Teardown.instances(name: "faults", workspace: "default", provider: rig.provider)
        for result in await Teardown.destroy(instances, provider: rig.provider) where result.error != nil {
            problems.append("destroy \(result.instance.id): \(String(describing: result.error))")
        }
        let live = await rig.liveInstances().compactMap { $0["id"]?.stringValue }
        if !live.isEmpty { problems.append("instances left after destroy: \(live)") }
        let doubles = await rig.doubleBoots()
        if !doubles.isEmpty { problems.append("double boot: boot tokens with two instances: \(doubles)") }
    } catch {
        problems.append("test rig: \(error)")
    }
    if !problems.isEmpty {
        let log = await rig.emulator.requests().map { "\($0.sequence) \($0.route) \($0.status.map(String.init) ?? "-") \($0.fault ?? "")" }
        problems.append("requests: " + log.joined(separator: "; "))
    }
    await rig.tearDown()
    return problems
}

@Suite("Morph fault matrix")
struct MorphFaultMatrixTests {
    @Test("apply succeeds or fails with the expected code, destroy leaves zero instances, no double boot", arguments: faultMatrix)
    func matrix(_ fault: FaultCase) async throws {
        let problems = try await runFaultCase(fault)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test(
        "the matrix catches a deliberately blind-retrying boot",
        arguments: faultMatrix.filter { $0.route == "POST /instance" && $0.phase == .after && [.status, .reset, .malformed].contains($0.kind) })
    func blindBootIsCaught(_ fault: FaultCase) async throws {
        let problems = try await runFaultCase(fault, blindBoot: true)
        #expect(problems.contains { $0.hasPrefix("double boot") }, "the double boot went unnoticed: \(problems)")
    }
}
