import Executor

/// Reads Morph's instance objects leniently: unknown keys are ignored, missing
/// optional objects get their defaults, an unknown status becomes `.unknown`.
enum MorphInstanceJSON {
    /// The provider-neutral instance for one Morph instance object, or `nil` without an `id`.
    static func instance(_ json: JSONValue) -> Instance? {
        guard let id = json["id"]?.stringValue, !id.isEmpty else { return nil }
        var labels: [String: String] = [:]
        for member in json["metadata"]?.objectValue ?? [] {
            if let value = member.value.stringValue { labels[member.key] = value }
        }
        return Instance(id: id, status: status(json["status"]?.stringValue ?? "pending"), labels: labels, createdAt: json["created"]?.intValue)
    }

    /// Every instance of a list envelope (`{"object":"list","data":[…]}`); `nil` when it is not one.
    static func list(_ json: JSONValue) -> [Instance]? {
        guard let items = json["data"]?.arrayValue else { return nil }
        return items.compactMap(instance)
    }

    /// Morph's status names mapped to the seed's provider-neutral states.
    static func status(_ text: String) -> InstanceStatus {
        switch text {
        case "pending": .booting
        case "ready": .ready
        case "paused": .stopped
        case "saving": .stopping
        case "error": .error
        default: .unknown
        }
    }
}
