import Executor
import Synchronization

/// The resources a manifest declares, as `${resource:NAME.OUTPUT}` sees them: filled
/// once `resources:` is read, before the blocks that may refer to them, and shared by
/// every reader of one manifest (sessions may be read on two threads).
final class ResourceCatalog: Sendable {
    /// One declared resource.
    struct Entry: Sendable {
        /// Its adapter's outputs; `nil` when the kind is unknown (that error is reported once, at the kind).
        var outputs: [ResourceOutputField]?
        /// `optional: true`.
        var optional: Bool
    }

    /// Whether any resource adapter exists (otherwise `${resource:…}` is an unknown word).
    let isEnabled: Bool
    private let entries = Mutex<[String: Entry]>([:])
    private let order = Mutex<[String]>([])

    init(isEnabled: Bool) {
        self.isEnabled = isEnabled
    }

    /// Declares resource `name`.
    func declare(_ name: String, _ entry: Entry) {
        entries.withLock { $0[name] = entry }
        order.withLock { $0.append(name) }
    }

    /// The resource named `name`.
    func entry(_ name: String) -> Entry? { entries.withLock { $0[name] } }

    /// The declared names, in document order.
    var names: [String] { order.withLock { $0 } }
}
