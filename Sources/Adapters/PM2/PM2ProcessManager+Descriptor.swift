import Executor

extension PM2ProcessManager {
    /// `process_manager: pm2`.
    public static let descriptor = ProcessManagerDescriptor(
        kind: "pm2",
        summary: "PM2 on the instance (pm2 must be installed there); logs and exit codes under ~/.runjob/<run>/",
        options: OptionSchema([
            OptionField("binary", .text(.line), doc: "The pm2 command on the instance", default: "pm2")
        ]),
        make: { options in PM2ProcessManager(options: options) })
}
