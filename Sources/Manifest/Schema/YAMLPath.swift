/// A position inside the document as keys and list indices (`sessions.review.after.setup`),
/// built as the reader descends and turned into text only when a diagnostic needs it.
struct YAMLPath: Sendable, Equatable {
    enum Component: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    private(set) var components: [Component] = []

    static let root = YAMLPath()

    func appending(_ key: String) -> YAMLPath {
        var copy = self
        copy.components.append(.key(key))
        return copy
    }

    func appending(index: Int) -> YAMLPath {
        var copy = self
        copy.components.append(.index(index))
        return copy
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
