import ArgumentParser
import Foundation
import RunjobKit

/// The formats of `plan --output`.
enum PlanOutput: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown
}

/// `runjob plan FILE`
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would do, without side effects.",
        discussion: """
            Prints what will be booted, installed and started, in which order, and what
            apply would change in the workspace: "no changes", "will create", "will
            update", "will replace" (read from the provider, read-only; "unknown" when
            it cannot be asked). Works without secrets (pull-request CI): a missing
            variable or file is shown as <secret env:NAME (unset)> and the plan is
            marked partial. `--output json` prints a versioned document: the same
            manifest and workspace state give the same bytes in every run.

            With --detailed-exitcode: 0 no changes, 2 changes, 1 error (manifest
            errors too; also when the provider cannot be asked).

            Examples:
              runjob plan job.yaml
              runjob plan --output json job.yaml | jq .summary
              runjob plan --output markdown job.yaml >> "$GITHUB_STEP_SUMMARY"
              runjob plan --detailed-exitcode job.yaml || echo "changes pending"
            """)

    @Argument(help: "The manifest (`-` reads stdin).")
    var file: String

    @OptionGroup var workspace: WorkspaceOptions

    @Option(help: "Output format: text, json or markdown.")
    var output: PlanOutput = .text

    @Flag(help: "Exit 0 when apply would change nothing, 2 when it would, 1 on errors.")
    var detailedExitcode = false

    @Option(name: .customLong("rerun"), help: ArgumentHelp("Show the plan as if `apply --rerun SESSION` ran it again (repeatable).", valueName: "SESSION"))
    var rerun: [String] = []

    func run() throws {
        try Self.run(file: file, workspace: workspace.workspace, output: output, detailedExitcode: detailedExitcode, rerun: Set(rerun))
    }

    /// Prints the plan of `file` for `workspace` in `output`; never returns normally
    /// (exits through `Console.exitNow` once everything is written).
    static func run(file: String, workspace: String, output: PlanOutput, detailedExitcode: Bool, rerun: Set<String> = []) throws {
        let plan: Plan
        do {
            plan = try CommandSupport.loadPlan(file)
        } catch let exit as ExitCode where detailedExitcode {
            throw exit == ExitCode(ExitCodes.usage) ? ExitCode(ExitCodes.failure) : exit
        }
        try CommandSupport.checkSessions(rerun, in: plan, option: "--rerun")
        let changes = Self.changes(for: plan, workspace: workspace, rerun: rerun)
        switch output {
        case .text:
            let notes = Adapters.registry.provider(plan.provider.kind)?.planNotes(plan.provider, plan.machines) ?? []
            Console.out(PlanTextRenderer(useColor: Console.useColor(fileDescriptor: 1)).render(plan, changes: changes, notes: notes))
        case .json: PlanJSONRenderer().write(plan, changes: changes) { Console.out($0) }
        case .markdown: Console.out(PlanMarkdownRenderer().render(plan, changes: changes))
        }
        var code = ExitCodes.success
        if detailedExitcode {
            switch changes.summary {
            case .noChanges?: code = ExitCodes.success
            case .some: code = 2
            case nil: code = ExitCodes.failure
            }
        }
        // Everything is written: leave without tearing down a plan that may hold 20 000 steps.
        Console.exitNow(code)
    }

    /// What apply would change, read from the provider (read-only), or why that is unknown.
    static func changes(for plan: Plan, workspace: String, rerun: Set<String> = []) -> ChangeReport {
        let redactor = Redactor(secrets: plan.allSecrets)
        let runtime: Runtime
        do {
            runtime = try Adapters.registry.runtime(for: plan, environment: ProcessInfo.processInfo.environment, preview: true)
            for secret in runtime.secrets { redactor.add(secret) }
        } catch {
            return ChangeReport(workspace: workspace, unavailable: redactor.redact((error as? any RunjobError)?.message ?? "\(error)"))
        }
        defer { AsyncBridge.run { await runtime.provider.release() } }
        return AsyncBridge.run {
            do {
                let deployment = try await Deployment.discover(
                    plan: plan, workspace: workspace, provider: runtime.provider, processManager: runtime.processManager)
                return ChangeReport(workspace: workspace, summary: deployment.summary(for: plan, agents: runtime.agents, rerun: rerun))
            } catch {
                return ChangeReport(workspace: workspace, unavailable: redactor.redact((error as? any RunjobError)?.message ?? "\(error)"))
            }
        }
    }
}
