extension ErrorCode {
    /// Codes of VM providers (`ProviderError`).
    public enum Provider {
        public static let authFailed = ErrorCode(rawValue: "provider.auth_failed")
        public static let notFound = ErrorCode(rawValue: "provider.not_found")
        public static let invalidRequest = ErrorCode(rawValue: "provider.invalid_request")
        public static let wrongState = ErrorCode(rawValue: "provider.wrong_state")
        public static let rateLimited = ErrorCode(rawValue: "provider.rate_limited")
        public static let quotaExceeded = ErrorCode(rawValue: "provider.quota_exceeded")
        public static let serverError = ErrorCode(rawValue: "provider.server_error")
        public static let unreachable = ErrorCode(rawValue: "provider.unreachable")
        public static let timeout = ErrorCode(rawValue: "provider.timeout")
        public static let invalidResponse = ErrorCode(rawValue: "provider.invalid_response")
        public static let bootFailed = ErrorCode(rawValue: "provider.boot_failed")
        public static let execFailed = ErrorCode(rawValue: "provider.exec_failed")
        public static let fileWriteFailed = ErrorCode(rawValue: "provider.file_write_failed")
        public static let fileChecksumMismatch = ErrorCode(rawValue: "provider.file_checksum_mismatch")
        public static let verifyFailed = ErrorCode(rawValue: "provider.verify_failed")
        public static let fileReadFailed = ErrorCode(rawValue: "provider.file_read_failed")
        public static let unsupported = ErrorCode(rawValue: "provider.unsupported")
        public static let misconfigured = ErrorCode(rawValue: "provider.misconfigured")
        public static let destroyFailed = ErrorCode(rawValue: "provider.destroy_failed")
        public static let pathOutsideInstance = ErrorCode(rawValue: "provider.path_outside_instance")
        /// The host's key is not the one known_hosts has for it (or, under `known_hosts: strict`, it has none).
        public static let hostKeyMismatch = ErrorCode(rawValue: "provider.host_key_mismatch")
        /// Another instance holds what this one needs alone (the account's home under the ssh provider's `home: user`).
        public static let homeInUse = ErrorCode(rawValue: "provider.home_in_use")
    }

    /// Codes of process managers (`ProcessError`).
    public enum Process {
        public static let unsupported = ErrorCode(rawValue: "process.unsupported")
        public static let startFailed = ErrorCode(rawValue: "process.start_failed")
        public static let notFound = ErrorCode(rawValue: "process.not_found")
        public static let managerMissing = ErrorCode(rawValue: "process.manager_missing")
        public static let daemonFailed = ErrorCode(rawValue: "process.daemon_failed")
        public static let invalidOutput = ErrorCode(rawValue: "process.invalid_output")
        public static let stopFailed = ErrorCode(rawValue: "process.stop_failed")
        public static let cwdMissing = ErrorCode(rawValue: "process.cwd_missing")
        public static let logsFailed = ErrorCode(rawValue: "process.logs_failed")
        public static let waitTimeout = ErrorCode(rawValue: "process.wait_timeout")
        public static let exitedNonZero = ErrorCode(rawValue: "process.exited_nonzero")
    }

    /// Codes of agents (`AgentError`).
    public enum Agent {
        public static let invalidOptions = ErrorCode(rawValue: "agent.invalid_options")
        public static let missingPrompt = ErrorCode(rawValue: "agent.missing_prompt")
        public static let failed = ErrorCode(rawValue: "agent.failed")
        public static let noResult = ErrorCode(rawValue: "agent.no_result")
        public static let configuration = ErrorCode(rawValue: "agent.configuration")
    }

    /// Codes of credential installation (`CredentialsError`).
    public enum Credentials {
        public static let unresolvedSecret = ErrorCode(rawValue: "credentials.unresolved_secret")
        public static let writeFailed = ErrorCode(rawValue: "credentials.write_failed")
        public static let verifyFailed = ErrorCode(rawValue: "credentials.verify_failed")
        public static let contentMismatch = ErrorCode(rawValue: "credentials.content_mismatch")
    }

    /// Codes of the run as a whole (`OrchestrationError`).
    public enum Orchestration {
        public static let stepFailed = ErrorCode(rawValue: "orchestration.step_failed")
        public static let dependencyFailed = ErrorCode(rawValue: "orchestration.dependency_failed")
        public static let interrupted = ErrorCode(rawValue: "orchestration.interrupted")
        public static let partialPlan = ErrorCode(rawValue: "orchestration.partial_plan")
        public static let configChanged = ErrorCode(rawValue: "orchestration.config_changed")
        public static let instanceUnusable = ErrorCode(rawValue: "orchestration.instance_unusable")
        public static let locked = ErrorCode(rawValue: "orchestration.locked")
        public static let instanceMissing = ErrorCode(rawValue: "orchestration.instance_missing")
        public static let sessionNotFound = ErrorCode(rawValue: "orchestration.session_not_found")
        public static let invalidPlan = ErrorCode(rawValue: "orchestration.invalid_plan")
        public static let resourceMissing = ErrorCode(rawValue: "orchestration.resource_missing")
        public static let stateUnreadable = ErrorCode(rawValue: "orchestration.state_unreadable")
    }

    /// Logins and tokens (`runjob auth claude …`, `${auth:claude}`).
    public enum Auth {
        public static let misconfigured = ErrorCode(rawValue: "auth.misconfigured")
        public static let malformedPaste = ErrorCode(rawValue: "auth.malformed_paste")
        public static let stateMismatch = ErrorCode(rawValue: "auth.state_mismatch")
        public static let invalidResponse = ErrorCode(rawValue: "auth.invalid_response")
        public static let notLoggedIn = ErrorCode(rawValue: "auth.not_logged_in")
        public static let handedOver = ErrorCode(rawValue: "auth.handed_over")
        public static let cannotRefresh = ErrorCode(rawValue: "auth.cannot_refresh")
        public static let loginChanged = ErrorCode(rawValue: "auth.login_changed")
        public static let keychainUnavailable = ErrorCode(rawValue: "auth.keychain_unavailable")
        public static let storeUnreadable = ErrorCode(rawValue: "auth.store_unreadable")
        public static let storeWriteFailed = ErrorCode(rawValue: "auth.store_write_failed")
        public static let invalidCredentialsFile = ErrorCode(rawValue: "auth.invalid_credentials_file")
        public static let invalidGrant = ErrorCode(rawValue: "auth.invalid_grant")
        public static let rejected = ErrorCode(rawValue: "auth.rejected")
        public static let rateLimited = ErrorCode(rawValue: "auth.rate_limited")
        public static let serverError = ErrorCode(rawValue: "auth.server_error")
        public static let unreachable = ErrorCode(rawValue: "auth.unreachable")
    }

    /// Codes of resource adapters (`resources:` entries such as Instant apps).
    public enum Resource {
        public static let authFailed = ErrorCode(rawValue: "resource.auth_failed")
        public static let notFound = ErrorCode(rawValue: "resource.not_found")
        public static let invalidRequest = ErrorCode(rawValue: "resource.invalid_request")
        public static let rateLimited = ErrorCode(rawValue: "resource.rate_limited")
        public static let serverError = ErrorCode(rawValue: "resource.server_error")
        public static let unreachable = ErrorCode(rawValue: "resource.unreachable")
        public static let invalidResponse = ErrorCode(rawValue: "resource.invalid_response")
        public static let misconfigured = ErrorCode(rawValue: "resource.misconfigured")
        public static let recordMissing = ErrorCode(rawValue: "resource.record_missing")
        public static let unsupported = ErrorCode(rawValue: "resource.unsupported")
    }

    /// Codes of the command line itself.
    public enum CLI {
        public static let usage = ErrorCode(rawValue: "cli.usage")
        public static let inputUnreadable = ErrorCode(rawValue: "cli.input_unreadable")
        public static let outputFailed = ErrorCode(rawValue: "cli.output_failed")
        public static let confirmationRequired = ErrorCode(rawValue: "cli.confirmation_required")
    }
}
