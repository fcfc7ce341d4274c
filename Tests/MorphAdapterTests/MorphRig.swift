import CommandAdapter
import Executor
import Foundation
import Manifest
import MorphEmulator
import Planner
import ShellAdapter
import TestSupport
import Testing

@testable import MorphAdapter

/// Every adapter the Morph runs need, for manifests in tests.
let registry = AdapterRegistry(
    providers: [MorphProvider.descriptor], processManagers: [ShellProcessManager.descriptor], agents: [CommandAgent.descriptor])

/// A plan from manifest text, with the given environment.
func makePlan(_ text: String, env: [String: String] = [:]) throws -> Plan {
    let manifest = try ManifestLoader(registry: registry, environment: .variablesOnly(env)).load(text: text, file: "test.yaml")
    return Planner().plan(manifest)
}

/// The start of every rig's API key: a canary prefix, so any leak is caught. Each rig
/// adds its own suffix, so a stray request of one test can never act on another's emulator.
let emulatorKeyPrefix = "morph-key-canary-7Qx9Zp3Lm-"

/// An in-process emulator on 127.0.0.1 and a provider pointed at it.
struct MorphRig {
    let folder: TemporaryDirectory
    let emulator: MorphEmulator
    let server: EmulatorServer
    let provider: MorphProvider
    /// This rig's API key.
    let key: String

    /// Starts an emulator with `settings` (key: ``emulatorKey``) and a provider with `configure` applied.
    static func start(
        bootDelay: Duration = .zero, configure: (inout MorphConfiguration) -> Void = { _ in }
    ) async throws -> MorphRig {
        let folder = try TemporaryDirectory(prefix: "runjob-morph")
        let key = emulatorKeyPrefix + RunClock.newRunID().lowercased()
        let emulator = MorphEmulator(settings: .init(apiKey: key, bootDelay: bootDelay), sandboxRoot: folder.file("sandboxes"))
        let server = try await EmulatorServer.start(emulator)
        var configuration = MorphConfiguration(
            apiKey: Secret(source: .env("MORPH_API_KEY"), value: key), baseURL: server.baseURL + "/api", pollInterval: .milliseconds(20),
            bootTimeout: .seconds(20), requestTimeout: .seconds(10), execTimeout: .seconds(30), retryDeadline: .seconds(30))
        configure(&configuration)
        try requireLoopback(configuration.baseURL)
        return MorphRig(folder: folder, emulator: emulator, server: server, provider: MorphProvider(configuration: configuration), key: key)
    }

    /// A runtime with this provider and the shell process manager.
    func runtime(provider: (any VMProvider)? = nil) -> Runtime {
        Runtime(
            provider: provider ?? self.provider, processManager: ShellProcessManager(stopGrace: .seconds(2)), agents: ["command": CommandAgent()],
            secrets: [self.provider.configuration.apiKey])
    }

    /// Runs `plan` and returns the outcome and the events.
    func apply(_ plan: Plan, provider: (any VMProvider)? = nil, options: RunOptions = RunOptions(pollInterval: .milliseconds(50))) async -> (
        RunOutcome, [RunEvent]
    ) {
        let sink = CollectingSink()
        let redactor = Redactor(secrets: plan.allSecrets + [self.provider.configuration.apiKey])
        let engine = RunEngine(plan: plan, runtime: runtime(provider: provider), options: options, sink: sink, redactor: redactor)
        let outcome = await engine.run()
        return (outcome, sink.events)
    }

    /// The emulator's instances that are not deleted.
    func liveInstances() async -> [JSONValue] {
        await emulator.allInstances().filter { $0["deleted"]?.boolValue == false }
    }

    /// Boot tokens that more than one instance ever carried (a double boot).
    func doubleBoots() async -> [String] {
        var counts: [String: Int] = [:]
        for instance in await emulator.allInstances() {
            if let token = instance["metadata"]?[InstanceLabel.boot]?.stringValue { counts[token, default: 0] += 1 }
        }
        return counts.filter { $0.value > 1 }.map(\.key).sorted()
    }

    /// Requests logged for `route`.
    func requests(_ route: String) async -> [MorphEmulator.LoggedRequest] {
        await emulator.requests().filter { $0.route == route }
    }

    /// Stops the server, deletes the sandboxes, removes the folder.
    func tearDown() async {
        await server.stop()
        await emulator.shutdown()
        folder.remove()
    }
}

/// Tests talk to the emulator only: anything but 127.0.0.1 is refused.
func requireLoopback(_ url: String) throws {
    guard url.hasPrefix("http://127.0.0.1:") else {
        throw ProviderError(ErrorCode.Provider.misconfigured, "tests refuse the non-loopback Morph URL \(url)")
    }
}

/// Runs `body` with a fresh rig and always tears it down.
func withMorphRig(
    bootDelay: Duration = .zero, configure: (inout MorphConfiguration) -> Void = { _ in }, _ body: (MorphRig) async throws -> Void
) async throws {
    let rig = try await MorphRig.start(bootDelay: bootDelay, configure: configure)
    do {
        try await body(rig)
    } catch {
        await rig.tearDown()
        throw error
    }
    await rig.tearDown()
}

/// A machine spec for `snapshot` with an optional TTL.
func machine(snapshot: String = "snapshot_test0001", ttl: Int? = nil, action: String? = nil) -> MachineSpec {
    var options: [OptionEntry] = [OptionEntry("snapshot", .text(InterpolatedString(snapshot)))]
    if let ttl {
        var ttlOptions = [OptionEntry("seconds", .integer(ttl))]
        if let action { ttlOptions.append(OptionEntry("action", .text(InterpolatedString(action)))) }
        options.append(OptionEntry("ttl", .object(AdapterOptions(ttlOptions))))
    }
    return MachineSpec(name: "main", options: AdapterOptions(options))
}

/// A boot request with runjob-style labels and a fresh boot token.
func bootRequest(_ machine: MachineSpec = machine(), labels: [String: String] = [:]) -> BootRequest {
    var all = labels
    all[InstanceLabel.boot] = RunClock.newRunID()
    return BootRequest(machine: machine, labels: all)
}

extension Error {
    /// The `provider.*` code of a thrown error, or `nil`.
    var providerCode: String? { (self as? ProviderError)?.code.rawValue }
}
