import ArgumentParser
import Foundation
import RunjobKit

/// `runjob apply FILE`
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Boot, prepare and start everything the manifest declares; stream every step as JSON lines.",
        discussion: """
            Returns when every session has started and every `after: {x: completed}`
            holds; with --wait, follows every session to its end. Re-applying an
            unchanged manifest changes nothing; changed secrets re-install just those
            credential profiles; a changed config is refused (differences on stderr)
            unless --replace. On failure or Ctrl-C, instances this run booted are
            destroyed unless --keep (keep them to read their logs).

            Events (stdout, one JSON object per line): run.started, step.started,
            step.finished, session.finished, run.interrupted, run.finished, log.

            Examples:
              runjob apply examples/manifests/local.yaml
              runjob apply --wait --output text job.yaml
              runjob apply --workspace ci-42 job.yaml | jq -c 'select(.type=="log")'
            """)

    @Argument(help: "The manifest (`-` reads stdin).")
    var file: String

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var log: LogOptions

    @Option(help: "Steps running at the same time at most.")
    var parallelism: Int = 4

    @Flag(help: "Follow every session to its end and report results.")
    var wait = false

    @Flag(help: "Keep the instances this run booted when it fails or is interrupted.")
    var keep = false

    @Flag(help: "Replace instances booted for another version of the manifest.")
    var replace = false

    @Option(help: "Output on stdout: json (event lines) or text (lines for people).")
    var output: EventOutput = .json

    @Option(help: "How often to poll a session while waiting for it (seconds).")
    var pollInterval: Double = 1

    @Option(
        name: .customLong("rerun"),
        help: ArgumentHelp(
            "Run SESSION again even if it finished successfully; a running one is stopped first (repeatable).", valueName: "SESSION"))
    var rerun: [String] = []

    @Option(help: "How long to wait while another run changes the same deployment (seconds).")
    var lockTimeout: Double = 60

    func validate() throws {
        if parallelism < 1 { throw ValidationError("--parallelism must be at least 1") }
        if pollInterval <= 0 { throw ValidationError("--poll-interval must be positive") }
        if lockTimeout < 0 { throw ValidationError("--lock-timeout must not be negative") }
    }

    func run() throws {
        // Signals from the very start (`main` installed the handler before parsing): an interrupt
        // before the run begins still exits 130, after cleaning up nothing.
        let early = EarlyInterrupts.process
        let environment = ProcessInfo.processInfo.environment
        let (manifest, loginSecrets) = try Self.manifestWithFreshLogins(file, rerun: rerun, environment: environment)
        let plan = Planner().plan(manifest)
        try CommandSupport.checkSessions(rerun, in: plan, option: "--rerun")
        do {
            try plan.requireEverySecret()
        } catch {
            // Nothing ran: a usage problem here (the engine refuses the same way for library callers).
            CommandSupport.report(error, redactor: Redactor())
            throw ExitCode(ExitCodes.usage)
        }
        let redactor = Redactor(secrets: plan.allSecrets + loginSecrets)
        let logger = log.isEnabled ? try log.logger(redactor: redactor) : nil
        let runtime: Runtime
        do {
            runtime = try Adapters.registry.runtime(for: plan, environment: environment, logger: logger ?? .silent)
        } catch {
            CommandSupport.report(error, redactor: redactor)
            throw ExitCode(ExitCodes.failure)
        }
        let options = RunOptions(
            workspace: workspace.workspace, parallelism: parallelism, keep: keep, waitForSessions: wait, replace: replace,
            pollInterval: .milliseconds(Int(pollInterval * 1000)),
            destroyCommand: CommandSupport.destroyCommand(file: file, workspace: workspace.workspace), rerun: Set(rerun),
            lockTimeout: .milliseconds(Int(lockTimeout * 1000)))
        let sink = EventSinks.make(output: output, redactor: redactor, logger: logger)
        let engine = RunEngine(plan: plan, runtime: runtime, options: options, sink: sink, redactor: redactor)
        // Last, just before the run: a login handed over to a machine loses its local refresh token.
        try Self.handOver(manifest, workspace: workspace.workspace, environment: environment, redactor: redactor)
        early.forward { signal in engine.interrupt(signal: signal) }
        let outcome = AsyncBridge.run { await engine.run() }
        withExtendedLifetime(early) {}
        // In text mode the run's own error line already said it; JSON consumers get the readable block on stderr.
        if !outcome.configDifferences.isEmpty && output == .json {
            Console.err(
                "error[\(ErrorCode.Orchestration.configChanged)]: \(plan.name) (workspace \(workspace.workspace)) was applied with another config. Differences:\n"
                    + outcome.configDifferences.map { "  " + redactor.redact($0) + "\n" }.joined()
                    + "Run `runjob apply --replace` to replace its instances, or `runjob destroy` first.\n")
        }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }

    /// Marks the logins `manifest` hands over to a machine (under the refresh lock, checking
    /// they did not change since the manifest read them); exit 2 when one did.
    static func handOver(_ manifest: Manifest, workspace: String, environment: [String: String], redactor: Redactor) throws {
        guard manifest.logins.contains(where: { $0.handoverMachine != nil }) else { return }
        let result = AsyncBridge.run { () async -> Result<Void, any Error> in
            do {
                return .success(try await Logins.handOver(manifest, workspace: workspace, environment: environment))
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let error) = result {
            CommandSupport.report(error, redactor: redactor)
            throw ExitCode(ExitCodes.usage)
        }
    }

    /// The manifest, after making every login it uses (`${auth:…}`) valid for its minimum
    /// validity, read again when that refreshed one; and the logins' tokens for redactors. Everything that can refuse without
    /// the network (an invalid manifest, a missing variable, an unknown `--rerun`) refuses
    /// first. A login that is missing or cannot be refreshed stops apply here, before
    /// anything boots: exit 2 when the user has to log in, 1 when the token endpoint failed.
    static func manifestWithFreshLogins(_ file: String, rerun: [String], environment: [String: String]) throws -> (Manifest, [Secret]) {
        let input = ManifestInput(argument: file)
        let bytes: [UInt8]
        switch input.readBytes(limit: YAMLLimits.default.maxBytes) {
        case .failure:
            return (try CommandSupport.loadManifest(file), [])  // prints the error, exits 2
        case .success(let read): bytes = read
        }
        guard case .success(let first) = input.load(bytes: bytes, strict: false) else {
            return (try CommandSupport.loadManifest(input, bytes: bytes), [])  // prints the errors, exits 2
        }
        guard !first.logins.isEmpty else {
            CommandSupport.printWarnings(first)
            return (first, [])
        }
        let draft = Planner().plan(first)
        try CommandSupport.checkSessions(rerun, in: draft, option: "--rerun")
        if first.unresolvedSources.contains(where: { $0.kind != .auth }) {
            CommandSupport.printWarnings(first)
            do {
                try draft.requireEverySecret()
            } catch {
                CommandSupport.report(error, redactor: Redactor(secrets: draft.allSecrets))
                throw ExitCode(ExitCodes.usage)
            }
        }
        let prepared = AsyncBridge.run { () async -> Result<[Secret], any Error> in
            do {
                return .success(try await Logins.prepare(first, environment: environment))
            } catch {
                return .failure(error)
            }
        }
        switch prepared {
        case .success(let secrets):
            // Read again with the fresh login (prints its warnings, or its errors and exits 2).
            return (try CommandSupport.loadManifest(input, bytes: bytes), secrets)
        case .failure(let error):
            CommandSupport.report(error, redactor: Redactor(secrets: draft.allSecrets + Logins.secrets(of: first, environment: environment)))
            let code = (error as? any RunjobError)?.code
            let needsLogin = [
                ErrorCode.Auth.notLoggedIn, ErrorCode.Auth.handedOver, ErrorCode.Auth.invalidGrant, ErrorCode.Auth.cannotRefresh,
                ErrorCode.Auth.storeUnreadable, ErrorCode.Auth.misconfigured, ErrorCode.Auth.loginChanged,
            ]
            throw ExitCode(code.map(needsLogin.contains) == true ? ExitCodes.usage : ExitCodes.failure)
        }
    }
}

/// `--output` of apply.
enum EventOutput: String, ExpressibleByArgument, CaseIterable {
    case json, text
}
