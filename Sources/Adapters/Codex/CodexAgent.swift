import Executor

/// Runs OpenAI Codex CLI sessions (`codex exec`) with the prompt on stdin.
public struct CodexAgent: Sendable {}
