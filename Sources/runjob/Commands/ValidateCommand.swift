import ArgumentParser
import RunjobKit

/// `runjob validate FILE...`
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check manifests and report every problem with file:line:col.",
        discussion: """
            Exit 0 when every file is valid (warnings are printed, not failures), else 2.
            Missing environment variables and files are fine unless --strict.
            With --format json or github the report goes to stdout; text goes to stderr.

            Examples:
              runjob validate job.yaml
              runjob validate --strict job.yaml
              runjob validate --format github examples/manifests/*.yaml
              cat job.yaml | runjob validate -
            """)

    @Argument(help: "Manifest files (`-` reads stdin).")
    var files: [String]

    @Option(help: "Report format: text, json or github.")
    var format: DiagnosticFormat = .text

    @Flag(help: "Treat unset variables and missing files in ${env:…}/${file:…} as errors.")
    var strict = false

    func validate() throws {
        if let problem = Self.problem(files: files) { throw ValidationError(problem) }
    }

    func run() throws {
        try Self.run(files: files, format: format, strict: strict)
    }

    /// Why `files` cannot be validated, or `nil` when they can.
    static func problem(files: [String]) -> String? {
        if files.isEmpty { return "Name at least one manifest file (or - for stdin)." }
        if files.filter({ $0 == "-" }).count > 1 { return "stdin (-) can be named only once." }
        return nil
    }

    /// Validates `files` and reports in `format`; throws exit 2 when any is invalid.
    static func run(files: [String], format: DiagnosticFormat, strict: Bool) throws {
        var diagnostics: [ManifestDiagnostic] = []
        var failed = false
        var summaries: [String] = []
        for file in files {
            let input = ManifestInput(argument: file)
            switch input.load(strict: strict) {
            case .success(let manifest):
                diagnostics += manifest.warnings
                summaries.append(
                    "\(input.displayName): valid (\(manifest.machines.count) machine\(manifest.machines.count == 1 ? "" : "s"), \(manifest.sessions.count) session\(manifest.sessions.count == 1 ? "" : "s")\(manifest.warnings.isEmpty ? "" : ", \(manifest.warnings.count) warning\(manifest.warnings.count == 1 ? "" : "s")"))"
                )
            case .failure(let error):
                failed = true
                diagnostics += error.diagnostics
            }
        }
        switch format {
        case .text:
            Console.err(DiagnosticRenderer(format: .text, useColor: Console.useColor(fileDescriptor: 2)).render(diagnostics))
            for summary in summaries { Console.err(summary + "\n") }
        case .json, .github:
            Console.out(DiagnosticRenderer(format: format).render(diagnostics))
        }
        if failed { throw ExitCode(ExitCodes.usage) }
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}
