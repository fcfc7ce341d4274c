/// The exit statuses runjob's own remote scripts use to say which of their steps
/// failed (89–98). A command a user wrote may exit with any of these too, so a
/// status only means this when it comes from one of runjob's scripts.
public enum RemoteExitStatus: Int32, Sendable, CaseIterable {
    /// Another launch of the same session held its lock for too long.
    case sessionLockTimeout = 89
    /// A directory could not be created or its mode set.
    case directoryFailed = 90
    /// A file (or the temporary payload) could not be written.
    case writeFailed = 91
    /// A written file's SHA-256 differs from what was sent.
    case checksumMismatch = 92
    /// A file batch's check command failed.
    case verifyFailed = 93
    /// The process manager's program (pm2) is not installed on the instance.
    case managerMissing = 94
    /// The session wrapper never wrote its pid.
    case wrapperSilent = 95
    /// `setsid` is not installed on the instance.
    case setsidMissing = 96
    /// The working directory of a rendered script does not exist.
    case missingDirectory = 97
    /// The process manager refused to start the session.
    case startRefused = 98

    /// The status, for `exit` in bash.
    public var code: Int32 { rawValue }
}
