import CYAML
import Executor

/// Parses a YAML document with libyaml's event API into a tree of positioned
/// nodes, enforcing ``YAMLLimits`` as it goes.
///
/// Rejected: invalid UTF-8, NUL bytes, several documents, tags outside the core
/// schema, duplicate keys, non-scalar keys, undefined or recursive aliases, and
/// anything past the limits. Merge keys (`<<: *defaults`) are applied: keys
/// written in the mapping win over merged ones, and earlier merge sources win
/// over later ones.
public enum YAMLReader {
    /// The document's root node, or every problem found (usually one: parsing stops at the first).
    public static func read(_ bytes: [UInt8], file: String, limits: YAMLLimits = .default) -> Result<YAMLNode, ManifestError> {
        if let problem = InputCheck.problem(in: bytes, file: file, limits: limits) {
            return .failure(ManifestError(diagnostics: [problem]))
        }
        var builder = TreeBuilder(file: file, limits: limits)
        let outcome = builder.parse(bytes)
        switch outcome {
        case .failure(let diagnostic):
            return .failure(ManifestError(diagnostics: [diagnostic] + builder.bag.items))
        case .success(let root):
            if builder.bag.hasErrors { return .failure(ManifestError(diagnostics: builder.bag.items)) }
            return .success(root)
        }
    }
}

/// The tags a manifest may carry: YAML's core schema (plus `!` and merge).
private let allowedTags: Set<String> = [
    "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:float", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:merge",
]

private struct Anchored {
    var node: YAMLNode
    var size: Int
    var keys: Int
}

private struct Frame {
    enum Kind { case mapping, sequence }
    var kind: Kind
    var location: SourceLocation
    var tag: String?
    var anchor: String?
    var items: [YAMLNode] = []
    /// For mappings: keys and values alternate in `items`.
    var size = 1
    var keys = 0
}

private struct TreeBuilder {
    let file: String
    let limits: YAMLLimits
    var bag = DiagnosticBag()
    var anchors: [String: Anchored] = [:]
    var openAnchors: Set<String> = []
    var frames: [Frame] = []
    var root: YAMLNode?
    var documents = 0
    var aliasExpansion = 0
    var totalKeys = 0

    init(file: String, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
    }

    func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    func diagnostic(_ code: ErrorCode, _ message: String, at mark: yaml_mark_t) -> ManifestDiagnostic {
        ManifestDiagnostic(.error, code, message, at: location(mark))
    }

    mutating func parse(_ bytes: [UInt8]) -> Result<YAMLNode, ManifestDiagnostic> {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return .failure(
                ManifestDiagnostic(.error, ErrorCode.Manifest.yamlSyntax, "the YAML parser could not start (out of memory)", at: SourceLocation(file: file, line: 1, column: 1)))
        }
        defer { yaml_parser_delete(&parser) }
        return bytes.withUnsafeBufferPointer { buffer -> Result<YAMLNode, ManifestDiagnostic> in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    return .failure(syntaxError(parser))
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                if let problem = handle(&event) { return .failure(problem) }
            }
            guard let root else {
                return .failure(
                    ManifestDiagnostic(.error, ErrorCode.Manifest.emptyDocument, "the file is empty; a manifest starts with `version: 1`", at: SourceLocation(file: file, line: 1, column: 1)))
            }
            return .success(root)
        }
    }

    func syntaxError(_ parser: yaml_parser_t) -> ManifestDiagnostic {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            message = "\(problem) \(context)"
        }
        let mark = parser.problem_mark
        return ManifestDiagnostic(.error, ErrorCode.Manifest.yamlSyntax, "YAML syntax error: \(message)", at: location(mark))
    }

    /// Handles one event; returns a diagnostic that stops parsing.
    mutating func handle(_ event: inout yaml_event_t) -> ManifestDiagnostic? {
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                return diagnostic(
                    ErrorCode.Manifest.multipleDocuments, "the file holds more than one YAML document (`---`); a manifest is a single document",
                    at: event.start_mark)
            }
            return nil
        case YAML_MAPPING_START_EVENT, YAML_SEQUENCE_START_EVENT:
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let tagPointer = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
            let anchorPointer = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
            let tag = tagPointer.map { String(cString: $0) }
            if let problem = checkTag(tag, at: event.start_mark) { return problem }
            if frames.count >= limits.maxDepth {
                return diagnostic(
                    ErrorCode.Manifest.tooDeep, "nesting is deeper than \(limits.maxDepth) levels", at: event.start_mark)
            }
            let anchor = anchorPointer.map { String(cString: $0) }
            if let anchor { openAnchors.insert(anchor) }
            frames.append(Frame(kind: isMapping ? .mapping : .sequence, location: location(event.start_mark), tag: tag, anchor: anchor))
            return nil
        case YAML_MAPPING_END_EVENT:
            guard let frame = frames.popLast() else { return nil }
            return finishMapping(frame)
        case YAML_SEQUENCE_END_EVENT:
            guard let frame = frames.popLast() else { return nil }
            let node = YAMLNode(.sequence(frame.items), location: frame.location, tag: frame.tag)
            return complete(node, size: frame.size, keys: frame.keys, anchor: frame.anchor, mark: event.end_mark)
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let tag = data.tag.map { String(cString: $0) }
            if let problem = checkTag(tag, at: event.start_mark) { return problem }
            let text: String
            if let value = data.value {
                text = String(decoding: UnsafeBufferPointer(start: value, count: Int(data.length)), as: UTF8.self)
            } else {
                text = ""
            }
            var style: ScalarStyle
            switch data.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            // An explicit !!str tag makes a plain scalar text, like quotes do.
            if style == .plain, tag == "tag:yaml.org,2002:str" || tag == "!" { style = .doubleQuoted }
            let node = YAMLNode(.scalar(YAMLScalar(text: text, style: style)), location: location(event.start_mark), tag: tag)
            let anchor = data.anchor.map { String(cString: $0) }
            return complete(node, size: 1, keys: 0, anchor: anchor, mark: event.start_mark)
        case YAML_ALIAS_EVENT:
            let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
            guard let target = anchors[name] else {
                if openAnchors.contains(name) {
                    return diagnostic(
                        ErrorCode.Manifest.undefinedAlias, "alias *\(name) refers to a node that contains it (a recursive alias)", at: event.start_mark)
                }
                return diagnostic(ErrorCode.Manifest.undefinedAlias, "alias *\(name) has no anchor &\(name) before it", at: event.start_mark)
            }
            aliasExpansion += target.size
            if aliasExpansion > limits.maxAliasExpansion {
                return diagnostic(
                    ErrorCode.Manifest.tooManyAliases,
                    "aliases expand to more than \(limits.maxAliasExpansion) nodes (an alias bomb?)", at: event.start_mark)
            }
            var node = target.node
            node.location = location(event.start_mark)
            return attach(node, size: target.size, keys: target.keys, mark: event.start_mark, viaAlias: true)
        default:
            return nil
        }
    }

    func checkTag(_ tag: String?, at mark: yaml_mark_t) -> ManifestDiagnostic? {
        guard let tag, !allowedTags.contains(tag) else { return nil }
        let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
        return diagnostic(
            ErrorCode.Manifest.unknownTag, "the tag \(shown) is not supported; manifests use plain YAML values (strings, numbers, true/false, lists, mappings)",
            at: mark)
    }

    /// Registers an anchor and attaches a finished node to its parent.
    mutating func complete(_ node: YAMLNode, size: Int, keys: Int, anchor: String?, mark: yaml_mark_t) -> ManifestDiagnostic? {
        if let anchor {
            anchors[anchor] = Anchored(node: node, size: size, keys: keys)
            openAnchors.remove(anchor)
        }
        return attach(node, size: size, keys: keys, mark: mark, viaAlias: false)
    }

    mutating func attach(_ node: YAMLNode, size: Int, keys: Int, mark: yaml_mark_t, viaAlias: Bool) -> ManifestDiagnostic? {
        if viaAlias {
            totalKeys += keys
            if totalKeys > limits.maxKeys { return tooManyKeys(mark) }
        }
        guard !frames.isEmpty else {
            root = node
            return nil
        }
        let index = frames.count - 1
        frames[index].items.append(node)
        frames[index].size += size
        frames[index].keys += keys
        if frames[index].kind == .mapping, frames[index].items.count % 2 == 1 {
            // A key was just added.
            if case .scalar = node.content {} else {
                return ManifestDiagnostic(
                    .error, ErrorCode.Manifest.complexKey, "mapping keys must be plain text, not \(node.kindDescription)", at: node.location)
            }
            frames[index].keys += 1
            totalKeys += 1
            if totalKeys > limits.maxKeys { return tooManyKeys(mark) }
        }
        return nil
    }

    func tooManyKeys(_ mark: yaml_mark_t) -> ManifestDiagnostic {
        diagnostic(ErrorCode.Manifest.tooManyKeys, "the document has more than \(limits.maxKeys) mapping keys", at: mark)
    }

    /// Builds a mapping from alternating keys and values, checking duplicates and applying merge keys.
    mutating func finishMapping(_ frame: Frame) -> ManifestDiagnostic? {
        var explicit: [String: SourceLocation] = [:]
        var rawPairs: [YAMLPair] = []
        var index = 0
        while index + 1 < frame.items.count {
            rawPairs.append(YAMLPair(key: frame.items[index], value: frame.items[index + 1]))
            index += 2
        }
        for pair in rawPairs where !isMergeKey(pair.key) {
            let text = pair.keyText
            if let first = explicit[text] {
                bag.error(
                    ErrorCode.Manifest.duplicateKey, "the key '\(text)' appears twice in this mapping; the second would silently replace the first",
                    at: pair.key.location, notes: [.init(first, "first '\(text)' is here")])
            } else {
                explicit[text] = pair.key.location
            }
        }
        var pairs: [YAMLPair] = []
        var present = Set(explicit.keys)
        for pair in rawPairs {
            guard isMergeKey(pair.key) else {
                pairs.append(pair)
                continue
            }
            let sources: [YAMLNode]
            switch pair.value.content {
            case .mapping: sources = [pair.value]
            case .sequence(let items) where items.allSatisfy({ $0.pairs != nil }): sources = items
            default:
                bag.error(
                    ErrorCode.Manifest.invalidMerge, "a merge key `<<` takes a mapping (usually an alias such as *defaults) or a list of them",
                    at: pair.value.location)
                continue
            }
            for source in sources {
                for merged in source.pairs ?? [] where !present.contains(merged.keyText) {
                    present.insert(merged.keyText)
                    pairs.append(merged)
                }
            }
        }
        let node = YAMLNode(.mapping(pairs), location: frame.location, tag: frame.tag)
        return complete(node, size: frame.size, keys: frame.keys, anchor: frame.anchor, mark: yaml_mark_t())
    }

    func isMergeKey(_ key: YAMLNode) -> Bool {
        guard let scalar = key.scalar else { return false }
        return scalar.text == "<<" && (scalar.style == .plain || key.tag == "tag:yaml.org,2002:merge")
    }
}
