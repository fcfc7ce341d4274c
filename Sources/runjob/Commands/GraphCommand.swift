import ArgumentParser
import RunjobKit

extension GraphFormat: ExpressibleByArgument {}

/// `runjob graph FILE`
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the plan's step graph as Graphviz DOT or Mermaid.",
        discussion: """
            Examples:
              runjob graph job.yaml | dot -Tsvg > plan.svg
              runjob graph --format mermaid job.yaml
            """)

    @Argument(help: "The manifest (`-` reads stdin).")
    var file: String

    @Option(help: "Graph format: dot or mermaid.")
    var format: GraphFormat = .dot

    func run() throws {
        let plan = try CommandSupport.loadPlan(file)
        Console.out(GraphRenderer(format: format).render(plan))
    }
}
