import ArgumentParser
import Foundation
import RunjobKit

/// `runjob logs FILE [SESSION]`
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Show a session's output (its stdout here, its stderr on stderr), redacted.",
        discussion: """
            Without SESSION: every started session, one after the other.
            --follow keeps printing new output until the session ends (or Ctrl-C).
            Agent sessions (claude, codex) are shown readably: the assistant's text,
            one line per tool call, and the result; --raw shows their stream as is.

            Examples:
              runjob logs job.yaml review
              runjob logs --tail 50 job.yaml
              runjob logs --follow job.yaml review
              runjob logs --raw job.yaml review | jq .
            """)

    @Argument(help: "The manifest (`-` reads stdin).")
    var file: String

    @Argument(help: "The session (default: all sessions).")
    var session: String?

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var log: LogOptions

    // Unconditional, so that `--tail -1` reaches validate() and gets a clear message.
    @Option(parsing: .unconditional, help: "Only the last N lines of each stream.")
    var tail: Int?

    @Flag(help: "Keep printing new output until the session ends.")
    var follow = false

    @Option(help: "How often to look for new output when following (seconds).")
    var interval: Double = 0.5

    @Flag(help: "Show an agent's output stream as it is (JSON lines), not rendered.")
    var raw = false

    func validate() throws {
        if let tail, tail < 0 { throw ValidationError("--tail must not be negative") }
        if follow && session == nil { throw ValidationError("--follow needs a SESSION") }
        if interval <= 0 { throw ValidationError("--interval must be positive") }
    }

    func run() throws {
        let plan = try CommandSupport.loadPlan(file)
        if let session, plan.session(session) == nil {
            let names = plan.sessions.map(\.name)
            let hint = Suggestions.closest(to: session, among: names).map { "; did you mean `\($0)`?" } ?? ""
            Console.err(
                "error[\(ErrorCode.CLI.usage)]: \(plan.name) has no session `\(session)` (sessions: \(names.joined(separator: ", ")))\(hint)\n")
            throw ExitCode(ExitCodes.usage)
        }
        let redactor = Redactor(secrets: plan.allSecrets)
        let runtime = try CommandSupport.runtime(for: plan, redactor: redactor, preview: !follow, log: log)
        defer { AsyncBridge.run { await runtime.provider.release() } }
        let names = session.map { [$0] } ?? plan.sessions.map(\.name)
        let workspace = workspace.workspace
        let tail = tail
        let follow = follow
        let interval = Duration.milliseconds(Int(interval * 1000))
        let showHeaders = session == nil
        let raw = raw
        let result = AsyncBridge.run { () -> Result<Void, any Error> in
            do {
                // One look at the deployment for every session: logs of N sessions cost N reads, not N discoveries.
                let deployment = try await Deployment.discover(
                    plan: plan, workspace: workspace, provider: runtime.provider, processManager: runtime.processManager)
                // A session may print a resource's token: mask those too, before any output.
                for secret in await Teardown.resourceSecrets(
                    plan: plan, instances: deployment.existingInstances, provider: runtime.provider, adapters: runtime.resources)
                {
                    redactor.add(secret)
                }
                // Every session's first chunk, one batch read per instance (not one read per stream).
                var prefetched: [String: (out: LogChunk, err: LogChunk)] = [:]
                if names.count > 1 && !follow && tail == nil {
                    var byInstance: [String: (target: ProcessTarget, sessions: [(name: String, process: String, run: String)])] = [:]
                    for name in names {
                        guard let located = try? DeploymentStatus.locateSession(name, plan: plan, deployment: deployment, runtime: runtime) else { continue }
                        byInstance[located.target.instance, default: (located.target, [])].sessions.append((name, located.process, located.target.run))
                    }
                    for (_, group) in byInstance {
                        let items = group.sessions.flatMap { session in
                            [LogBatchItem(name: session.process, stream: .stdout, run: session.run), LogBatchItem(name: session.process, stream: .stderr, run: session.run)]
                        }
                        let chunks = try await runtime.processManager.logs(of: items, on: group.target, limit: LogFollower.chunkLimit / 8)
                        for (index, session) in group.sessions.enumerated() { prefetched[session.name] = (chunks[2 * index], chunks[2 * index + 1]) }
                    }
                }
                for name in names {
                    // Locate first, so that a missing instance is one error, not a header and an error.
                    let located: (target: ProcessTarget, process: String)
                    do {
                        located = try DeploymentStatus.locateSession(name, plan: plan, deployment: deployment, runtime: runtime)
                    } catch let error as OrchestrationError where showHeaders && error.code == ErrorCode.Orchestration.sessionNotFound {
                        Console.out("==> \(name) <==\n(not started)\n")
                        continue
                    }
                    if showHeaders { Console.out("==> \(name) <==\n") }
                    var render: (@Sendable ([UInt8]) -> String?)?
                    if !raw, let kind = plan.session(name)?.agentKind, let agent = runtime.agents[kind] {
                        render = { bytes in agent.render(output: bytes, redactor: redactor) }
                    }
                    let wrote = try await LogFollower(
                        manager: runtime.processManager, target: located.target, process: located.process, redactor: redactor, render: render,
                        prefetched: prefetched[name]
                    ).run(tail: tail, follow: follow, interval: interval)
                    if !wrote {
                        // Say so, rather than print nothing: on stdout under a header, else on stderr.
                        if showHeaders { Console.out("(no output)\n") } else { Console.err("session `\(name)` has written no output\n") }
                    }
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
/// optionally follows them until the process ends. With `render`, stdout is shown
/// through the agent's renderer, complete lines at a time (the renderer redacts every
/// value before it shortens it; its output is redacted once more as a stream).
struct LogFollower {
    let manager: any ProcessManager
    let target: ProcessTarget
    let process: String
    let redactor: Redactor
    var render: (@Sendable ([UInt8]) -> String?)?
    /// The first chunks of stdout and stderr, when a batch read already brought them.
    var prefetched: (out: LogChunk, err: LogChunk)?

    /// Prints the logs; `true` when the session has written anything to either stream
    /// (whatever `tail` left out). Logs of any size stream through in bounded chunks.
    func run(tail: Int?, follow: Bool, interval: Duration) async throws -> Bool {
        // With --tail the streams start after a cut; they always end at one (a session may still
        // be writing): a piece of a secret at either cut is masked too.
        var out = StreamRedactor(redactor: redactor, cutAtStart: tail != nil)
        var err = StreamRedactor(redactor: redactor, cutAtStart: tail != nil)
        var pending: [UInt8] = []
        func show(_ bytes: [UInt8], final: Bool) {
            guard let render else {
                Console.out(out.feed(bytes))
                return
            }
            pending += bytes
            let end = final ? pending.count : (pending.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0)
            guard end > 0 else { return }
            let lines = Array(pending[..<end])
            pending.removeFirst(end)
            Console.out(out.feed(render(lines).map { Array($0.utf8) } ?? lines))
        }
        func showErr(_ bytes: [UInt8]) {
            Console.err(String(decoding: err.feed(bytes), as: UTF8.self))
        }
        /// Reads `stream` from `offset` (or its last `tail` lines) to its current end, chunk by chunk.
        func drain(
            _ stream: LogStream, from offset: Int?, tail: Int?, first: LogChunk? = nil, _ emit: ([UInt8]) -> Void
        ) async throws -> (next: Int, size: Int) {
            var chunk: LogChunk
            if let first {
                chunk = first
            } else {
                chunk = try await manager.logs(process, stream: stream, on: target, from: offset, tail: tail, limit: Self.chunkLimit)
            }
            emit(chunk.bytes)
            while chunk.hasMore {
                let next = try await manager.logs(process, stream: stream, on: target, from: chunk.nextOffset, tail: nil, limit: Self.chunkLimit)
                guard next.nextOffset > chunk.nextOffset else { break }
                emit(next.bytes)
                chunk = next
            }
            return (chunk.nextOffset, chunk.size)
        }
        var (outOffset, outSize) = try await drain(.stdout, from: nil, tail: tail, first: prefetched?.out) { show($0, final: false) }
        var (errOffset, errSize) = try await drain(.stderr, from: nil, tail: tail, first: prefetched?.err, showErr)
        var wrote = outSize > 0 || errSize > 0
        while follow {
            let info = try await manager.status(process, on: target)
            try await Task.sleep(for: interval)
            (outOffset, outSize) = try await drain(.stdout, from: outOffset, tail: nil) { show($0, final: false) }
            (errOffset, errSize) = try await drain(.stderr, from: errOffset, tail: nil, showErr)
            wrote = wrote || outSize > 0 || errSize > 0
            if info?.isFinished ?? true { break }
        }
        show([], final: true)
        Console.out(out.finish(cutAtEnd: true))
        Console.err(String(decoding: err.finish(cutAtEnd: true), as: UTF8.self))
        return wrote
    }

    /// Bytes one read brings at most (the exec output of a provider stays small).
    static let chunkLimit = 4 << 20
}
