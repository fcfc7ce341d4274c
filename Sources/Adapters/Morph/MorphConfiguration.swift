import Executor

/// How the Morph provider reaches the API: key, base URL, polling and timeouts.
public struct MorphConfiguration: Sendable {
    /// The default API.
    public static let defaultBaseURL = "https://cloud.morph.so/api"

    /// The API key (secret: never printed, never in argv).
    public var apiKey: Secret
    /// The API base URL, without a trailing slash.
    public var baseURL: String
    /// How often to poll while waiting for `ready`.
    public var pollInterval: Duration
    /// How long an instance may take to become ready.
    public var bootTimeout: Duration
    /// Timeout of one API request (not exec).
    public var requestTimeout: Duration
    /// Timeout of one exec call.
    public var execTimeout: Duration
    /// Budget for retries of one call (idempotent calls and boot look-ups).
    public var retryDeadline: Duration
    /// Largest base64 payload sent inside one exec request; larger ones are uploaded in chunks.
    public var maxInlinePayload: Int

    /// A configuration with the given values and the documented defaults.
    public init(
        apiKey: Secret, baseURL: String = defaultBaseURL, pollInterval: Duration = .seconds(1), bootTimeout: Duration = .seconds(300),
        requestTimeout: Duration = .seconds(60), execTimeout: Duration = .seconds(1800), retryDeadline: Duration = .seconds(120),
        maxInlinePayload: Int = 96 * 1024
    ) {
        self.apiKey = apiKey
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.pollInterval = pollInterval
        self.bootTimeout = bootTimeout
        self.requestTimeout = requestTimeout
        self.execTimeout = execTimeout
        self.retryDeadline = retryDeadline
        self.maxInlinePayload = maxInlinePayload
    }

    /// The configuration for a manifest's `provider:` options and the environment:
    /// the manifest's `api_key`/`base_url` win over `MORPH_API_KEY`/`MORPH_BASE_URL`.
    public static func from(options: AdapterOptions, environment: [String: String]) throws -> MorphConfiguration {
        let key: Secret
        if let text = options.text("api_key") {
            guard let value = text.reveal() else {
                let sources = text.unresolvedSources.map(\.description).joined(separator: ", ")
                throw ProviderError(
                    ErrorCode.Provider.misconfigured,
                    "the Morph API key comes from \(sources), which is not available here: set it (e.g. `export MORPH_API_KEY=…`) and run again",
                    context: [.init("provider", "morph")])
            }
            key = Secret(source: text.secrets.first?.source ?? .runtime("morph api_key"), value: value.trimmingASCIIWhitespace())
        } else if let value = environment["MORPH_API_KEY"]?.trimmingASCIIWhitespace(), !value.isEmpty {
            key = Secret(source: .env("MORPH_API_KEY"), value: value)
        } else {
            throw ProviderError(
                ErrorCode.Provider.misconfigured, "no Morph API key: set MORPH_API_KEY or `api_key: ${env:MORPH_API_KEY}` in the provider block",
                context: [.init("provider", "morph")])
        }
        guard let revealed = key.reveal(), isUsableKey(revealed) else {
            throw ProviderError(
                ErrorCode.Provider.misconfigured, "the Morph API key (\(key)) is empty or contains spaces or control characters",
                context: [.init("provider", "morph")])
        }
        let base = options.plainText("base_url") ?? environment["MORPH_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultBaseURL
        guard base.hasPrefix("https://") || base.hasPrefix("http://") else {
            throw ProviderError(
                ErrorCode.Provider.misconfigured, "the Morph base URL must start with https:// or http://", context: [.init("provider", "morph")])
        }
        func duration(_ name: String, _ fallback: Duration) -> Duration {
            options.durationMilliseconds(name).map { .milliseconds($0) } ?? fallback
        }
        return MorphConfiguration(
            apiKey: key, baseURL: base, pollInterval: duration("poll_interval", .seconds(1)), bootTimeout: duration("boot_timeout", .seconds(300)),
            requestTimeout: duration("request_timeout", .seconds(60)), execTimeout: duration("exec_timeout", .seconds(1800)),
            retryDeadline: duration("retry_deadline", .seconds(120)))
    }

    /// Whether `key` can travel in an HTTP header: printable ASCII, no spaces.
    static func isUsableKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
