import Executor

/// Keeps sessions running as detached process groups, through the provider's exec only.
public struct ShellProcessManager: Sendable {}
