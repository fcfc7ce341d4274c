import ArgumentParser
import Foundation
import RunjobKit

/// `runjob status FILE`
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the manifest's instances and sessions: state, pids, exit codes.",
        discussion: """
            Finds the instances by their labels (any machine can ask); changes nothing.

            Examples:
              runjob status job.yaml
              runjob status --output json --workspace ci-42 job.yaml
            """)

    @Argument(help: "The manifest (`-` reads stdin).")
    var file: String

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var log: LogOptions

    @Option(help: "Output: text or json.")
    var output: StatusOutput = .text

    func run() throws {
        let plan = try CommandSupport.loadPlan(file)
        let redactor = Redactor(secrets: plan.allSecrets)
        let runtime = try CommandSupport.runtime(for: plan, redactor: redactor, preview: true, log: log)
        defer { AsyncBridge.run { await runtime.provider.release() } }
        let workspace = workspace.workspace
        let result = AsyncBridge.run { () -> Result<DeploymentStatus, any Error> in
            do { return .success(try await DeploymentStatus.collect(plan: plan, workspace: workspace, runtime: runtime)) } catch {
                return .failure(error)
            }
        }
        let status = try CommandSupport.unwrap(result, redactor: redactor)
        for secret in status.resourceSecrets { redactor.add(secret) }
        switch output {
        case .json: Console.out(redactor.redact(status.json).prettyText + "\n")
        case .text: Console.out(redactor.redact(Self.text(status)))
        }
    }

    static func text(_ status: DeploymentStatus) -> String {
        var lines = ["\(status.name) (workspace \(status.workspace)): \(status.change.sentence)"]
        for note in status.change.notes { lines.append("  note: \(note)") }
        for machine in status.machines {
            guard let instance = machine.instance else {
                lines.append("  machine \(machine.name): no instance")
                continue
            }
            var line = "  machine \(machine.name): \(instance.id) \(instance.status.rawValue)"
            if !machine.configMatches && machine.problem == nil { line += " (booted for another config)" }
            if let problem = machine.problem { line += " (\(problem))" }
            lines.append(line)
            for duplicate in machine.duplicates {
                lines.append("    also \(duplicate.id) \(duplicate.status.rawValue): a second instance left by two boots that raced; apply removes it")
            }
            for session in machine.sessions {
                var text = "    session \(session.name): " + session.state
                if let process = session.process {
                    if let code = process.exitCode { text += " (exit \(code))" } else if process.isFinished { text += " (exit unknown)" }
                    if let pid = process.pid, process.status == .running { text += " pid \(pid)" }
                }
                if session.recordDamaged { text += " · record damaged" }
                if let result = session.result { text += " · " + Self.describe(result) }
                if let run = session.process?.run ?? session.record?.run { text += " · run \(run)" }
                lines.append(text)
            }
        }
        for resource in status.resources {
            var line = "  resource \(resource.name)"
            if let kind = resource.kind { line += " (\(kind))" }
            if let id = resource.id {
                line += ": \(id)"
                let outputs = resource.outputs.filter { $0.value != id }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                if !outputs.isEmpty { line += " · " + outputs.joined(separator: ", ") }
            } else {
                line += ": none yet (apply creates it)"
            }
            if !resource.declared { line += " · no longer in the manifest" }
            lines.append(line)
        }
        for other in status.others {
            let machine = other.labels[InstanceLabel.machine].map { "machine \($0), no longer in the manifest" } ?? "no machine"
            lines.append("  other instance \(other.id) \(other.status.rawValue) (\(other.problem ?? machine)): `destroy` removes it")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension StatusCommand {
    /// `agent ok, 3 turns, $0.0123, 4.2 s, session <id>`.
    static func describe(_ result: SessionResult) -> String {
        var parts = [result.isError ? "agent error" : "agent ok"]
        if let turns = result.turns { parts.append(LineText.count(turns, "turn")) }
        if let cost = result.costUSD { parts.append(LineText.dollars(cost)) }
        if let duration = result.durationMilliseconds { parts.append(String(format: "%.1f s", Double(duration) / 1000)) }
        if let session = result.agentSession { parts.append("session \(session)") }
        return parts.joined(separator: ", ")
    }
}

/// `--output` of status.
enum StatusOutput: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
