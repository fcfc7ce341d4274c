import Executor

/// The files of one shell-managed session and the bash that launches it.
struct ShellSessionFiles {
    let writes: [FileWrite]
    /// Launches the wrapper in a new session (`setsid`) and prints its pid.
    let launch: String

    init(spec: ProcessSpec, target: ProcessTarget) throws {
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
        let missing = ShellScript.missingDirectoryStatus
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
            "bash \"$d/$n.cmd\" < \(q(stdinSource)) > \"$d/$n.out\" 2>> \"$d/$n.err\" &",
            "child=$!",
            "while :; do wait \"$child\"; rc=$?; kill -0 \"$child\" 2>/dev/null || break; done",
            "finish \"$rc\"",
        ]
        writes.append(FileWrite(path: base + ".sh", mode: .ownerOnlyDirectory, content: Array((wrapper.joined(separator: "\n") + "\n").utf8)))
        self.writes = writes
        launch = """
            command -v setsid >/dev/null 2>&1 || { echo 'setsid is not installed on the instance (util-linux)' >&2; exit 96; }
            rm -f -- \(q(base)).pid \(q(base)).exit \(q(base)).stopped
            setsid bash \(q(base + ".sh")) < /dev/null > /dev/null 2>&1 &
            i=0
            while [ ! -s \(q(base)).pid ] && [ $i -lt 400 ]; do sleep 0.005; i=$((i+1)); done
            [ -s \(q(base)).pid ] || { echo 'the session wrapper did not start' >&2; exit 95; }
            cat \(q(base)).pid
            """
    }
}
