import Foundation

/// Finds and stops the processes of a local instance: those whose environment
/// carries the instance's marker, or whose working directory is inside its folder.
enum LocalProcesses {
    /// Pids (not this process) with `marker` (`RUNJOB_INSTANCE=<id>`) in their environment or cwd under `folder`.
    static func find(marker: String, folder: String) -> [Int32] {
        let own = getpid()
        let markerBytes = Array(marker.utf8)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var pids: [Int32] = []
        for name in names {
            guard let pid = Int32(name), pid != own else { continue }
            if let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") {
                let entries = environ.split(separator: 0, omittingEmptySubsequences: true)
                if entries.contains(where: { Array($0) == markerBytes }) {
                    pids.append(pid)
                    continue
                }
            }
            if let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"), cwd == folder || cwd.hasPrefix(folder + "/")
            {
                pids.append(pid)
            }
        }
        return pids
    }

    /// Sends TERM to every process of the instance, waits up to two seconds, then KILLs the rest.
    static func terminateAll(marker: String, folder: String) async {
        var pids = find(marker: marker, folder: folder)
        guard !pids.isEmpty else { return }
        for pid in pids { kill(pid, SIGTERM) }
        for _ in 0..<40 {
            pids = pids.filter { isAlive($0) }
            if pids.isEmpty { break }
            try? await Task.sleep(for: .milliseconds(50))
        }
        // Stragglers, and anything started meanwhile.
        for pid in Set(pids + find(marker: marker, folder: folder)) { kill(pid, SIGKILL) }
        for _ in 0..<40 {
            if find(marker: marker, folder: folder).allSatisfy({ !isAlive($0) }) { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Whether `pid` exists and is not a zombie.
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.first != "Z"
    }
}
