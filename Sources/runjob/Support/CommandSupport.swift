import ArgumentParser
import Foundation
import RunjobKit

/// Steps several commands share.
enum CommandSupport {
    /// The exact command that destroys the deployment of `file` in `workspace`.
    static func destroyCommand(file: String, workspace: String) -> String {
        var words = ["runjob", "destroy", file]
        if workspace != "default" { words += ["--workspace", workspace] }
        return ShellQuoting.join(words + ["--yes"])
    }

    /// The runtime for `plan` (logging through `log` when it asks for a log), or exit 1 with the adapter's error.
    static func runtime(for plan: Plan, redactor: Redactor, preview: Bool = false, log: LogOptions? = nil) throws -> Runtime {
        do {
            let logger = try log.flatMap { $0.isEnabled ? try $0.logger(redactor: redactor) : nil } ?? .silent
            let runtime = try Adapters.registry.runtime(
                for: plan, environment: ProcessInfo.processInfo.environment, preview: preview, logger: logger)
            for secret in runtime.secrets { redactor.add(secret) }
            return runtime
        } catch {
            report(error, redactor: redactor)
            throw ExitCode(ExitCodes.failure)
        }
    }

    /// Prints a runtime error on stderr, the one way every command does (``RuntimeErrorRenderer``);
    /// inside GitHub Actions also as a workflow annotation.
    static func report(_ error: any Error, redactor: Redactor) {
        Console.err(RuntimeErrorRenderer(format: .text).render(error, redactor: redactor))
        if ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true" {
            Console.err(RuntimeErrorRenderer(format: .github).render(error, redactor: redactor))
        }
    }

    /// The value of an async result, or exit 1 after printing the (redacted) error.
    @discardableResult
    static func unwrap<T>(_ result: Result<T, any Error>, redactor: Redactor) throws -> T {
        switch result {
        case .success(let value): return value
        case .failure(let error):
            report(error, redactor: redactor)
            throw ExitCode(ExitCodes.failure)
        }
    }

    /// Exits 2 (with "did you mean") when a session named by `option` is not in the manifest.
    static func checkSessions(_ names: some Collection<String>, in plan: Plan, option: String) throws {
        let known = plan.sessions.map(\.name)
        for name in names.sorted() where plan.session(name) == nil {
            let hint = Suggestions.closest(to: name, among: known).map { "; did you mean `\($0)`?" } ?? ""
            Console.err(
                "error[\(ErrorCode.CLI.usage)]: \(option) \(name): \(plan.name) has no session `\(name)` (sessions: \(known.joined(separator: ", ")))\(hint)\n")
            throw ExitCode(ExitCodes.usage)
        }
    }

    /// Loads `file` (non-strict), prints warnings or errors to stderr, and plans it.
    /// Throws exit code 2 when the manifest is invalid.
    static func loadPlan(_ file: String, strict: Bool = false) throws -> Plan {
        Planner().plan(try loadManifest(file, strict: strict))
    }

    /// Loads `file` (non-strict) and prints its warnings or errors to stderr; throws exit
    /// code 2 when the manifest is invalid.
    static func loadManifest(_ file: String, strict: Bool = false) throws -> Manifest {
        let input = ManifestInput(argument: file)
        switch input.readBytes(limit: YAMLLimits.default.maxBytes) {
        case .failure(let error): throw printed(error)
        case .success(let bytes): return try loadManifest(input, bytes: bytes, strict: strict)
        }
    }

    /// Loads a manifest from bytes already read, printing its warnings or errors.
    static func loadManifest(_ input: ManifestInput, bytes: [UInt8], strict: Bool = false) throws -> Manifest {
        switch input.load(bytes: bytes, strict: strict) {
        case .failure(let error): throw printed(error)
        case .success(let manifest):
            printWarnings(manifest)
            return manifest
        }
    }

    /// Prints a loaded manifest's warnings on stderr.
    static func printWarnings(_ manifest: Manifest) {
        let renderer = DiagnosticRenderer(format: .text, useColor: Console.useColor(fileDescriptor: 2))
        Console.err(renderer.render(manifest.warnings))
    }

    private static func printed(_ error: ManifestError) -> ExitCode {
        let renderer = DiagnosticRenderer(format: .text, useColor: Console.useColor(fileDescriptor: 2))
        Console.err(renderer.render(error.diagnostics))
        return ExitCode(ExitCodes.usage)
    }
}
