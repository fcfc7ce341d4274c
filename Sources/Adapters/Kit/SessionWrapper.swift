import Executor

/// The files of one session in its run directory, shared by every process manager:
/// `<name>.cmd` (the program), `<name>.env` (0600, secret env), input files, and
/// `<name>.sh`, the wrapper that changes into the cwd (failing loudly), puts the
/// PATH prefix first, exports the env, feeds stdin, writes `<name>.pid`, waits for
/// the program, and records its real exit code in `<name>.exit` (128+n after signal n).
package struct SessionWrapper: Sendable {
    /// Where the program's output goes.
    package enum Output: Sendable {
        /// The wrapper writes `<name>.out` / `<name>.err` itself (the shell manager).
        case files
        /// The wrapper's own stdout/stderr, which the process manager captures into
        /// those files (PM2's `-o`/`-e`).
        case inherited
    }

    /// The files to write before launching.
    package let writes: [FileWrite]
    /// The wrapper script's path.
    package let wrapperPath: String
    /// `<run dir>/<name>`: add `.pid`, `.exit`, `.out`, `.err`, `.stopped`.
    package let base: String

    /// The files for `spec` in `target`'s run directory; throws `ProcessError` when a
    /// secret value or an input is not available.
    package init(spec: ProcessSpec, target: ProcessTarget, output: Output) throws {
        let directory = target.runDirectory
        let base = directory + "/" + spec.name
        var writes: [FileWrite] = []
        // The program: argv with `exec`, or the script as given.
        let program: String
        switch spec.program {
        case .argv(let arguments): program = "exec " + ShellQuoting.join(arguments)
        case .shell(let script): program = script
        }
        writes.append(FileWrite(path: base + ".cmd", mode: .ownerOnly, content: Array((program + "\n").utf8)))
        // Secret env in a 0600 file sourced by the wrapper; plain env exported in the wrapper itself.
        var plainExports: [String] = []
        var secretExports: [String] = []
        for variable in spec.env {
            if let plain = variable.value.plainValue {
                plainExports.append("export \(variable.name)=\(ShellQuoting.quote(plain))")
            } else if let value = variable.value.reveal() {
                secretExports.append("export \(variable.name)=\(ShellQuoting.quote(value))")
            } else {
                throw ProcessError(
                    ErrorCode.Process.startFailed, "the value of \(variable.name) (\(variable.value)) is not available here",
                    context: [.init("process", spec.name)])
            }
        }
        if !secretExports.isEmpty {
            writes.append(FileWrite(path: base + ".env", mode: .ownerOnly, content: Array((secretExports.joined(separator: "\n") + "\n").utf8)))
        }
        var stdinSource = "/dev/null"
        for input in spec.inputFiles {
            guard let content = input.content.reveal() else {
                throw ProcessError(
                    ErrorCode.Process.startFailed, "the input \(input.name) is not available here", context: [.init("process", spec.name)])
            }
            writes.append(FileWrite(path: directory + "/" + input.name, mode: .ownerOnly, content: Array(content.utf8)))
        }
        if case .file(let name) = spec.stdin {
            guard spec.inputFiles.contains(where: { $0.name == name }) else {
                throw ProcessError(
                    ErrorCode.Process.unsupported, "stdin names the input `\(name)`, which the session does not provide",
                    context: [.init("process", spec.name)])
            }
            stdinSource = directory + "/" + name
        }
        let q = ShellQuoting.quote
        let pathPrefix = spec.pathPrefix.isEmpty ? "" : "export PATH=\(q(spec.pathPrefix.joined(separator: ":"))):\"$PATH\""
        let missing = RemoteExitStatus.missingDirectory.code
        var wrapper = [
            "#!/bin/bash",
            "# runjob session wrapper for \(spec.session) (generated; the program is in \(spec.name).cmd)",
            "d=\(q(directory)); n=\(q(spec.name))",
            "finish() { printf '%s\\n' \"$1\" > \"$d/$n.exit.tmp\" && mv -f \"$d/$n.exit.tmp\" \"$d/$n.exit\"; exit \"$1\"; }",
            "printf '%s\\n' $$ > \"$d/$n.pid.tmp\" && mv -f \"$d/$n.pid.tmp\" \"$d/$n.pid\"",
            "cd -- \(q(spec.cwd)) 2>/dev/null || { printf 'runjob: the working directory %s does not exist\\n' \(q(spec.cwd)) >> \"$d/$n.err\"; finish \(missing); }",
        ]
        if !pathPrefix.isEmpty { wrapper.append(pathPrefix) }
        wrapper += plainExports
        if !secretExports.isEmpty { wrapper.append(". \"$d/$n.env\"") }
        wrapper += [
            "trap 'stopping=1' TERM INT HUP",
            output == .files
                ? "bash \"$d/$n.cmd\" < \(q(stdinSource)) > \"$d/$n.out\" 2>> \"$d/$n.err\" &"
                : "bash \"$d/$n.cmd\" < \(q(stdinSource)) &",
            "child=$!",
            "while :; do wait \"$child\"; rc=$?; kill -0 \"$child\" 2>/dev/null || break; done",
            "finish \"$rc\"",
        ]
        writes.append(FileWrite(path: base + ".sh", mode: .ownerOnlyDirectory, content: Array((wrapper.joined(separator: "\n") + "\n").utf8)))
        self.writes = writes
        self.wrapperPath = base + ".sh"
        self.base = base
    }

    /// Bash that waits (up to 2 s) for the wrapper's pid file and prints `started PID`
    /// (see ``SessionLaunch/parse(_:)``); exits with ``RemoteExitStatus/wrapperSilent`` if it never comes.
    package var awaitPid: String {
        let q = ShellQuoting.quote
        return """
            i=0
            while [ ! -s \(q(base)).pid ] && [ $i -lt 400 ]; do sleep 0.005; i=$((i+1)); done
            [ -s \(q(base)).pid ] || { echo 'the session wrapper did not start' >&2; exit \(RemoteExitStatus.wrapperSilent.code); }
            printf 'started %s\\n' "$(cat \(q(base)).pid)"
            """
    }

    /// Bash that removes the previous state files of the session (before a launch).
    package var clearState: String {
        let q = ShellQuoting.quote
        return "rm -f -- \(q(base)).pid \(q(base)).exit \(q(base)).stopped"
    }
}
