import Executor

/// ssh's own failures, as `provider.*` errors a user can act on.
enum SSHFailure {
    /// The error for a connection or a command that never started, from ssh's stderr:
    /// host key (`provider.host_key_mismatch`), authentication (`provider.auth_failed`),
    /// refused or unresolvable host (`provider.unreachable`), timeout (`provider.timeout`);
    /// anything else `provider.exec_failed` with ssh's last line. Connection failures are
    /// retryable; key and authentication problems are not.
    static func classify(_ stderr: [UInt8], exitCode: Int32, endpoint: SSHEndpoint, context: [ErrorContext]) -> ProviderError {
        let text = String(decoding: stderr, as: UTF8.self)
        let lower = text.lowercased()
        var last = text.split(whereSeparator: \.isNewline).last.map { String($0).trimmingASCIIWhitespace() } ?? ""
        if !last.hasPrefix("ssh: ") && !last.isEmpty { last = "ssh: " + last }
        if lower.contains("remote host identification has changed") || lower.contains("host key for") && lower.contains("has changed") {
            return ProviderError(
                ErrorCode.Provider.hostKeyMismatch,
                "the host key of \(endpoint.host) is not the one known_hosts has for it: someone may be intercepting the connection, or the "
                    + "host was reinstalled. Check the key with its administrator, then remove the old entry (`ssh-keygen -R \(endpoint.host)`)",
                context: context)
        }
        if lower.contains("host key verification failed") || lower.contains("no ") && lower.contains("host key is known") {
            return ProviderError(
                ErrorCode.Provider.hostKeyMismatch,
                "the host key of \(endpoint.host) is not in known_hosts and the provider checks host keys strictly: connect once with "
                    + "`ssh \(endpoint.host)` and check the fingerprint, or set `known_hosts: accept-new` in the provider block", context: context)
        }
        if lower.contains("permission denied") || lower.contains("too many authentication failures") {
            return ProviderError(
                ErrorCode.Provider.authFailed,
                "\(endpoint) refused runjob's keys (\(last)); check `user` and `identity_file`, or that the key is in the agent "
                    + "(runjob never asks for a password)", context: context)
        }
        if lower.contains("could not resolve hostname") || lower.contains("name or service not known") {
            return ProviderError(
                ErrorCode.Provider.unreachable, "cannot resolve \(endpoint.host) (\(last)); check `host` or your ssh_config", context: context)
        }
        if lower.contains("timed out") {
            return ProviderError(ErrorCode.Provider.timeout, "connecting to \(endpoint) timed out (\(last))", context: context, isRetryable: true)
        }
        let unreachable = [
            "connection refused", "no route to host", "network is unreachable", "connection reset", "connection closed", "closed by remote host",
            "broken pipe", "kex_exchange_identification", "mux_client", "control socket", "lost connection",
        ]
        if unreachable.contains(where: lower.contains) {
            return ProviderError(ErrorCode.Provider.unreachable, "cannot reach \(endpoint) (\(last))", context: context, isRetryable: true)
        }
        if exitCode == 127 || lower.contains("bash: not found") || lower.contains("bash: command not found") {
            return ProviderError(
                ErrorCode.Provider.execFailed, "\(endpoint) has no bash (or no base64) in the PATH of a non-interactive login; runjob needs both there",
                context: context)
        }
        return ProviderError(
            ErrorCode.Provider.execFailed, "ssh to \(endpoint) failed (exit \(exitCode))" + (last.isEmpty ? "" : ": \(last)"), context: context,
            isRetryable: exitCode == 255)
    }
}
