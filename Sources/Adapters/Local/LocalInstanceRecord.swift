import AdapterKit
import Executor

/// The labels file of a local instance (`instance.json` in its folder, in the format of
/// ``InstanceRecordDocument``), so that status, logs and destroy find instances from labels alone.
struct LocalInstanceRecord: Equatable {
    var id: String
    var labels: [String: String]
    var createdAt: Int

    /// The file name inside the instance folder.
    static let fileName = InstanceRecordDocument.fileName

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
        try LocalFileSystem.writeAtomically(InstanceRecordDocument(id: id, labels: labels, createdAt: createdAt).bytes, to: path)
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
        switch InstanceRecordDocument.parse(bytes, id: id) {
        case .record(let document): return .record(LocalInstanceRecord(id: id, labels: document.labels, createdAt: document.createdAt))
        case .damaged(let problem, let labels): return .damaged(problem: problem, labels: labels)
        }
    }
}
