import ArgumentParser
import Executor
import Manifest
import Planner

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
            Prints what will be booted, installed and started, in which order. Works
            without secrets (pull-request CI): a missing variable or file is shown as
            <secret env:NAME (unset)> and the plan is marked partial.
            `--output json` prints a versioned document: the same manifest gives the
            same bytes in every run.

            Examples:
              runjob plan job.yaml
              runjob plan --output json job.yaml | jq .summary
              runjob plan --output markdown job.yaml >> "$GITHUB_STEP_SUMMARY"
            """)

    @Argument(help: "The manifest (`-` reads stdin).")
    var file: String

    @Option(help: "Output format: text, json or markdown.")
    var output: PlanOutput = .text

    func run() throws {
        let plan = try CommandSupport.loadPlan(file)
        switch output {
        case .text: Console.out(PlanTextRenderer(useColor: Console.useColor(fileDescriptor: 1)).render(plan))
        case .json: PlanJSONRenderer().write(plan) { Console.out($0) }
        case .markdown: Console.out(PlanMarkdownRenderer().render(plan))
        }
        // Everything is written: leave without tearing down a plan that may hold 20 000 steps.
        Console.exitNow(ExitCodes.success)
    }
}
