import Foundation

/// A manifest loaded for running, for Swift programs that drive runjob the way the CLI
/// does: plan it, apply it with an event sink, ask its status, read its logs, destroy it.
///
/// Every action goes through the same core as `runjob`: the engine refuses a plan with
/// unset secrets (`orchestration.partial_plan`) and a changed config without `replace`,
/// takes the deployment's lease, and redacts every output. Instances carry the same
/// labels, so `runjob status` and `runjob destroy` see what a program made, and back.
public struct Job: Sendable {
    /// The compiled plan.
    public let plan: Plan
    /// The manifest's warnings (short secrets, unused profiles, …).
    public let warnings: [ManifestDiagnostic]
    /// The adapters the job may use.
    public let registry: AdapterRegistry
    /// The environment adapters read (state folder, API endpoints and keys).
    public let environment: [String: String]
    /// The manifest as loaded.
    private let manifest: Manifest
    /// Reads the manifest again (after a login was refreshed); `nil` for a job made from a loaded manifest.
    private let reload: (@Sendable () throws -> Manifest)?

    /// Loads the manifest at `path`; `${env:…}` come from `environment`, `${file:…}` paths are
    /// relative to the manifest's folder. Throws the manifest's diagnostics.
    public init(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment, registry: AdapterRegistry = Adapters.registry,
        strict: Bool = false
    ) throws(ManifestError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ManifestError(
                diagnostics: [
                    ManifestDiagnostic(
                        .error, ErrorCode.Manifest.fileUnreadable, "cannot read the manifest `\(path)`", at: SourceLocation(file: path, line: 1, column: 1))
                ])
        }
        let loader = ManifestLoader(registry: registry, environment: .system(manifestPath: path, variables: environment), strict: strict)
        let bytes = Array(data)
        self.init(manifest: try loader.load(bytes, file: path), registry: registry, environment: environment) { try loader.load(bytes, file: path) }
    }

    /// Loads manifest `text` (named `file` in diagnostics; `${file:…}` paths are relative to its folder).
    public init(
        text: String, file: String = "manifest.yaml", environment: [String: String] = ProcessInfo.processInfo.environment,
        registry: AdapterRegistry = Adapters.registry, strict: Bool = false
    ) throws(ManifestError) {
        let loader = ManifestLoader(registry: registry, environment: .system(manifestPath: file, variables: environment), strict: strict)
        self.init(manifest: try loader.load(text: text, file: file), registry: registry, environment: environment) {
            try loader.load(text: text, file: file)
        }
    }

    /// A job for an already loaded manifest. When it reads logins (`${auth:…}`), `apply`
    /// refuses a login refreshed since the manifest was loaded: load it again, or use
    /// ``init(path:environment:registry:strict:)``, which reads it again by itself.
    public init(manifest: Manifest, registry: AdapterRegistry = Adapters.registry, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(manifest: manifest, registry: registry, environment: environment, reload: nil)
    }

    private init(manifest: Manifest, registry: AdapterRegistry, environment: [String: String], reload: (@Sendable () throws -> Manifest)?) {
        self.plan = Planner().plan(manifest)
        self.warnings = manifest.warnings
        self.registry = registry
        self.environment = environment
        self.manifest = manifest
        self.reload = reload
    }

    /// A redactor that knows every secret of the job (and, once a runtime exists, its adapters'),
    /// with the tokens the logins it reads hold now (a refresh since loading included).
    public func redactor() -> Redactor {
        Redactor(secrets: plan.allSecrets + Logins.secrets(of: manifest, registry: registry, environment: environment))
    }

    /// The adapters the plan names. `preview`: a quick read-only look that gives up on an
    /// unreachable API after seconds. Throws the adapter's error when one cannot be used here.
    public func runtime(preview: Bool = false) throws -> Runtime {
        try registry.runtime(for: plan, environment: environment, preview: preview)
    }

    /// Applies the plan; every event goes to `sink` (redacted by `redactor`, made from the job's
    /// secrets when `nil`). The logins the manifest reads are made fresh first (``Logins``),
    /// and one handed over to a machine is marked so, before anything boots. Throws when the
    /// adapters cannot be made or a login is not usable (`AuthError`); how the run went is in
    /// the outcome (`firstError` carries the code, e.g. `orchestration.partial_plan`).
    public func apply(_ options: RunOptions = RunOptions(), sink: any EventSink, redactor: Redactor? = nil) async throws -> RunOutcome {
        var plan = self.plan
        var loginSecrets: [Secret] = []
        var handover: Manifest?
        if !manifest.logins.isEmpty {
            loginSecrets = try await Logins.prepare(manifest, registry: registry, environment: environment)
            let fresh: Manifest
            if let reload {
                fresh = try reload()
            } else {
                let known = Set(plan.allSecrets.compactMap { $0.reveal() })
                guard loginSecrets.allSatisfy({ $0.reveal().map(known.contains) == true }) else {
                    throw AuthError(
                        ErrorCode.Auth.loginChanged,
                        "a login this manifest reads was refreshed after the manifest was loaded; load it again (or make the Job from its path)")
                }
                fresh = manifest
            }
            plan = Planner().plan(fresh)
            handover = fresh
        }
        let runtime = try registry.runtime(for: plan, environment: environment)
        // Last, just before the run: a login handed over to a machine loses its local refresh token.
        if let handover { try await Logins.handOver(handover, workspace: options.workspace, registry: registry, environment: environment) }
        let redactor = redactor ?? self.redactor()
        for secret in loginSecrets + plan.companionSecrets { redactor.add(secret) }
        let engine = RunEngine(plan: plan, runtime: runtime, options: options, sink: sink, redactor: redactor)
        return await engine.run()
    }

    /// Each machine's instance and each session's state in `workspace` (read-only).
    public func status(workspace: String = "default") async throws -> DeploymentStatus {
        let runtime = try runtime(preview: true)
        return try await Self.releasing(runtime) { try await DeploymentStatus.collect(plan: plan, workspace: workspace, runtime: runtime) }
    }

    /// `body`'s result, after releasing the runtime's provider (however `body` ended).
    static func releasing<T>(_ runtime: Runtime, _ body: () async throws -> T) async throws -> T {
        do {
            let value = try await body()
            await runtime.provider.release()
            return value
        } catch {
            await runtime.provider.release()
            throw error
        }
    }

    /// A session's whole `stream`, or its last `tail` lines, redacted (pieces of secrets at the cuts too).
    public func logs(session: String, stream: LogStream = .stdout, tail: Int? = nil, workspace: String = "default") async throws -> [UInt8] {
        let runtime = try runtime(preview: true)
        return try await Self.releasing(runtime) { try await logs(session: session, stream: stream, tail: tail, workspace: workspace, runtime: runtime) }
    }

    private func logs(session: String, stream: LogStream, tail: Int?, workspace: String, runtime: Runtime) async throws -> [UInt8] {
        let redactor = redactor()
        for secret in runtime.secrets { redactor.add(secret) }
        let deployment = try await Deployment.discover(
            plan: plan, workspace: workspace, provider: runtime.provider, processManager: runtime.processManager)
        for secret in await Teardown.resourceSecrets(
            plan: plan, instances: deployment.existingInstances, provider: runtime.provider, adapters: runtime.resources)
        {
            redactor.add(secret)
        }
        let located = try DeploymentStatus.locateSession(session, plan: plan, deployment: deployment, runtime: runtime)
        var redacting = StreamRedactor(redactor: redactor, cutAtStart: tail != nil)
        var out: [UInt8] = []
        var chunk = try await runtime.processManager.logs(located.process, stream: stream, on: located.target, from: nil, tail: tail)
        out += redacting.feed(chunk.bytes)
        while chunk.hasMore {
            let next = try await runtime.processManager.logs(located.process, stream: stream, on: located.target, from: chunk.nextOffset, tail: nil)
            guard next.nextOffset > chunk.nextOffset else { break }
            out += redacting.feed(next.bytes)
            chunk = next
        }
        return out + redacting.finish(cutAtEnd: true)
    }

    /// Destroys every instance of the job in `workspace` (machines no longer in the manifest,
    /// duplicates and half-made ones too), under the deployment's lease, after deleting the resources they use
    /// (`keep: true` ones stay); throws the first resource that could not be deleted, destroying nothing. The result per instance.
    public func destroy(workspace: String = "default", lockTimeout: Duration = .seconds(60)) async throws -> [Teardown.Result] {
        let runtime = try runtime()
        return try await Self.releasing(runtime) { try await destroy(workspace: workspace, lockTimeout: lockTimeout, runtime: runtime) }
    }

    private func destroy(workspace: String, lockTimeout: Duration, runtime: Runtime) async throws -> [Teardown.Result] {
        let holder = LeaseHolder.current(run: RunClock.newRunID(), command: "destroy")
        let lease = try await runtime.locking.acquire(runtime.leaseKey(for: plan, workspace: workspace), holder: holder, timeout: lockTimeout) { _ in }
        defer { lease.release() }
        let instances = try await Teardown.instances(name: plan.name, workspace: workspace, provider: runtime.provider)
        // Resources first: the instances hold the records needed to delete them.
        let resources = await Teardown.resources(of: instances, provider: runtime.provider, adapters: runtime.resources, makeReady: true)
        for result in await Teardown.deleteResources(resources, plan: plan, adapters: runtime.resources) where Teardown.blocks(result) {
            if let error = result.error { throw error }
        }
        return await Teardown.destroy(instances, provider: runtime.provider)
    }
}
