import Executor

/// The part of starting a session that every process manager shares, so that a
/// session name has at most one live process per instance whatever happens:
///
/// 1. launches of one session on one instance take turns (a per-session `flock`
///    under `~/.runjob/locks/`, when the instance has `flock`);
/// 2. every run directory is searched for a live process of the session (its pid
///    file, alive, not a zombie, and running that run's wrapper: a reused pid does
///    not count);
/// 3. a live one is adopted (nothing is started) or, when replacing, stopped;
/// 4. runjob's intent records go in place *before* the launch, so no process ever
///    runs without a record (a record without a process is harmless: the next
///    apply sees no process and starts it);
/// 5. the manager's own launch runs.
///
/// Output on stdout: `adopted RUN PID` or `started PID`.
package enum SessionLaunch {
    /// What a start script reported.
    package enum Outcome: Sendable, Equatable {
        /// A live process of the session (in run `run`) was kept.
        case adopted(run: String, pid: Int)
        /// A new process was started in the target's run.
        case started(pid: Int)
    }

    /// How long a launch waits for another launch of the same session (seconds).
    static let lockSeconds = 120

    /// The bash for steps 1–4 (and the stop of step 3 through `stop`, which may use
    /// `$live_run`, `$live_pid` and `$live_dir`), to run before the manager's launch.
    /// Needs ``FileInstallScript``'s intent function in scope.
    package static func prelude(name: String, target: ProcessTarget, ifRunning: ExistingSession, stop: String) -> String {
        let q = ShellQuoting.quote
        var lines = [
            "rj=\(q(target.runjobDirectory)); n=\(q(name))",
            // A provider that logs what runjob creates (the ssh provider's `home: user`) learns about this folder too.
            "[ -z \"${\(FileInstallScript.fileLogVariable):-}\" ] || runjob_track_dirs \"$rj/locks\" || exit \(RemoteExitStatus.directoryFailed.code)",
            "mkdir -p -- \"$rj/locks\" || exit \(RemoteExitStatus.directoryFailed.code)",
            "if command -v flock >/dev/null 2>&1; then",
            "  exec 9>>\"$rj/locks/session-$n.lock\" || exit \(RemoteExitStatus.writeFailed.code)",
            "  flock -w \(lockSeconds) 9 || { printf '%s\\n' \"another start of session $n on this instance did not finish within \(lockSeconds) s\" >&2; exit \(RemoteExitStatus.sessionLockTimeout.code); }",
            "fi",
            liveSearch,
            "if [ -n \"$live_pid\" ]; then",
        ]
        switch ifRunning {
        case .adopt:
            lines.append("  printf 'adopted %s %s\\n' \"$live_run\" \"$live_pid\"; exit 0")
        case .replace:
            lines += stop.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        }
        lines += ["fi", FileInstallScript.placeIntentFunction]
        return lines.joined(separator: "\n")
    }

    /// Bash setting `live_run`, `live_pid` and `live_dir` to a live process of session `$n`
    /// under `$rj` (empty when there is none).
    static let liveSearch = """
        live_run=; live_pid=; live_dir=
        for p in "$rj"/*/"$n.pid"; do
          [ -f "$p" ] || continue
          d=${p%/*}
          [ -f "$d/$n.exit" ] && continue
          pid=$(cat "$p" 2>/dev/null) || continue
          case $pid in ''|*[!0-9]*) continue ;; esac
          kill -0 "$pid" 2>/dev/null || continue
          [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ] || continue
          if [ -r "/proc/$pid/cmdline" ]; then tr '\\0' '\\n' < "/proc/$pid/cmdline" | grep -qxF -- "$d/$n.sh" || continue; fi
          live_run=${d##*/}; live_pid=$pid; live_dir=$d
        done
        """

    /// Bash that stops the live process group found by ``liveSearch`` (TERM, then KILL
    /// after `graceTenths` tenths of a second) and marks it stopped.
    package static func stopLiveGroup(graceTenths: Int) -> String {
        """
        : > "$live_dir/$n.stopped"
        kill -TERM -- "-$live_pid" 2>/dev/null || kill -TERM "$live_pid" 2>/dev/null
        i=0
        while [ $i -lt \(max(1, graceTenths)) ] && kill -0 "$live_pid" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
        kill -KILL -- "-$live_pid" 2>/dev/null
        i=0
        while [ ! -f "$live_dir/$n.exit" ] && kill -0 "$live_pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
        """
    }

    /// The outcome in a start script's stdout, or `nil` when it is not that shape.
    package static func parse(_ stdout: String) -> Outcome? {
        let fields = stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        if fields.count == 3, fields[0] == "adopted", let pid = Int(fields[2]) { return .adopted(run: fields[1], pid: pid) }
        if fields.count == 2, fields[0] == "started", let pid = Int(fields[1]) { return .started(pid: pid) }
        return nil
    }
}
