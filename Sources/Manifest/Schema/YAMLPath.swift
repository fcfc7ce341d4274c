/// A position inside the document as keys and list indices (`sessions.review.after.setup`),
/// built as the reader descends and turned into text only when a diagnostic needs it.
///
/// Extending a path allocates one small link that shares its parent, so descending
/// through a large document costs no copying (paths are built for every value read,
/// and almost never printed).
struct YAMLPath: Sendable, Equatable {
    enum Component: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    /// One component and the path before it.
    private final class Link: Sendable {
        let parent: Link?
        let component: Component

        init(parent: Link?, component: Component) {
            self.parent = parent
            self.component = component
        }
    }

    private let last: Link?

    private init(last: Link?) {
        self.last = last
    }

    static let root = YAMLPath(last: nil)

    func appending(_ key: String) -> YAMLPath {
        YAMLPath(last: Link(parent: last, component: .key(key)))
    }

    func appending(index: Int) -> YAMLPath {
        YAMLPath(last: Link(parent: last, component: .index(index)))
    }

    /// The components from the top of the document down.
    var components: [Component] {
        var reversed: [Component] = []
        var link = last
        while let current = link {
            reversed.append(current.component)
            link = current.parent
        }
        return reversed.reversed()
    }

    static func == (lhs: YAMLPath, rhs: YAMLPath) -> Bool {
        lhs.last === rhs.last || lhs.components == rhs.components
    }

    /// `a.b[0].c`; keys that are not plain words are quoted.
    var text: String {
        var out = ""
        for component in components {
            switch component {
            case .key(let key):
                if !out.isEmpty { out += "." }
                let plain = !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
                out += plain ? key : "\"\(key)\""
            case .index(let index):
                out += "[\(index)]"
            }
        }
        return out
    }
}
