import ArgumentParser
import Executor
import Manifest
import Planner

/// Steps several commands share.
enum CommandSupport {
    /// Loads `file` (non-strict), prints warnings or errors to stderr, and plans it.
    /// Throws exit code 2 when the manifest is invalid.
    static func loadPlan(_ file: String, strict: Bool = false) throws -> Plan {
        let renderer = DiagnosticRenderer(format: .text, useColor: Console.useColor(fileDescriptor: 2))
        switch ManifestInput(argument: file).load(strict: strict) {
        case .failure(let error):
            Console.err(renderer.render(error.diagnostics))
            throw ExitCode(ExitCodes.usage)
        case .success(let manifest):
            Console.err(renderer.render(manifest.warnings))
            return Planner().plan(manifest)
        }
    }
}
