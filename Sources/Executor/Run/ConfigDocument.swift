/// The JSON document the config digest covers: every non-secret input of a plan,
/// secrets shown as their source only. Kept on each instance so a changed
/// manifest can be explained field by field.
public enum ConfigDocument {
    /// The document for a plan's parts.
    public static func build(
        name: String, provider: ProviderSpec, processManager: ProcessManagerSpec, machines: [MachineSpec], credentials: [CredentialProfileSpec],
        sessions: [SessionSpec], resources: [ResourceSpec] = []
    ) -> JSONValue {
        let style = PlaceholderStyle.sourceOnly
        var members: [JSONValue.Member] = [
            .init("credentials", .array(credentials.map { $0.json(style) })),
            .init("format", .int(Plan.formatVersion)),
            .init("machines", .array(machines.map { $0.json(style) })),
            .init("name", .string(name)),
            .init("process_manager", processManager.json(style)),
            .init("provider", provider.json(style)),
            .init("sessions", .array(sessions.map { $0.json(style) })),
        ]
        if !resources.isEmpty { members.insert(.init("resources", .array(resources.map { $0.identityJSON(style) })), at: members.count - 1) }
        return .object(members)
    }

    /// The document of `plan`.
    public static func of(_ plan: Plan) -> JSONValue {
        build(
            name: plan.name, provider: plan.provider, processManager: plan.processManager, machines: plan.machines, credentials: plan.credentials,
            sessions: plan.sessions, resources: plan.resources)
    }

    /// Human lines for what differs between two documents (`sessions.review.model: "a" → "b"`),
    /// at most `limit` lines; arrays of named objects are matched by `name`.
    public static func differences(from old: JSONValue, to new: JSONValue, limit: Int = 20) -> [String] {
        var lines: [String] = []
        compare(old, new, path: "", into: &lines, limit: limit)
        return lines
    }

    private static func compare(_ old: JSONValue?, _ new: JSONValue?, path: String, into lines: inout [String], limit: Int) {
        guard lines.count < limit, old != new else { return }
        switch (old, new) {
        case (.object(let left)?, .object(let right)?):
            let keys = (left.map(\.key) + right.map(\.key)).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for key in keys {
                compare(left.first { $0.key == key }?.value, right.first { $0.key == key }?.value, path: join(path, key), into: &lines, limit: limit)
            }
        case (.array(let left)?, .array(let right)?) where named(left) && named(right):
            let names = (left + right).compactMap { $0["name"]?.stringValue }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for name in names {
                compare(
                    left.first { $0["name"]?.stringValue == name }, right.first { $0["name"]?.stringValue == name }, path: join(path, name),
                    into: &lines, limit: limit)
            }
        default:
            let before = old.map(\.compactText) ?? "(absent)"
            let after = new.map(\.compactText) ?? "(absent)"
            lines.append("\(path.isEmpty ? "(document)" : path): \(shorten(before)) → \(shorten(after))")
        }
    }

    private static func named(_ items: [JSONValue]) -> Bool {
        items.allSatisfy { $0["name"]?.stringValue != nil }
    }

    private static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    private static func shorten(_ text: String) -> String {
        text.count > 80 ? String(text.prefix(77)) + "…" : text
    }
}
