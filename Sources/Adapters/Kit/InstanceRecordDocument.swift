import Executor

/// The labels file of an instance that lives in a folder (`instance.json` of the local
/// and ssh providers): its id, creation time and labels as JSON, so that status, logs,
/// destroy and re-apply find instances from labels alone. Reading and writing the file
/// are the provider's; the format is this one.
package struct InstanceRecordDocument: Equatable, Sendable {
    /// The file name inside the instance folder.
    package static let fileName = "instance.json"

    package var id: String
    package var labels: [String: String]
    package var createdAt: Int

    /// A record.
    package init(id: String, labels: [String: String], createdAt: Int) {
        self.id = id
        self.labels = labels
        self.createdAt = createdAt
    }

    /// What a file's bytes hold.
    package enum Parsed: Equatable {
        /// A complete record.
        case record(InstanceRecordDocument)
        /// Not a usable record: why, and the labels it still names.
        case damaged(problem: String, labels: [String: String])
    }

    /// The record as JSON (labels sorted).
    package var bytes: [UInt8] {
        let document = JSONValue.object([
            "id": .string(id), "created_at": .int(createdAt),
            "labels": .object(labels.sorted { $0.key < $1.key }.map { .init($0.key, .string($0.value)) }),
        ])
        return Array(document.prettyText.utf8)
    }

    /// The record in `bytes` for the folder `id`: damaged when it is empty, does not parse,
    /// lacks the id, or names another instance.
    package static func parse(_ bytes: [UInt8], id: String) -> Parsed {
        guard let json = try? JSONValue.parse(bytes) else {
            return .damaged(problem: bytes.isEmpty ? "\(fileName) is empty" : "\(fileName) is not valid JSON", labels: [:])
        }
        var labels: [String: String] = [:]
        for member in json["labels"]?.objectValue ?? [] {
            if let value = member.value.stringValue { labels[member.key] = value }
        }
        guard let recorded = json["id"]?.stringValue else { return .damaged(problem: "\(fileName) names no instance id", labels: labels) }
        guard recorded == id else { return .damaged(problem: "\(fileName) names another instance (\(recorded))", labels: labels) }
        return .record(InstanceRecordDocument(id: id, labels: labels, createdAt: json["created_at"]?.intValue ?? 0))
    }
}

/// Ids of instances that are folders: a provider prefix (`local-`, `ssh-`) and 12
/// lowercase letters or digits, never a path.
package enum FolderInstanceID {
    /// A new random id with `prefix`.
    package static func make(prefix: String) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return prefix + String((0..<12).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }

    /// Whether `id` is `prefix` and 12 lowercase letters or digits.
    package static func isValid(_ id: String, prefix: String) -> Bool {
        id.hasPrefix(prefix) && id.utf8.count == prefix.utf8.count + 12
            && id.utf8.dropFirst(prefix.utf8.count).allSatisfy { ASCII.isLowercase($0) || ASCII.isDigit($0) }
    }
}
