import CommandAdapter
import Executor
import Foundation
import InstantAdapter
import LocalAdapter
import Manifest
import MorphEmulator
import Planner
import ShellAdapter
import Synchronization
import TestSupport
import Testing

/// A local provider and the Instant emulator: whole runs with a `resources:` entry.
private struct ResourceRig {
    static let registry = AdapterRegistry(
        providers: [LocalProvider.descriptor], processManagers: [ShellProcessManager.descriptor], agents: [CommandAgent.descriptor],
        resources: [InstantResource.descriptor])

    let folder: TemporaryDirectory
    let local: LocalProvider
    let instant: InstantEmulator
    let server: EmulatorServer

    static func start() async throws -> ResourceRig {
        let instant = InstantEmulator()
        return ResourceRig(
            folder: try TemporaryDirectory(prefix: "runjob-resources"), local: LocalProvider(stateDirectory: NSTemporaryDirectory() + "unused"),
            instant: instant, server: try await EmulatorServer.start(instant)
        ).withLocal()
    }

    private func withLocal() -> ResourceRig {
        ResourceRig(folder: folder, local: LocalProvider(stateDirectory: folder.file("state")), instant: instant, server: server)
    }

    var environment: [String: String] { ["INSTANT_API_URL": server.baseURL, "INSTANT_PLATFORM_TOKEN": instant.platformToken] }

    /// The manifest: one session writing the names of its Instant variables to `~/names.txt`
    /// (then running on with `then`).
    func plan(_ resourceOptions: String = "", session extra: String = "", then: String = "") throws -> Plan {
        let text = """
            version: 1
            name: res
            provider: local
            machine: {}
            resources:
              db:
                kind: instant
            \(resourceOptions.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            sessions:
              check:
                run: env | grep -o '^INSTANT_[A-Z_]*' | sort > ~/names.txt\(then)
                env:
                  INSTANT_APP_ID: ${resource:db.app_id}
                  INSTANT_ADMIN_TOKEN: ${resource:db.admin_token}
            \(extra)
            """
        let manifest = try ManifestLoader(registry: Self.registry, environment: .variablesOnly(environment)).load(text: text, file: "res.yaml")
        return Planner().plan(manifest)
    }

    func runtime(_ plan: Plan) throws -> Runtime {
        Runtime(
            provider: local, processManager: ShellProcessManager(stopGrace: .seconds(2)), agents: ["command": CommandAgent()],
            resources: try Self.registry.resourceAdapters(for: plan, environment: environment))
    }

    func apply(_ plan: Plan, replace: Bool = false, wait: Bool = true) async throws -> (outcome: RunOutcome, events: [RunEvent], text: String) {
        let sink = CollectingSink()
        let redactor = Redactor(secrets: plan.allSecrets)
        let engine = RunEngine(
            plan: plan, runtime: try runtime(plan), options: RunOptions(waitForSessions: wait, replace: replace, pollInterval: .milliseconds(50)),
            sink: sink, redactor: redactor)
        let outcome = await engine.run()
        let text = sink.events.map { String(decoding: $0.json.compactText.utf8, as: UTF8.self) }.joined(separator: "\n")
        return (outcome, sink.events, text)
    }

    /// What `runjob destroy` does: the resources first, then the instances.
    func destroy(_ plan: Plan) async throws -> [Teardown.ResourceResult] {
        let instances = try await Teardown.instances(name: plan.name, workspace: "default", provider: local)
        let resources = await Teardown.resources(of: instances, provider: local, adapters: try runtime(plan).resources, makeReady: true)
        let results = await Teardown.deleteResources(resources, plan: plan, adapters: try runtime(plan).resources)
        if results.allSatisfy({ $0.error == nil }) { _ = await Teardown.destroy(instances, provider: local) }
        return results
    }

    func instances() async throws -> [Instance] { try await local.list(labels: [:]) }

    func tearDown() async {
        for instance in (try? await local.list(labels: [:])) ?? [] { try? await local.destroy(instance.id) }
        await server.stop()
        folder.remove()
    }
}

extension Array where Element == RunEvent {
    fileprivate func step(_ id: String) -> StepFinished? {
        for event in self {
            if case .stepFinished(let finished) = event.kind, finished.step.description == id { return finished }
        }
        return nil
    }

    fileprivate var finished: RunFinished? {
        for event in self {
            if case .runFinished(let finished) = event.kind { return finished }
        }
        return nil
    }
}

@Suite("Resources in whole runs: the Instant adapter on the local provider", .serialized)
struct ResourceRunTests {
    @Test("apply creates one app and hands it over; the token is only in the 0600 env file and record; re-apply creates nothing; destroy deletes the app, then the instance")
    func lifecycle() async throws {
        let rig = try await ResourceRig.start()
        defer { Task { await rig.tearDown() } }
        let plan = try rig.plan()
        #expect(plan.steps.first?.id.description == "resource:db")
        #expect(plan.step(.boot("main"))?.dependsOn.contains(.resource("db")) == true)
        #expect(plan.step(.start("check"))?.dependsOn.contains(.resource("db")) == true)

        // While it runs, a watcher reads every process's argv (the local provider streams stdin: nothing to except).
        let done = Mutex(false)
        let watcher = Task { () -> Set<String> in
            var seen = Set<String>()
            while !done.withLock({ $0 }) {
                seen.insert(ProcessScan.everyArgv())
                await Task.yield()
            }
            return seen
        }
        let first = try await rig.apply(plan)
        done.withLock { $0 = true }
        let argv = await watcher.value.joined(separator: "\n")
        #expect(first.outcome.status == .ok, "\(first.text)")
        let apps = await rig.instant.liveApps
        try #require(apps.count == 1)
        let app = apps[0]
        #expect(first.events.step("resource:db")?.data.contains { $0.key == "created" } == true)
        let instance = try #require(try await rig.instances().first)
        #expect(instance.labels[InstanceLabel.resource("db")] == app.id)
        let home = try #require(instance.home)
        #expect(FileScan.text(home + "/names.txt") == "INSTANT_ADMIN_TOKEN\nINSTANT_APP_ID\n")
        let holders = FileScan.files(under: rig.folder.path, containing: app.adminToken)
        #expect(holders.contains(home + "/.runjob/resources/db.json"))
        #expect(holders.count == 2, "the record and the session's env file: \(holders)")
        for file in holders { #expect(FileScan.mode(file) == 0o600, "\(file)") }
        let canary = Canary(value: app.adminToken)
        #expect(canary.leaks(in: first.text).isEmpty, "the admin token leaked into events")
        #expect(canary.leaks(in: argv).isEmpty, "the admin token showed in a process's argv")
        #expect(!first.text.contains("<output"), "events show values or placeholders of secrets, never an unbound output")

        let again = try await rig.apply(plan)
        #expect(again.outcome.status == .ok)
        #expect(again.events.step("resource:db")?.data.contains { $0.key == "unchanged" } == true, "\(again.text)")
        #expect(await rig.instant.allApps.count == 1, "no second app")
        #expect(await rig.instant.requests.filter { $0.hasPrefix("POST") }.count == 1)
        #expect(canary.leaks(in: again.text).isEmpty)

        let deleted = try await rig.destroy(plan)
        #expect(deleted.map(\.outcome) == ["deleted"])
        #expect(await rig.instant.liveApps.isEmpty)
        #expect(try await rig.instances().isEmpty)
    }

    @Test("optional: a failed creation is a failed step, the run goes on, the session starts without the variables; not optional, nothing boots")
    func optionalResource() async throws {
        let rig = try await ResourceRig.start()
        defer { Task { await rig.tearDown() } }
        await rig.instant.inject(EmulatorFault(route: "POST /dash/apps/ephemeral", kind: .status, status: 503))
        let optional = try await rig.apply(try rig.plan("optional: true"))
        #expect(optional.outcome.status == .ok, "\(optional.text)")
        #expect(optional.events.step("resource:db")?.status == .failed)
        #expect(optional.events.step("resource:db")?.error?.code == ErrorCode.Resource.serverError)
        #expect(optional.events.finished?.optionalFailed == [.resource("db")])
        #expect(optional.text.contains("\"optional_failed\":[\"resource:db\"]"))
        let home = try #require(try await rig.instances().first?.home)
        #expect(FileScan.text(home + "/names.txt") == "", "the session ran without the variables")
        #expect(try await rig.instances().first?.labels[InstanceLabel.resource("db")] == nil)
        _ = try await rig.destroy(try rig.plan("optional: true"))

        await rig.instant.inject(EmulatorFault(route: "POST /dash/apps/ephemeral", kind: .status, status: 503))
        let required = try await rig.apply(try rig.plan())
        #expect(required.outcome.status == .failed)
        #expect(required.outcome.firstError?.code == ErrorCode.Resource.serverError)
        #expect(required.events.step("boot:main")?.status == .skipped)
        #expect(try await rig.instances().isEmpty)
        #expect(await rig.instant.liveApps.isEmpty)
    }

    @Test("a changed resource config (with --replace) gets a new app and the old one is deleted; a resource dropped from the manifest is left with a warning")
    func changedConfig() async throws {
        let rig = try await ResourceRig.start()
        defer { Task { await rig.tearDown() } }
        #expect(try await rig.apply(try rig.plan("title: first")).outcome.status == .ok)
        let refused = try await rig.apply(try rig.plan("title: second"))
        #expect(refused.outcome.firstError?.code == ErrorCode.Orchestration.configChanged, "\(refused.text)")
        let replaced = try await rig.apply(try rig.plan("title: second"), replace: true)
        #expect(replaced.outcome.status == .ok, "\(replaced.text)")
        #expect(await rig.instant.liveApps.map(\.title) == ["second"])
        #expect(await rig.instant.allApps.count == 2)
        #expect(replaced.text.contains("made for the old config"))

        let text = """
            version: 1
            name: res
            provider: local
            machine: {}
            sessions:
              check: { run: "true" }
            """
        let bare = Planner().plan(try ManifestLoader(registry: ResourceRig.registry, environment: .variablesOnly(rig.environment)).load(text: text, file: "res.yaml"))
        let dropped = try await rig.apply(bare, replace: true)
        #expect(dropped.outcome.status == .ok, "\(dropped.text)")
        #expect(dropped.text.contains("resource db ("), "\(dropped.text)")
        #expect(dropped.text.contains("is no longer in the manifest"))
        #expect(await rig.instant.liveApps.count == 1, "left, as said")
    }

    @Test("a new session that uses the resource (a config change, applied with --replace) gets the same app")
    func newSessionSameApp() async throws {
        let rig = try await ResourceRig.start()
        defer { Task { await rig.tearDown() } }
        #expect(try await rig.apply(try rig.plan()).outcome.status == .ok)
        let app = try #require(await rig.instant.liveApps.first)
        let grown = try rig.plan(session: "  second:\n    run: env | grep -c '^INSTANT_APP_ID=' > ~/second.txt\n    env: { INSTANT_APP_ID: \"${resource:db.app_id}\" }")
        #expect(grown.sessions.count == 2)
        let replaced = try await rig.apply(grown, replace: true)
        #expect(replaced.outcome.status == .ok, "\(replaced.text)")
        #expect(replaced.events.step("resource:db")?.data.contains { $0.key == "unchanged" } == true, "\(replaced.text)")
        #expect(await rig.instant.allApps.map(\.id) == [app.id], "the same app, no second one")
        let instance = try #require(try await rig.instances().first)
        #expect(instance.labels[InstanceLabel.resource("db")] == app.id)
        #expect(FileScan.text(try #require(instance.home) + "/second.txt") == "1\n")
    }

    /// A plan from whole manifest text (the rig's registry and environment).
    private func plan(_ rig: ResourceRig, _ text: String) throws -> Plan {
        Planner().plan(try ManifestLoader(registry: ResourceRig.registry, environment: .variablesOnly(rig.environment)).load(text: text, file: "res.yaml"))
    }

    @Test("an app that expired is created again on the reused instance: its label and record follow, the running session restarts with it, destroy deletes the new one")
    func expiredThenRecreated() async throws {
        let rig = try await ResourceRig.start()
        defer { Task { await rig.tearDown() } }
        let plan = try rig.plan(then: "; exec sleep 300")
        #expect(try await rig.apply(plan, wait: false).outcome.status == .ok)
        let old = try #require(await rig.instant.liveApps.first)
        // The service deletes it behind runjob's back (as it does after 14 days).
        _ = try await InstantClient(baseURL: rig.server.baseURL).delete(id: old.id, token: old.adminToken)
        let again = try await rig.apply(plan, wait: false)
        #expect(again.outcome.status == .ok, "\(again.text)")
        #expect(again.text.contains("no longer exists"))
        let fresh = try #require(await rig.instant.liveApps.first)
        #expect(fresh.id != old.id)
        let instance = try #require(try await rig.instances().first)
        #expect(instance.labels[InstanceLabel.resource("db")] == fresh.id, "the label follows the new app")
        let home = try #require(instance.home)
        #expect(FileScan.text(home + "/.runjob/resources/db.json")?.contains(fresh.id) == true)
        #expect(again.events.step("start:check")?.data.contains { $0.key == "reason" } == true, "the session restarts with the new app: \(again.text)")
        #expect(FileScan.files(under: home, containing: fresh.adminToken).contains { !$0.hasSuffix("db.json") }, "its env file has the new token")
        let third = try await rig.apply(plan, wait: false)
        #expect(third.events.step("start:check")?.data.contains { $0.key == "unchanged" } == true, "\(third.text)")
        let deleted = try await rig.destroy(plan)
        #expect(deleted.map(\.outcome) == ["deleted"])
        #expect(await rig.instant.liveApps.isEmpty)
    }

    @Test("an optional resource that failed, then succeeds: the reused instance gets its label and record, the running session restarts with the variables")
    func optionalThenSucceeds() async throws {
        let rig = try await ResourceRig.start()
        defer { Task { await rig.tearDown() } }
        let plan = try rig.plan("optional: true", then: "; exec sleep 300")
        await rig.instant.inject(EmulatorFault(route: "POST /dash/apps/ephemeral", kind: .status, status: 500))
        #expect(try await rig.apply(plan, wait: false).outcome.status == .ok)
        // plan says apply would try again, and what for.
        let deployment = try await Deployment.discover(plan: plan, workspace: "default", provider: rig.local, processManager: ShellProcessManager())
        let summary = deployment.summary(for: plan, agents: ["command": CommandAgent()])
        #expect(summary.sentence.contains("resource db for machine main"), "\(summary.sentence)")
        let later = try await rig.apply(plan, wait: false)
        #expect(later.outcome.status == .ok, "\(later.text)")
        let app = try #require(await rig.instant.liveApps.first)
        let instance = try #require(try await rig.instances().first)
        #expect(instance.labels[InstanceLabel.resource("db")] == app.id)
        #expect(later.events.step("start:check")?.data.contains { $0.key == "reason" } == true, "restarted: \(later.text)")
        #expect(FileScan.files(under: try #require(instance.home), containing: app.adminToken).count == 2, "the record and the session's env file")
        // Now the service is down for a moment: the optional step fails, the running session is not touched.
        await rig.instant.inject(EmulatorFault(route: "GET /dash/apps/ephemeral/{id}", kind: .status, status: 503))
        let blip = try await rig.apply(plan, wait: false)
        #expect(blip.outcome.status == .ok)
        #expect(blip.events.finished?.optionalFailed == [.resource("db")])
        #expect(blip.events.step("start:check")?.data.contains { $0.key == "unchanged" } == true, "a passing failure restarts nothing: \(blip.text)")
        #expect(try await rig.destroy(plan).map(\.outcome) == ["deleted"])
    }

    @Test("keep: true and optional: true change no digest (no --replace, no new app); keep survives destroy")
    func keepFlip() async throws {
        let rig = try await ResourceRig.start()
        defer { Task { await rig.tearDown() } }
        let plain = try rig.plan()
        let kept = try rig.plan("keep: true\noptional: true")
        #expect(plain.configDigest == kept.configDigest)
        #expect(try await rig.apply(plain).outcome.status == .ok)
        let again = try await rig.apply(kept)
        #expect(again.outcome.status == .ok, "\(again.text)")
        #expect(again.events.step("resource:db")?.data.contains { $0.key == "unchanged" } == true)
        #expect(try await rig.destroy(kept).map(\.outcome) == ["kept"])
        #expect(await rig.instant.liveApps.count == 1)
        #expect(try await rig.instances().isEmpty)
    }

    @Test("a renamed machine (with --replace) finds the app on the removed instance instead of orphaning it")
    func renamedMachine() async throws {
        let rig = try await ResourceRig.start()
        defer { Task { await rig.tearDown() } }
        func text(_ machine: String) -> String {
            """
            version: 1
            name: res
            provider: local
            machines: { \(machine): {} }
            resources: { db: { kind: instant } }
            sessions:
              check: { run: "true", env: { INSTANT_APP_ID: "${resource:db.app_id}" } }
            """
        }
        #expect(try await rig.apply(try plan(rig, text("first"))).outcome.status == .ok)
        let app = try #require(await rig.instant.liveApps.first)
        let renamed = try await rig.apply(try plan(rig, text("second")), replace: true)
        #expect(renamed.outcome.status == .ok, "\(renamed.text)")
        #expect(await rig.instant.allApps.map(\.id) == [app.id], "the same app")
        #expect(try await rig.instances().map { $0.labels[InstanceLabel.machine] } == ["second"])
        #expect(try await rig.instances().first?.labels[InstanceLabel.resource("db")] == app.id)
    }

    @Test("a failed run deletes the app it created for instances it removes; the record's word on secrecy is overruled by the adapter; a record naming another id is not trusted")
    func failedRunAndRecords() async throws {
        let rig = try await ResourceRig.start()
        defer { Task { await rig.tearDown() } }
        let failing = try plan(
            rig,
            """
            version: 1
            name: res
            provider: local
            machine: {}
            resources: { db: { kind: instant } }
            sessions:
              bad: { run: "exit 3" }
              check: { run: "true", after: { bad: completed }, env: { INSTANT_APP_ID: "${resource:db.app_id}" } }
            """)
        let failed = try await rig.apply(failing)
        #expect(failed.outcome.status == .failed)
        #expect(try await rig.instances().isEmpty)
        #expect(await rig.instant.allApps.count == 1)
        #expect(await rig.instant.liveApps.isEmpty, "the app this failed run created went with its instance: \(failed.text)")

        let plan = try rig.plan()
        #expect(try await rig.apply(plan).outcome.status == .ok)
        let instance = try #require(try await rig.instances().first)
        let record = try #require(instance.home) + "/.runjob/resources/db.json"
        let app = try #require(await rig.instant.liveApps.first)
        // An agent rewrites the record: every output listed as plain.
        let original = try #require(FileScan.text(record))
        try original.replacingOccurrences(of: #""plain":["#, with: #""plain":["admin_token","#).write(toFile: record, atomically: true, encoding: .utf8)
        let status = try await DeploymentStatus.collect(plan: plan, workspace: "default", runtime: try rig.runtime(plan))
        #expect(status.resources.first?.outputs["admin_token"] == nil, "the adapter says it is secret")
        #expect(status.resourceSecrets.contains { $0.reveal() == app.adminToken })
        // A record naming another app is not the labelled one: re-apply refuses rather than adopting it.
        try original.replacingOccurrences(of: app.id, with: "00000000-0000-0000-0000-000000000000").write(toFile: record, atomically: true, encoding: .utf8)
        let refused = try await rig.apply(plan)
        #expect(refused.outcome.firstError?.code == ErrorCode.Resource.recordMissing, "\(refused.text)")
        #expect(await rig.instant.allApps.count == 2, "nothing created")
    }

    /// One fault case: where, what, and what must follow.
    struct FaultCase: Sendable, CustomTestStringConvertible {
        var name: String
        var permanent: Bool
        var fault: EmulatorFault
        /// `apply`, `reapply` (the fault hits the second apply) or `destroy`.
        var during: String
        var expectedStatus: RunFinished.Status
        var expectedCode: ErrorCode?
        /// Live apps right after the faulted operation.
        var appsAfter: Int
        var testDescription: String { name }
    }

    static let faultCases: [FaultCase] = [
        // create, answered with an error before anything happened
        FaultCase(name: "create 500 before", permanent: false, fault: .init(route: "POST /dash/apps/ephemeral", kind: .status, status: 500),
                  during: "apply", expectedStatus: .failed, expectedCode: ErrorCode.Resource.serverError, appsAfter: 0),
        FaultCase(name: "create 429 before", permanent: false, fault: .init(route: "POST /dash/apps/ephemeral", kind: .status, status: 429),
                  during: "apply", expectedStatus: .failed, expectedCode: ErrorCode.Resource.rateLimited, appsAfter: 0),
        FaultCase(name: "create reset before", permanent: false, fault: .init(route: "POST /dash/apps/ephemeral", kind: .reset),
                  during: "apply", expectedStatus: .failed, expectedCode: ErrorCode.Resource.unreachable, appsAfter: 0),
        FaultCase(name: "create latency", permanent: false, fault: .init(route: "POST /dash/apps/ephemeral", kind: .latency, latencyMilliseconds: 300),
                  during: "apply", expectedStatus: .ok, expectedCode: nil, appsAfter: 1),
        // create carried out, answer lost: a temporary app cannot be found (orphaned, expires), a permanent one is adopted
        FaultCase(name: "temporary create, answer lost", permanent: false,
                  fault: .init(route: "POST /dash/apps/ephemeral", kind: .reset, phase: .after),
                  during: "apply", expectedStatus: .failed, expectedCode: ErrorCode.Resource.unreachable, appsAfter: 1),
        FaultCase(name: "permanent create, answer lost", permanent: true, fault: .init(route: "POST /superadmin/apps", kind: .reset, phase: .after),
                  during: "apply", expectedStatus: .ok, expectedCode: nil, appsAfter: 1),
        FaultCase(name: "permanent create, 502 after it was done", permanent: true,
                  fault: .init(route: "POST /superadmin/apps", kind: .status, phase: .after, status: 502),
                  during: "apply", expectedStatus: .ok, expectedCode: nil, appsAfter: 1),
        FaultCase(name: "permanent create, malformed answer", permanent: true,
                  fault: .init(route: "POST /superadmin/apps", kind: .malformed, phase: .after),
                  during: "apply", expectedStatus: .ok, expectedCode: nil, appsAfter: 1),
        FaultCase(name: "permanent create lost, and the lookup fails", permanent: true,
                  fault: .init(route: "GET /superadmin/apps", kind: .status, skip: 1, status: 500),
                  during: "apply-lost", expectedStatus: .failed, expectedCode: ErrorCode.Resource.serverError, appsAfter: 1),
        // read (re-apply checks the recorded app)
        FaultCase(name: "temporary read 500", permanent: false, fault: .init(route: "GET /dash/apps/ephemeral/{id}", kind: .status, status: 500),
                  during: "reapply", expectedStatus: .failed, expectedCode: ErrorCode.Resource.serverError, appsAfter: 1),
        FaultCase(name: "permanent: the look-up before the create fails", permanent: true,
                  fault: .init(route: "GET /superadmin/apps", kind: .status, status: 500),
                  during: "apply", expectedStatus: .failed, expectedCode: ErrorCode.Resource.serverError, appsAfter: 0),
        FaultCase(name: "permanent read reset", permanent: true, fault: .init(route: "GET /superadmin/apps/{id}", kind: .reset),
                  during: "reapply", expectedStatus: .failed, expectedCode: ErrorCode.Resource.unreachable, appsAfter: 1),
        FaultCase(name: "permanent read 429", permanent: true, fault: .init(route: "GET /superadmin/apps/{id}", kind: .status, status: 429),
                  during: "reapply", expectedStatus: .failed, expectedCode: ErrorCode.Resource.rateLimited, appsAfter: 1),
        // delete
        FaultCase(name: "temporary delete 500 before", permanent: false, fault: .init(route: "DELETE /superadmin/apps/{id}", kind: .status, status: 500),
                  during: "destroy", expectedStatus: .failed, expectedCode: ErrorCode.Resource.serverError, appsAfter: 1),
        FaultCase(name: "permanent delete, answer lost", permanent: true, fault: .init(route: "DELETE /superadmin/apps/{id}", kind: .reset, phase: .after),
                  during: "destroy", expectedStatus: .failed, expectedCode: ErrorCode.Resource.unreachable, appsAfter: 0),
    ]

    @Test("fault matrix over create, read and delete: each case's outcome; never two permanent apps; a retry converges", arguments: faultCases)
    func faults(_ item: FaultCase) async throws {
        let rig = try await ResourceRig.start()
        defer { Task { await rig.tearDown() } }
        let plan = try rig.plan(item.permanent ? "ephemeral: false\ntoken: ${env:INSTANT_PLATFORM_TOKEN}" : "")
        var canaries: [String] = []
        func liveApps() async -> Int { await rig.instant.liveApps.count }

        if item.during == "reapply" || item.during == "destroy" {
            #expect(try await rig.apply(plan).outcome.status == .ok)
        }
        if item.during == "apply-lost" {
            await rig.instant.inject(EmulatorFault(route: "POST /superadmin/apps", kind: .reset, phase: .after))
        }
        await rig.instant.inject(item.fault)
        if item.during == "destroy" {
            let results = try await rig.destroy(plan)
            let error = results.first?.error as? ResourceError
            #expect((error == nil ? RunFinished.Status.ok : .failed) == item.expectedStatus)
            #expect(error?.code == item.expectedCode)
            #expect(await liveApps() == item.appsAfter)
            #expect(try await rig.instances().count == 1, "the instance stays while its resource could not be deleted")
        } else {
            let run = try await rig.apply(plan)
            canaries.append(run.text)
            #expect(run.outcome.status == item.expectedStatus, "\(run.text)")
            #expect(run.outcome.firstError?.code == item.expectedCode)
            #expect(await liveApps() == item.appsAfter)
            if item.during == "reapply" { #expect(await rig.instant.allApps.count == 1, "a failed read never creates another app") }
        }
        // Faults gone: one more apply (and a destroy) converges, and a permanent resource never had two apps.
        await rig.instant.clearFaults()
        if item.during != "destroy" {
            let retry = try await rig.apply(plan)
            canaries.append(retry.text)
            #expect(retry.outcome.status == .ok, "\(retry.text)")
            if item.permanent { #expect(await rig.instant.allApps.filter { $0.expiresMs == nil }.count == 1, "one permanent app, ever") }
        }
        let results = try await rig.destroy(plan)
        #expect(results.allSatisfy { $0.error == nil })
        #expect(try await rig.instances().isEmpty)
        if item.permanent || item.name != "temporary create, answer lost" {
            #expect(await liveApps() == 0, "nothing left at the service")
        } else {
            #expect(await liveApps() == 1, "the orphaned temporary app (its answer was lost) expires on its own")
        }
        for app in await rig.instant.allApps {
            for text in canaries { #expect(Canary(value: app.adminToken).leaks(in: text).isEmpty, "\(item.name): an admin token leaked") }
        }
    }
}

