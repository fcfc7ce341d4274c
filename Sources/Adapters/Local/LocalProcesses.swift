import Executor
import Foundation

/// What identifies the processes of one instance.
struct LocalInstanceScope: Sendable {
    /// `RUNJOB_INSTANCE=<id>`, in the environment of everything the instance started.
    var marker: String
    /// The instance's folder(s), as given and with links resolved: a working directory below one marks a process.
    var folders: [String]
    /// Session leaders recorded on the instance (`~/.runjob/*/*.pid`, written by the session wrapper).
    var recordedLeaders: Set<Int32>
}

/// Finds and stops the processes of a local instance: those that carry its marker
/// or work inside its folder, every process in the session or process group of one
/// of those or of a recorded session leader, and every descendant of all these.
enum LocalProcesses {
    /// In the instance folder: one pid a line, of each exec whose session still had
    /// processes when the exec ended (each exec's bash leads its own session).
    static let execLeadersFile = "exec-leaders"

    /// Notes `pid` (an exec's session leader that just ended) in `folder`'s ``execLeadersFile``
    /// when processes are left in its group; best effort (the folder may be going away).
    static func noteLeftovers(of pid: Int32, folder: String) {
        guard kill(-pid, 0) == 0 else { return }
        let descriptor = open(folder + "/" + execLeadersFile, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        try? LocalFileSystem.writeAll(Array("\(pid)\n".utf8), to: descriptor)
    }

    /// The pids that belong to `scope` in `table`, leaving out `protected` (this process and its ancestors).
    ///
    /// A session or group id counts when its leader is alive and marked, or is dead and
    /// was recorded (its orphans keep its id, and the kernel does not reuse a pid while a
    /// session or group holds it). A recorded pid that is alive but unmarked was reused by
    /// an unrelated process: it is never used.
    static func members(of scope: LocalInstanceScope, in table: [Int32: LocalProcess], protected: Set<Int32>) -> Set<Int32> {
        let ownGroups: Set<Int32> = [getpgrp(), getsid(0)]
        let marked = table.values.filter(\.marked)
        var candidates = scope.recordedLeaders
        for process in marked {
            candidates.insert(process.session)
            candidates.insert(process.group)
        }
        let leaders = candidates.filter { id in
            guard id > 1, !ownGroups.contains(id), !protected.contains(id) else { return false }
            if let leader = table[id] { return leader.marked }
            return scope.recordedLeaders.contains(id)
        }
        var members = Set(marked.map(\.pid))
        for process in table.values where leaders.contains(process.session) || leaders.contains(process.group) {
            members.insert(process.pid)
        }
        // Descendants (a process that left the session and dropped the marker still has its parent).
        var children: [Int32: [Int32]] = [:]
        for process in table.values { children[process.parent, default: []].append(process.pid) }
        var queue = Array(members)
        while let pid = queue.popLast() {
            for child in children[pid] ?? [] where members.insert(child).inserted { queue.append(child) }
        }
        return members.subtracting(protected).filter { $0 > 1 }
    }

    /// Sends TERM to every process of the instance, waits up to `grace` for them to go,
    /// then KILLs what is left (and whatever started meanwhile) and waits for that too.
    static func terminateAll(_ scope: LocalInstanceScope, grace: Duration = .seconds(2)) async {
        let protected = LocalProcessTable.ownLine()
        func current() async -> Set<Int32> {
            members(of: scope, in: await LocalProcessTable.snapshot(marker: scope.marker, folders: scope.folders), protected: protected)
        }
        var signalled: Set<Int32> = []
        for signal in [SIGTERM, SIGKILL] {
            let deadline = ContinuousClock.now + (signal == SIGTERM ? grace : .seconds(2))
            while true {
                let alive = await current()
                if alive.isEmpty { return }
                // TERM once each; KILL on every pass (children forked since the last one).
                for pid in alive where signal == SIGKILL || signalled.insert(pid).inserted { kill(pid, signal) }
                if ContinuousClock.now >= deadline { break }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// The session leaders recorded for the instance in `folder`: the pids in
    /// `home/.runjob/*/*.pid` (the session wrapper writes `$$` there and runs under setsid)
    /// and those in ``execLeadersFile`` (execs that left processes in their session).
    static func recordedLeaders(folder: String) -> Set<Int32> {
        let home = folder + "/home"
        var leaders: Set<Int32> = []
        if case .bytes(let bytes) = LocalFileSystem.readRegular(folder + "/" + execLeadersFile, limit: 1 << 20, followLinks: false) {
            for line in bytes.split(separator: UInt8(ascii: "\n")) {
                if let pid = Int32(String(decoding: line, as: UTF8.self)), pid > 1 { leaders.insert(pid) }
            }
        }
        let base = home + "/.runjob"
        for run in names(in: base) where !run.hasPrefix(".") {
            for file in names(in: base + "/" + run) where file.hasSuffix(".pid") {
                guard case .bytes(let bytes) = LocalFileSystem.readRegular(base + "/" + run + "/" + file, limit: 64, followLinks: false),
                    let pid = Int32(String(decoding: bytes, as: UTF8.self).trimmingASCIIWhitespace()), pid > 1
                else { continue }
                leaders.insert(pid)
            }
        }
        return leaders
    }

    private static func names(in folder: String) -> [String] {
        (try? LocalFileSystem.names(in: folder, followLinks: false)) ?? []
    }
}
