import CommandAdapter
import Executor
import Foundation
import LocalAdapter
import Manifest
import Planner
import ShellAdapter
import TestSupport
import Testing

/// Every adapter the local runs need, for manifests in tests.
let registry = AdapterRegistry(
    providers: [LocalProvider.descriptor], processManagers: [ShellProcessManager.descriptor], agents: [CommandAgent.descriptor])

/// A plan from manifest text, with the given environment.
func makePlan(_ text: String, env: [String: String] = [:]) throws -> Plan {
    let manifest = try ManifestLoader(registry: registry, environment: .variablesOnly(env)).load(text: text, file: "test.yaml")
    return Planner().plan(manifest)
}

/// A local provider in a temporary state directory, counted, with the shell process manager.
struct LocalRig {
    let folder: TemporaryDirectory
    let local: LocalProvider
    let provider: CountingProvider
    let runtime: Runtime

    init() throws {
        folder = try TemporaryDirectory(prefix: "runjob-local")
        local = LocalProvider(stateDirectory: folder.file("state"))
        provider = CountingProvider(local)
        runtime = Runtime(
            provider: provider, processManager: ShellProcessManager(stopGrace: .seconds(2)), agents: ["command": CommandAgent()])
    }

    /// Runs `plan` and returns the outcome and the events.
    func apply(_ plan: Plan, options: RunOptions = RunOptions(pollInterval: .milliseconds(50))) async -> (RunOutcome, [RunEvent]) {
        let sink = CollectingSink()
        let engine = RunEngine(plan: plan, runtime: runtime, options: options, sink: sink, redactor: Redactor(secrets: plan.allSecrets))
        let outcome = await engine.run()
        return (outcome, sink.events)
    }

    /// The instance home of the machine's instance.
    func home(of outcome: RunOutcome, machine: String = "main") async throws -> String? {
        guard let id = outcome.instances[machine] else { return nil }
        return try await local.get(id)?.home
    }

    /// Destroys every instance and removes the folder.
    func tearDown() async {
        for instance in (try? await local.list(labels: [:])) ?? [] { try? await local.destroy(instance.id) }
        folder.remove()
    }
}

extension Array where Element == RunEvent {
    /// Finished steps by id.
    var finishedSteps: [String: StepFinished] {
        var result: [String: StepFinished] = [:]
        for event in self {
            if case .stepFinished(let finished) = event.kind { result[finished.step.description] = finished }
        }
        return result
    }

    /// The `session.finished` events.
    var finishedSessions: [SessionFinished] {
        compactMap { if case .sessionFinished(let finished) = $0.kind { finished } else { nil } }
    }
}

/// The text of a file, or `nil`.
func read(_ path: String) -> String? { FileScan.text(path) }

/// The POSIX mode bits of a file.
func mode(_ path: String) -> Int? { FileScan.mode(path) }

/// Runs `body` with a fresh rig and always tears it down (instances, processes, folder).
func withRig(_ body: (LocalRig) async throws -> Void) async throws {
    let rig = try LocalRig()
    do {
        try await body(rig)
    } catch {
        await rig.tearDown()
        throw error
    }
    await rig.tearDown()
}
