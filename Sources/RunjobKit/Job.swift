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
        self.init(manifest: try loader.load(Array(data), file: path), registry: registry, environment: environment)
    }

    /// Loads manifest `text` (named `file` in diagnostics; `${file:…}` paths are relative to its folder).
    public init(
        text: String, file: String = "manifest.yaml", environment: [String: String] = ProcessInfo.processInfo.environment,
        registry: AdapterRegistry = Adapters.registry, strict: Bool = false
    ) throws(ManifestError) {
        let loader = ManifestLoader(registry: registry, environment: .system(manifestPath: file, variables: environment), strict: strict)
        self.init(manifest: try loader.load(text: text, file: file), registry: registry, environment: environment)
    }

    /// A job for an already loaded manifest.
    public init(manifest: Manifest, registry: AdapterRegistry = Adapters.registry, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.plan = Planner().plan(manifest)
        self.warnings = manifest.warnings
        self.registry = registry
        self.environment = environment
    }

    /// A redactor that knows every secret of the job (and, once a runtime exists, its adapters').
    public func redactor() -> Redactor { Redactor(secrets: plan.allSecrets) }

    /// The adapters the plan names. `preview`: a quick read-only look that gives up on an
    /// unreachable API after seconds. Throws the adapter's error when one cannot be used here.
    public func runtime(preview: Bool = false) throws -> Runtime {
        try registry.runtime(for: plan, environment: environment, preview: preview)
    }

    /// Applies the plan; every event goes to `sink` (redacted by `redactor`, made from the job's
    /// secrets when `nil`). Throws only when the adapters cannot be made; how the run went is in
    /// the outcome (`firstError` carries the code, e.g. `orchestration.partial_plan`).
    public func apply(_ options: RunOptions = RunOptions(), sink: any EventSink, redactor: Redactor? = nil) async throws -> RunOutcome {
        let runtime = try runtime()
        let engine = RunEngine(plan: plan, runtime: runtime, options: options, sink: sink, redactor: redactor ?? self.redactor())
        return await engine.run()
    }

    /// Each machine's instance and each session's state in `workspace` (read-only).
    public func status(workspace: String = "default") async throws -> DeploymentStatus {
        try await DeploymentStatus.collect(plan: plan, workspace: workspace, runtime: try runtime(preview: true))
    }

    /// A session's whole `stream`, or its last `tail` lines, redacted (pieces of secrets at the cuts too).
    public func logs(session: String, stream: LogStream = .stdout, tail: Int? = nil, workspace: String = "default") async throws -> [UInt8] {
        let runtime = try runtime(preview: true)
        let redactor = redactor()
        for secret in runtime.secrets { redactor.add(secret) }
        let located = try await DeploymentStatus.locateSession(session, plan: plan, workspace: workspace, runtime: runtime)
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
    /// duplicates and half-made ones too), under the deployment's lease. The result per instance.
    public func destroy(workspace: String = "default", lockTimeout: Duration = .seconds(60)) async throws -> [Teardown.Result] {
        let runtime = try runtime()
        let holder = LeaseHolder.current(run: RunClock.newRunID(), command: "destroy")
        let lease = try await runtime.locking.acquire(runtime.leaseKey(for: plan, workspace: workspace), holder: holder, timeout: lockTimeout) { _ in }
        defer { lease.release() }
        let instances = try await Teardown.instances(name: plan.name, workspace: workspace, provider: runtime.provider)
        return await Teardown.destroy(instances, provider: runtime.provider)
    }
}
