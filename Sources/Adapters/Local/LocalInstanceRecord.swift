import Executor
import Foundation

/// The labels file of a local instance (`instance.json` in its folder), so that
/// status, logs and destroy find instances from labels alone.
struct LocalInstanceRecord: Equatable {
    var id: String
    var labels: [String: String]
    var createdAt: Int

    func write(to path: String) throws {
        let document = JSONValue.object([
            "id": .string(id), "created_at": .int(createdAt),
            "labels": .object(labels.sorted { $0.key < $1.key }.map { .init($0.key, .string($0.value)) }),
        ])
        try Data(document.prettyText.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func read(from path: String) -> LocalInstanceRecord? {
        guard case .bytes(let bytes) = LocalFile.read(path, limit: 1 << 20), let json = try? JSONValue.parse(bytes),
            let id = json["id"]?.stringValue
        else { return nil }
        var labels: [String: String] = [:]
        for member in json["labels"]?.objectValue ?? [] {
            if let value = member.value.stringValue { labels[member.key] = value }
        }
        return LocalInstanceRecord(id: id, labels: labels, createdAt: json["created_at"]?.intValue ?? 0)
    }

    func instance(home: String) -> Instance {
        Instance(id: id, status: .ready, labels: labels, home: home, createdAt: createdAt)
    }
}
