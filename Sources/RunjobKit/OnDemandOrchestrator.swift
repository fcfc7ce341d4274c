import Foundation

/// The seed's orchestrator without a manifest, for servers that start agents on demand:
/// boot and prepare a machine from a machine spec, credential profiles and machine info;
/// start ad-hoc sessions on it; read their logs; list their processes; destroy it.
///
/// Every call goes through the same core as `runjob apply`: the same steps, events (to the
/// sink), redaction, errors, labels and state records. Instances carry the labels of a
/// deployment named `name` in `workspace`, so `runjob status`/`destroy` with a manifest of
/// that name (and provider) find what this made. A machine's identity is its own spec and
/// profiles: starting any number of different sessions on it never counts as a changed
/// config. Calls are idempotent: booting a machine that runs reuses it; starting a session
/// that runs adopts it.
public struct OnDemandOrchestrator: Sendable {
    /// The deployment name in the instances' labels (a manifest `name`).
    public let name: String
    /// The provider (its options; its key may also come from `environment`).
    public let provider: ProviderSpec
    /// The process manager that keeps the sessions running.
    public let processManager: ProcessManagerSpec
    /// The workspace in the labels.
    public let workspace: String
    /// The environment the adapters read.
    public let environment: [String: String]
    /// The adapters.
    public let registry: AdapterRegistry
    /// Where every step's events go.
    public let sink: any EventSink
    /// Knows the secrets of every machine and session prepared or started through this
    /// orchestrator (and any you add), so `logs` masks them; events are redacted as apply's are.
    public let redactor: Redactor

    /// An orchestrator for deployment `name` in `workspace`.
    public init(
        name: String, provider: ProviderSpec, processManager: ProcessManagerSpec = ProcessManagerSpec(kind: "shell"), workspace: String = "default",
        environment: [String: String] = ProcessInfo.processInfo.environment, registry: AdapterRegistry = Adapters.registry,
        sink: any EventSink = CollectingSink()
    ) {
        self.name = name
        self.provider = provider
        self.processManager = processManager
        self.workspace = workspace
        self.environment = environment
        self.registry = registry
        self.sink = sink
        self.redactor = Redactor()
    }

    /// Boots `machine` (or finds the instance booted for the same spec and profiles), writes its
    /// machine info and installs `profiles`. Throws `orchestration.partial_plan` when a secret
    /// is unset, `orchestration.config_changed` when the machine runs with another spec.
    public func bootAndPrepare(_ machine: MachineSpec, profiles: [CredentialProfileSpec] = []) async throws -> Orchestrator.PreparedMachine {
        let plan = try machinePlan(machine, profiles: profiles)
        remember(plan)
        return try await Orchestrator(plan: plan, runtime: try runtime(), options: RunOptions(workspace: workspace), sink: sink)
            .bootAndPrepare(machine: machine.name)
    }

    /// Starts `session` on `machine`, booting and preparing it first when needed (with the
    /// profiles the session names). A session that runs already is adopted, never doubled.
    public func startSession(_ session: SessionSpec, on machine: MachineSpec, profiles: [CredentialProfileSpec] = []) async throws -> ProcessState {
        var spec = session
        spec.machine = machine.name
        try check(spec)
        let identity = try machinePlan(machine, profiles: profiles)
        var plan = Planner().plan(try manifest(machine, profiles: profiles, sessions: [spec]))
        plan.configDigest = identity.configDigest  // the machine's identity, whatever runs on it
        remember(plan)
        return try await Orchestrator(plan: plan, runtime: try runtime(), options: RunOptions(workspace: workspace), sink: sink).startSession(spec.name)
    }

    /// The last `tail` lines (all when `nil`) of session `session`'s `stream` on `machine`, redacted.
    public func logs(session: String, on machine: MachineSpec, stream: LogStream = .stdout, tail: Int? = nil) async throws -> [UInt8] {
        var plan = try machinePlan(machine, profiles: [])
        // Where the session runs comes from the instance's records; the spec only names it.
        plan.sessions = [SessionSpec(name: session, machine: machine.name, program: .run(.argv(["true"])))]
        let runtime = try runtime()
        let located = try await DeploymentStatus.locateSession(session, plan: plan, workspace: workspace, runtime: runtime)
        let chunk = try await runtime.processManager.logs(located.process, stream: stream, on: located.target, from: nil, tail: tail)
        for secret in runtime.secrets { redactor.add(secret) }
        return redactor.redact(bytes: chunk.bytes, cut: tail == nil ? .end : [.start, .end])
    }

    /// Every process the process manager knows on `machine`'s instance (whatever it was prepared with).
    public func listProcesses(on machine: MachineSpec) async throws -> [ProcessState] {
        let runtime = try runtime()
        let deployment = try await Deployment.discover(
            plan: try machinePlan(machine, profiles: []), workspace: workspace, provider: runtime.provider, readState: false)
        guard let instance = deployment.instance(for: machine.name), instance.status == .ready else {
            throw OrchestrationError(
                ErrorCode.Orchestration.instanceMissing, "machine `\(machine.name)` of \(name) has no ready instance in workspace `\(workspace)`",
                context: [.init("machine", machine.name)])
        }
        let home = try await DeploymentStatus.home(of: instance, runtime: runtime)
        return try await runtime.processManager.list(on: ProcessTarget(provider: runtime.provider, instance: instance.id, home: home, run: "-"))
    }

    /// Destroys the instances of `machine` (every machine of this deployment when `nil`), under
    /// the deployment's lease. The result per instance.
    public func destroy(_ machine: MachineSpec? = nil, lockTimeout: Duration = .seconds(60)) async throws -> [Teardown.Result] {
        let runtime = try runtime()
        let key = LeaseKey(scope: runtime.provider.leaseScope, name: name, workspace: workspace)
        let lease = try await runtime.locking.acquire(key, holder: LeaseHolder.current(run: RunClock.newRunID(), command: "destroy"), timeout: lockTimeout) { _ in }
        defer { lease.release() }
        let instances = try await Teardown.instances(name: name, workspace: workspace, provider: runtime.provider).filter { instance in
            machine.map { instance.labels[InstanceLabel.machine] == $0.name } ?? true
        }
        return await Teardown.destroy(instances, provider: runtime.provider)
    }

    // MARK: Plans

    /// Adds `plan`'s secrets to the redactor `logs` uses.
    private func remember(_ plan: Plan) {
        for secret in plan.allSecrets { redactor.add(secret) }
    }

    /// The plan that boots and prepares `machine` with `profiles`: its digest is the machine's identity.
    func machinePlan(_ machine: MachineSpec, profiles: [CredentialProfileSpec]) throws -> Plan {
        try checkName(machine.name, "machine")
        for profile in profiles { try checkName(profile.name, "credential profile") }
        var plan = Planner().plan(try manifest(machine, profiles: profiles, sessions: []))
        // The planner installs only the profiles sessions use; here every given profile is installed.
        let boot = StepID.boot(machine.name)
        for profile in profiles where !plan.steps.contains(where: { $0.id == .credentials(profile.name, on: machine.name) }) {
            plan.steps.append(Step(id: .credentials(profile.name, on: machine.name), dependsOn: [boot], machine: machine.name, action: .credentials(profile)))
        }
        return plan
    }

    private func manifest(_ machine: MachineSpec, profiles: [CredentialProfileSpec], sessions: [SessionSpec]) throws -> Manifest {
        try checkName(name, "deployment")
        var unresolved = Set<SecretSource>()
        for secret in profiles.flatMap(\.secrets) + sessions.flatMap(\.secrets) where !secret.isResolved { unresolved.insert(secret.source) }
        return Manifest(
            version: 1, name: name, description: nil, source: "<on demand>", provider: provider, processManager: processManager,
            machines: [machine], credentials: profiles, sessions: sessions, unresolvedSources: unresolved.sorted())
    }

    private func runtime() throws -> Runtime {
        guard registry.provider(provider.kind) != nil else {
            throw ProviderError(ErrorCode.Provider.unsupported, "the `\(provider.kind)` provider cannot run jobs in this build")
        }
        let carrier = Plan(
            name: name, source: "<on demand>", provider: provider, processManager: processManager, machines: [], credentials: [], sessions: [],
            steps: [], waves: [], configDigest: "", secrets: SecretsDigest(overall: "", scopes: [:], unresolved: []))
        return try registry.runtime(for: carrier, environment: environment)
    }

    /// What the manifest reader would refuse in a session: a name that is not a name. (A
    /// command cannot hold a secret: `CommandTemplate` is plain text by type.)
    private func check(_ session: SessionSpec) throws {
        try checkName(session.name, "session")
    }

    private func checkName(_ name: String, _ what: String) throws {
        let bytes = Array(name.utf8)
        let valid =
            (1...63).contains(bytes.count) && ASCII.isLowercase(bytes[0])
            && bytes.allSatisfy { ASCII.isLowercase($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        guard valid else {
            throw OrchestrationError(
                ErrorCode.Manifest.invalidName, "`\(name)` is not a valid \(what) name: lowercase letters, digits, _ and -, starting with a letter")
        }
    }
}
