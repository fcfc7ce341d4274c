/// The words and values runjob itself prints: event types and fields, statuses, step
/// kinds, adapter kinds, Booleans, `null`, numbers and the prefixes of instance ids.
///
/// A secret whose value is one of them, or a piece of one, cannot be masked without
/// corrupting runjob's own output (`"unchanged":true` would become `[redacted]`), so
/// manifests refuse such secrets (`manifest.unmaskable_secret`).
public enum PrintedVocabulary {
    /// Words runjob prints in events, status, plans and logs.
    static let words: [String] = [
        // Event fields and types.
        "v", "ts", "run", "type", "step", "kind", "machine", "status", "ms", "data", "error", "code", "message", "reason",
        "counts", "instance", "unchanged", "process", "pid", "exit_code", "is_error", "cost_usd", "turns", "duration_ms",
        "agent_session", "signal", "leftovers", "destroy_command", "name", "workspace", "provider", "config", "steps",
        "parallelism", "level", "session", "run.started", "step.started", "step.finished", "session.finished",
        "run.interrupted", "run.finished", "log", "resumed", "waited", "replaced", "rerun", "adopted", "restarted",
        // Statuses and states.
        "ok", "failed", "skipped", "cancelled", "interrupted", "running", "stopped", "exited", "finished", "started",
        "not started", "pending", "ready", "paused", "deleted", "destroyed", "incomplete", "unknown", "unset",
        "tainted", "changed", "no changes", "will create", "will update", "will replace",
        // Step kinds and adapter kinds.
        "boot", "machine-info", "credentials", "start", "wait", "resource", "local", "morph", "ssh", "shell", "pm2",
        "claude", "codex", "command", "instant",
        // Log levels, streams, literals, runjob's own marks.
        "debug", "info", "warning", "notice", "trace", "critical", "stdout", "stderr", "true", "false", "null",
        "default", "runjob", "redacted", "[redacted]", "secret", "plain", "morphvm_", "local-", "(no output)",
    ]

    /// Whether masking `value` would corrupt what runjob prints: it is long enough to be
    /// masked at all, and it is a number, one of the ``words``, or a piece of one.
    public static func collides(_ value: String) -> Bool {
        let trimmed = String(decoding: MatchScan.normalize(Array(value.trimmingASCIIWhitespace().utf8)), as: UTF8.self)
        guard trimmed.utf8.count >= SecretVariants.minimumLength else { return false }
        if isNumber(trimmed) { return true }
        guard trimmed.utf8.count <= longestWord else { return false }
        return words.contains { $0.contains(trimmed) }
    }

    /// The length of the longest word in bytes: longer values cannot be a piece of one.
    private static let longestWord = words.map(\.utf8.count).max() ?? 0

    /// Whether `text` reads as a number (digits, with an optional sign, decimals, exponent).
    static func isNumber(_ text: String) -> Bool {
        var sawDigit = false
        var index = text.utf8.startIndex
        let bytes = text.utf8
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index = bytes.index(after: index) }
        var allowed: Set<UInt8> = Set("0123456789".utf8)
        allowed.formUnion(".eE+-".utf8)
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard allowed.contains(byte) else { return false }
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { sawDigit = true }
            index = bytes.index(after: index)
        }
        return sawDigit
    }
}
