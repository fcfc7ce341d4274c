import ArgumentParser
import Foundation

/// The `runjob` command line: wiring only; the work happens in the libraries.
@main
struct Runjob: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "runjob",
        abstract: "Run coding agents on remote VMs from declarative YAML manifests.",
        discussion: """
            A manifest declares machines, credential profiles and sessions. `plan` shows
            what would happen without side effects; `validate` checks manifests in CI.

            Examples:
              runjob validate examples/manifests/*.yaml
              runjob plan examples/manifests/local.yaml
              runjob plan --output markdown job.yaml > plan.md
              runjob graph --format mermaid job.yaml
              runjob schema > manifest.schema.json

            Exit codes: 0 success, 1 a step failed or runtime error, 2 usage or
            manifest error (nothing was executed), 130 interrupted.
            """,
        version: "runjob \(version)",
        subcommands: [
            ValidateCommand.self, PlanCommand.self, ApplyCommand.self, StatusCommand.self, LogsCommand.self, DestroyCommand.self,
            GraphCommand.self, SchemaCommand.self, AuthCommand.self,
        ]
    )

    /// Parses the arguments, runs the command, and exits with runjob's codes:
    /// argument-parser's usage error (64) is mapped to 2 here, in one place.
    /// `main` is synchronous so that commands without async work never start the
    /// concurrency runtime; commands that need it bridge with ``AsyncBridge``.
    static func main() {
        signal(SIGPIPE, SIG_IGN)
        let arguments = Array(CommandLine.arguments.dropFirst())
        // apply cleans up after Ctrl-C or SIGTERM: take the signals before anything else happens.
        if arguments.first == "apply" { _ = EarlyInterrupts.process }
        let code: Int32
        do {
            if let fast = FastPath(arguments) {
                // The common CI commands skip argument-parser's reflection (see FastPath).
                try fast.run()
            } else {
                var command = try parseAsRoot(arguments)
                try command.run()
            }
            code = ExitCodes.success
        } catch {
            let exitCode = exitCode(for: error)
            let message = fullMessage(for: error)
            if exitCode == .success {
                if !message.isEmpty { Console.out(message + "\n") }
            } else if !message.isEmpty {
                Console.err(message + "\n")
            }
            code = ExitCodes.map(exitCode)
        }
        Foundation.exit(code)
    }
}
