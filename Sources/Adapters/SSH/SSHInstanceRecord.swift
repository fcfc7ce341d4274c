import Executor

/// The labels file of an ssh instance (`instance.json` in its folder on the host), so
/// that status, logs, destroy and re-apply find instances from labels alone.
struct SSHInstanceRecord: Equatable {
    var id: String
    var labels: [String: String]
    var createdAt: Int

    /// The record as bytes (JSON).
    var bytes: [UInt8] {
        let document = JSONValue.object([
            "id": .string(id), "created_at": .int(createdAt),
            "labels": .object(labels.sorted { $0.key < $1.key }.map { .init($0.key, .string($0.value)) }),
        ])
        return Array(document.prettyText.utf8)
    }

    /// The record in `bytes` for the folder `id`; `nil` with why when it is not a usable record
    /// (the labels it still names come with it).
    static func parse(_ bytes: [UInt8], id: String) -> (record: SSHInstanceRecord?, problem: String?, labels: [String: String]) {
        guard !bytes.isEmpty else { return (nil, "instance.json is missing or empty", [:]) }
        guard let json = try? JSONValue.parse(bytes) else { return (nil, "instance.json is not valid JSON", [:]) }
        var labels: [String: String] = [:]
        for member in json["labels"]?.objectValue ?? [] {
            if let value = member.value.stringValue { labels[member.key] = value }
        }
        guard let recorded = json["id"]?.stringValue else { return (nil, "instance.json names no instance id", labels) }
        guard recorded == id else { return (nil, "instance.json names another instance (\(recorded))", labels) }
        return (SSHInstanceRecord(id: id, labels: labels, createdAt: json["created_at"]?.intValue ?? 0), nil, labels)
    }
}
