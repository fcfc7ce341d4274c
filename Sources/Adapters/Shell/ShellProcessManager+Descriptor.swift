import Executor

extension ShellProcessManager {
    /// `process_manager: shell`.
    public static let descriptor = ProcessManagerDescriptor(
        kind: "shell",
        summary: "Detached process groups (setsid) with pid, logs and exit code under ~/.runjob/<run>/; works on any provider",
        options: OptionSchema([
            OptionField("stop_grace", .duration, doc: "Time between SIGTERM and SIGKILL when stopping a session", default: "10s")
        ]),
        make: { options in ShellProcessManager(options: options) })
}
