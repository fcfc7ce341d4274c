import Executor

/// Keeps sessions running under PM2 on the instance, through the provider's exec.
public struct PM2ProcessManager: Sendable {}
