import Executor

extension InstantResource {
    /// The `instant` resource adapter: its options, outputs and factory.
    public static let descriptor = ResourceDescriptor(
        kind: "instant", summary: "An Instant Platform app (database) per resource",
        options: OptionSchema([
            OptionField(
                "ephemeral", .boolean, doc: "A temporary app: no account needed, deleted by the service after 14 days", default: "true"),
            OptionField(
                "token", .text(.line), secrets: .allowed,
                doc: "Personal access token, e.g. ${env:INSTANT_PLATFORM_TOKEN}; required when `ephemeral: false`"),
            OptionField("title", .text(.line), doc: "The app's title (trimmed)", default: "<name>-<workspace>-<creation token>"),
            OptionField("schema", .json, doc: "The app's schema, as the Platform API takes it (opaque JSON)"),
            OptionField("perms", .json, doc: "The app's permission rules (opaque JSON)"),
            OptionField("base_url", .text(.line), doc: "The API's base URL", default: "$INSTANT_API_URL or https://api.instantdb.com"),
        ]),
        outputs: [
            ResourceOutputField(appIDOutput, secret: false, doc: "The app id (`INSTANT_APP_ID`)"),
            ResourceOutputField(adminTokenOutput, secret: true, doc: "The app's admin token (`INSTANT_ADMIN_TOKEN`)"),
            ResourceOutputField(titleOutput, secret: false, doc: "The app's title"),
            ResourceOutputField(expiresOutput, secret: false, doc: "When a temporary app expires (Unix milliseconds; empty for a permanent one)"),
        ],
        make: { context in
            let ephemeral = context.options.boolean("ephemeral") ?? true
            let token = context.options.text("token")
            guard ephemeral || token != nil else {
                throw ResourceError(
                    ErrorCode.Resource.misconfigured,
                    "`ephemeral: false` needs `token:` (a personal access token, e.g. ${env:INSTANT_PLATFORM_TOKEN})")
            }
            let base = try InstantClient.baseURL(option: context.options.plainText("base_url"), environment: context.environment)
            var schema: JSONValue?
            if case .json(let value)? = context.options["schema"] { schema = value }
            var perms: JSONValue?
            if case .json(let value)? = context.options["perms"] { perms = value }
            return InstantResource(
                client: InstantClient(baseURL: base, timeout: context.preview ? .seconds(10) : .seconds(30)), ephemeral: ephemeral,
                token: token,
                title: context.options.plainText("title").flatMap { $0.trimmingASCIIWhitespace().isEmpty ? nil : $0 }, schema: schema, perms: perms)
        })
}
