import Executor

/// Runs any agent CLI given as argv, feeding the prompt on stdin.
public struct CommandAgent: Sendable {}
