import Executor

/// Runs Claude Code sessions (`claude -p`) with the prompt on stdin.
public struct ClaudeCodeAgent: Sendable {}
