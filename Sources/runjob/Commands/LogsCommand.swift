import ArgumentParser
import Executor
import Foundation

/// `runjob logs FILE [SESSION]`
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Show a session's output (its stdout here, its stderr on stderr), redacted.",
        discussion: """
            Without SESSION: every started session, one after the other.
            --follow keeps printing new output until the session ends (or Ctrl-C).

            Examples:
              runjob logs job.yaml review
              runjob logs --tail 50 job.yaml
              runjob logs --follow job.yaml review
            """)

    @Argument(help: "The manifest (`-` reads stdin).")
    var file: String

    @Argument(help: "The session (default: all sessions).")
    var session: String?

    @OptionGroup var workspace: WorkspaceOptions

    @Option(help: "Only the last N lines of each stream.")
    var tail: Int?

    @Flag(help: "Keep printing new output until the session ends.")
    var follow = false

    @Option(help: "How often to look for new output when following (seconds).")
    var interval: Double = 0.5

    func validate() throws {
        if let tail, tail < 0 { throw ValidationError("--tail must not be negative") }
        if follow && session == nil { throw ValidationError("--follow needs a SESSION") }
        if interval <= 0 { throw ValidationError("--interval must be positive") }
    }

    func run() throws {
        let plan = try CommandSupport.loadPlan(file)
        let redactor = Redactor(secrets: plan.allSecrets)
        let runtime = try CommandSupport.runtime(for: plan, redactor: redactor)
        let names = session.map { [$0] } ?? plan.sessions.map(\.name)
        let workspace = workspace.workspace
        let tail = tail
        let follow = follow
        let interval = Duration.milliseconds(Int(interval * 1000))
        let showHeaders = session == nil
        let result = AsyncBridge.run { () -> Result<Void, any Error> in
            do {
                for name in names {
                    if showHeaders { Console.out("==> \(name) <==\n") }
                    let located: (target: ProcessTarget, process: String)
                    do {
                        located = try await DeploymentStatus.locateSession(name, plan: plan, workspace: workspace, runtime: runtime)
                    } catch let error as OrchestrationError where showHeaders && error.code == ErrorCode.Orchestration.sessionNotFound {
                        Console.out("(not started)\n")
                        continue
                    }
                    try await LogFollower(
                        manager: runtime.processManager, target: located.target, process: located.process, redactor: redactor
                    ).run(tail: tail, follow: follow, interval: interval)
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try CommandSupport.unwrap(result, redactor: redactor)
    }
}

/// Prints a session's stdout and stderr, redacted across chunk boundaries, and
/// optionally follows them until the process ends.
struct LogFollower {
    let manager: any ProcessManager
    let target: ProcessTarget
    let process: String
    let redactor: Redactor

    func run(tail: Int?, follow: Bool, interval: Duration) async throws {
        var out = StreamRedactor(redactor: redactor)
        var err = StreamRedactor(redactor: redactor)
        var first = try await manager.logs(process, stream: .stdout, on: target, from: nil, tail: tail)
        var firstErr = try await manager.logs(process, stream: .stderr, on: target, from: nil, tail: tail)
        Console.out(out.feed(first.bytes))
        Console.err(String(decoding: err.feed(firstErr.bytes), as: UTF8.self))
        while follow {
            let info = try await manager.status(process, on: target)
            try await Task.sleep(for: interval)
            first = try await manager.logs(process, stream: .stdout, on: target, from: first.nextOffset, tail: nil).continuing(from: first)
            firstErr = try await manager.logs(process, stream: .stderr, on: target, from: firstErr.nextOffset, tail: nil).continuing(from: firstErr)
            Console.out(out.feed(first.bytes))
            Console.err(String(decoding: err.feed(firstErr.bytes), as: UTF8.self))
            if info?.isFinished ?? true { break }
        }
        Console.out(out.finish())
        Console.err(String(decoding: err.finish(), as: UTF8.self))
    }
}

extension LogChunk {
    /// This chunk; kept for symmetry when following (the offset moves on).
    func continuing(from previous: LogChunk) -> LogChunk { self }
}
