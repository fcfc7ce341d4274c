import Executor

extension MorphProvider {
    /// `provider: {kind: morph, …}` and the options of Morph machines.
    public static let descriptor = ProviderDescriptor(
        kind: "morph",
        summary: "Morph Cloud VMs started from snapshots over the Morph HTTP API",
        providerOptions: OptionSchema([
            OptionField(
                "api_key", .text(.line), secrets: .allowed, doc: "Morph API key, e.g. ${env:MORPH_API_KEY}",
                default: "the MORPH_API_KEY environment variable"),
            OptionField("base_url", .text(.url), doc: "API base URL", default: "MORPH_BASE_URL, else https://cloud.morph.so/api"),
            OptionField("poll_interval", .duration, doc: "How often to poll while waiting for an instance to be ready", default: "1s"),
            OptionField("boot_timeout", .duration, doc: "How long an instance may take to become ready", default: "5m"),
            OptionField("request_timeout", .duration, doc: "Timeout of one API request (not exec)", default: "60s"),
            OptionField("exec_timeout", .duration, doc: "Timeout of one command run on an instance", default: "30m"),
            OptionField(
                "retry_deadline", .duration, doc: "How long one API call keeps being retried (rate limits, gateway errors, broken connections)",
                default: "2m"),
        ]),
        machineOptions: OptionSchema([
            OptionField("snapshot", .text(.line), required: true, doc: "Snapshot to start from (snapshot_…)"),
            OptionField(
                "ttl",
                .object(
                    OptionSchema([
                        OptionField("seconds", .integer(min: 1, max: nil), required: true, doc: "Lifetime in seconds"),
                        OptionField("action", .choice(["stop", "pause"]), doc: "What happens when it expires", default: "stop"),
                    ])), doc: "Time to live: Morph stops (deletes) or pauses the instance when it expires"),
        ]),
        make: { context in
            var configuration = try MorphConfiguration.from(options: context.options, environment: context.environment)
            if context.preview {
                // A quick read-only look gives up on an unreachable API soon.
                configuration.retryDeadline = min(configuration.retryDeadline, .seconds(10))
                configuration.requestTimeout = min(configuration.requestTimeout, .seconds(15))
            }
            return MadeProvider(provider: MorphProvider(configuration: configuration, logger: context.logger), secrets: [configuration.apiKey])
        })
}
