import Executor

/// The embedded provider: an instance is a folder on this machine with its own
/// home directory, and exec runs real processes there. It isolates files, not
/// security: processes run as the current user.
public struct LocalProvider: Sendable {}
