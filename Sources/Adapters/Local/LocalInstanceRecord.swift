import Executor

/// The labels file of a local instance (`instance.json` in its folder), so that
/// status, logs and destroy find instances from labels alone.
struct LocalInstanceRecord: Equatable {
    var id: String
    var labels: [String: String]
    var createdAt: Int

    /// The file name inside the instance folder.
    static let fileName = "instance.json"

    /// What reading a labels file gave.
    enum Reading: Equatable {
        /// A complete record.
        case record(LocalInstanceRecord)
        /// A file that is there but not a usable record: why, and the labels it still names.
        case damaged(problem: String, labels: [String: String])
        /// No file.
        case missing
    }

    /// Writes the record atomically (a temporary file, then a rename).
    func write(to path: String) throws(LocalFileError) {
        let document = JSONValue.object([
            "id": .string(id), "created_at": .int(createdAt),
            "labels": .object(labels.sorted { $0.key < $1.key }.map { .init($0.key, .string($0.value)) }),
        ])
        try LocalFileSystem.writeAtomically(Array(document.prettyText.utf8), to: path)
    }

    /// The record at `path`, for the instance `id`: damaged when it does not parse, lacks
    /// the id, or names another instance.
    static func read(from path: String, id: String) -> Reading {
        let bytes: [UInt8]
        switch LocalFileSystem.readRegular(path, limit: 1 << 20, followLinks: false) {
        case .missing: return .missing
        case .bytes(let read): bytes = read
        case .directory: return .damaged(problem: "\(fileName) is a directory", labels: [:])
        case .tooLarge(let size): return .damaged(problem: "\(fileName) is \(size) bytes, larger than a labels file can be", labels: [:])
        case .unreadable(let reason): return .damaged(problem: "\(fileName) cannot be read: \(reason)", labels: [:])
        }
        guard let json = try? JSONValue.parse(bytes) else {
            return .damaged(problem: bytes.isEmpty ? "\(fileName) is empty" : "\(fileName) is not valid JSON", labels: [:])
        }
        var labels: [String: String] = [:]
        for member in json["labels"]?.objectValue ?? [] {
            if let value = member.value.stringValue { labels[member.key] = value }
        }
        guard let recorded = json["id"]?.stringValue else { return .damaged(problem: "\(fileName) names no instance id", labels: labels) }
        guard recorded == id else { return .damaged(problem: "\(fileName) names another instance (\(recorded))", labels: labels) }
        return .record(LocalInstanceRecord(id: id, labels: labels, createdAt: json["created_at"]?.intValue ?? 0))
    }
}
