import Executor

/// What `plan` found on the provider for the workspace: what apply would change,
/// or why it could not tell.
public struct ChangeReport: Sendable, Equatable {
    /// The workspace looked at.
    public var workspace: String
    /// What apply would do, when the provider could be asked.
    public var summary: ChangeSummary?
    /// Why the provider could not be asked (no key in pull-request CI, unreachable…).
    public var unavailable: String?

    /// A report with a summary.
    public init(workspace: String, summary: ChangeSummary) {
        self.workspace = workspace
        self.summary = summary
        self.unavailable = nil
    }

    /// A report saying why there is no summary.
    public init(workspace: String, unavailable: String) {
        self.workspace = workspace
        self.summary = nil
        self.unavailable = unavailable
    }

    /// One line: `no changes`, `will create`, … or `unknown (reason)`.
    public var sentence: String {
        summary?.sentence ?? "unknown (\(unavailable ?? "the provider was not asked"))"
    }

    /// The JSON form of `plan --output json`.
    public var json: JSONValue {
        var members: [JSONValue.Member] = [.init("workspace", .string(workspace))]
        switch summary {
        case .noChanges?: members.append(.init("summary", .string("no changes")))
        case .create?: members.append(.init("summary", .string("create")))
        case .replace?: members.append(.init("summary", .string("replace")))
        case .update(let parts, _)?:
            members.append(.init("summary", .string("update")))
            members.append(.init("details", .array(parts.map(JSONValue.string))))
        case nil:
            members.append(.init("summary", .string("unknown")))
            members.append(.init("reason", .string(unavailable ?? "")))
        }
        if let notes = summary?.notes, !notes.isEmpty { members.append(.init("notes", .array(notes.map(JSONValue.string)))) }
        return .object(members)
    }
}
