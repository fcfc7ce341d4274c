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
    var index: Int32
    var size: Int
    var keys: Int
}

private struct Frame {
    var isMapping: Bool
    var line: Int32
    var column: Int32
    var tag: UInt16
    var anchor: String?
    /// Depth, which is also the index of this frame's child buffer in the pool.
    var depth: Int
    var size = 1
    var keys = 0
    var hasMerge = false
}

private struct TreeBuilder {
    let file: String
    let limits: YAMLLimits
    var bag = DiagnosticBag()
    var anchors: [String: Anchored] = [:]
    var openAnchors: Set<String> = []
    var frames: [Frame] = []
    /// One reusable child list per nesting depth.
    var childBuffers: [[Int32]] = []
    var records: [YAMLDocument.Record] = []
    var scalars: [String] = []
    var children: [Int32] = []
    var tags: [String] = []
    var tagIndex: [String: UInt16] = [:]
    var root: Int32?
    var documents = 0
    var aliasExpansion = 0
    var totalKeys = 0
    var totalNodes = 0

    init(file: String, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
    }

    func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    func location(of index: Int32) -> SourceLocation {
        let record = records[Int(index)]
        return SourceLocation(file: file, line: Int(record.line), column: Int(record.column))
    }

    func diagnostic(_ code: ErrorCode, _ message: String, at mark: yaml_mark_t) -> ManifestDiagnostic {
        ManifestDiagnostic(.error, code, message, at: location(mark))
    }

    /// The finished document, once parsing succeeded.
    func document() -> YAMLDocument {
        YAMLDocument(file: file, records: records, scalars: scalars, children: children, tags: tags)
    }

    mutating func parse(_ bytes: [UInt8]) -> Result<YAMLNode, ManifestDiagnostic> {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            return .failure(
                ManifestDiagnostic(
                    .error, ErrorCode.Manifest.yamlSyntax, "the YAML parser could not start (out of memory)",
                    at: SourceLocation(file: file, line: 1, column: 1)))
        }
        defer { yaml_parser_delete(&parser) }
        records.reserveCapacity(bytes.count / 6)
        scalars.reserveCapacity(bytes.count / 12)
        children.reserveCapacity(bytes.count / 6)
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
                    ManifestDiagnostic(
                        .error, ErrorCode.Manifest.emptyDocument, "the file is empty; a manifest starts with `version: 1`",
                        at: SourceLocation(file: file, line: 1, column: 1)))
            }
            return .success(YAMLNode(document: document(), index: root))
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

    mutating func internTag(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> UInt16 {
        guard let pointer else { return 0 }
        let tag = String(cString: pointer)
        if let index = tagIndex[tag] { return index }
        tags.append(tag)
        let index = UInt16(truncatingIfNeeded: tags.count)
        tagIndex[tag] = index
        return index
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
            if let problem = checkTag(tagPointer, at: event.start_mark) { return problem }
            if frames.count >= limits.maxDepth {
                return diagnostic(
                    ErrorCode.Manifest.tooDeep, "nesting is deeper than \(limits.maxDepth) levels", at: event.start_mark)
            }
            totalNodes += 1
            if totalNodes > limits.maxNodes {
                return diagnostic(ErrorCode.Manifest.tooManyNodes, "the document has more than \(limits.maxNodes) values", at: event.start_mark)
            }
            let anchor = anchorPointer.map { String(cString: $0) }
            if let anchor { openAnchors.insert(anchor) }
            let depth = frames.count
            if childBuffers.count <= depth { childBuffers.append([]) } else { childBuffers[depth].removeAll(keepingCapacity: true) }
            frames.append(
                Frame(
                    isMapping: isMapping, line: Int32(truncatingIfNeeded: event.start_mark.line + 1),
                    column: Int32(truncatingIfNeeded: event.start_mark.column + 1), tag: internTag(tagPointer), anchor: anchor, depth: depth))
            return nil
        case YAML_MAPPING_END_EVENT:
            guard let frame = frames.popLast() else { return nil }
            return finishMapping(frame)
        case YAML_SEQUENCE_END_EVENT:
            guard let frame = frames.popLast() else { return nil }
            let first = Int32(children.count)
            children.append(contentsOf: childBuffers[frame.depth])
            let index = appendRecord(
                kind: 2, style: .plain, tag: frame.tag, line: frame.line, column: frame.column, first: first,
                count: Int32(childBuffers[frame.depth].count))
            return complete(index, size: frame.size, keys: frame.keys, anchor: frame.anchor, mark: event.end_mark)
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            if let problem = checkTag(data.tag, at: event.start_mark) { return problem }
            totalNodes += 1
            if totalNodes > limits.maxNodes {
                return diagnostic(ErrorCode.Manifest.tooManyNodes, "the document has more than \(limits.maxNodes) values", at: event.start_mark)
            }
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
            let tag = internTag(data.tag)
            // An explicit !!str tag (or the non-specific `!`) makes a plain scalar text, like quotes do.
            if style == .plain, tag != 0, tags[Int(tag) - 1] == "tag:yaml.org,2002:str" || tags[Int(tag) - 1] == "!" { style = .doubleQuoted }
            scalars.append(text)
            let index = appendRecord(
                kind: 0, style: style, tag: tag, line: Int32(truncatingIfNeeded: event.start_mark.line + 1),
                column: Int32(truncatingIfNeeded: event.start_mark.column + 1), first: Int32(scalars.count - 1), count: 0)
            let anchor = data.anchor.map { String(cString: $0) }
            return complete(index, size: 1, keys: 0, anchor: anchor, mark: event.start_mark)
        case YAML_ALIAS_EVENT:
            let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
            guard let target = anchors[name] else {
                if openAnchors.contains(name) {
                    return diagnostic(
                        ErrorCode.Manifest.undefinedAlias, "alias *\(name) refers to a node that contains it (a recursive alias)",
                        at: event.start_mark)
                }
                return diagnostic(ErrorCode.Manifest.undefinedAlias, "alias *\(name) has no anchor &\(name) before it", at: event.start_mark)
            }
            aliasExpansion += target.size
            if aliasExpansion > limits.maxAliasExpansion {
                return diagnostic(
                    ErrorCode.Manifest.tooManyAliases,
                    "aliases expand to more than \(limits.maxAliasExpansion) nodes (an alias bomb?)", at: event.start_mark)
            }
            // The alias shares the anchored content but keeps its own position.
            var record = records[Int(target.index)]
            record.line = Int32(truncatingIfNeeded: event.start_mark.line + 1)
            record.column = Int32(truncatingIfNeeded: event.start_mark.column + 1)
            records.append(record)
            return attach(Int32(records.count - 1), size: target.size, keys: target.keys, mark: event.start_mark, viaAlias: true)
        default:
            return nil
        }
    }

    mutating func appendRecord(kind: UInt8, style: ScalarStyle, tag: UInt16, line: Int32, column: Int32, first: Int32, count: Int32) -> Int32 {
        records.append(YAMLDocument.Record(kind: kind, style: style, tag: tag, line: line, column: column, first: first, count: count))
        return Int32(records.count - 1)
    }

    func checkTag(_ pointer: UnsafeMutablePointer<yaml_char_t>?, at mark: yaml_mark_t) -> ManifestDiagnostic? {
        guard let pointer else { return nil }
        let tag = String(cString: pointer)
        guard !allowedTags.contains(tag) else { return nil }
        let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
        return diagnostic(
            ErrorCode.Manifest.unknownTag,
            "the tag \(shown) is not supported; manifests use plain YAML values (strings, numbers, true/false, lists, mappings)",
            at: mark)
    }

    /// Registers an anchor and attaches a finished node to its parent.
    mutating func complete(_ index: Int32, size: Int, keys: Int, anchor: String?, mark: yaml_mark_t) -> ManifestDiagnostic? {
        if let anchor {
            anchors[anchor] = Anchored(index: index, size: size, keys: keys)
            openAnchors.remove(anchor)
        }
        return attach(index, size: size, keys: keys, mark: mark, viaAlias: false)
    }

    mutating func attach(_ index: Int32, size: Int, keys: Int, mark: yaml_mark_t, viaAlias: Bool) -> ManifestDiagnostic? {
        if viaAlias {
            totalKeys += keys
            if totalKeys > limits.maxKeys { return tooManyKeys(mark) }
        }
        guard let top = frames.indices.last else {
            root = index
            return nil
        }
        frames[top].size += size
        frames[top].keys += keys
        let depth = frames[top].depth
        childBuffers[depth].append(index)
        guard frames[top].isMapping, childBuffers[depth].count % 2 == 1 else { return nil }
        // A key was just added.
        let record = records[Int(index)]
        guard record.kind == 0 else {
            let kind = record.kind == 1 ? "a mapping" : "a list"
            return ManifestDiagnostic(
                .error, ErrorCode.Manifest.complexKey, "mapping keys must be plain text, not \(kind)", at: location(of: index))
        }
        if isMergeKey(index) { frames[top].hasMerge = true }
        frames[top].keys += 1
        totalKeys += 1
        if totalKeys > limits.maxKeys { return tooManyKeys(mark) }
        return nil
    }

    func tooManyKeys(_ mark: yaml_mark_t) -> ManifestDiagnostic {
        diagnostic(ErrorCode.Manifest.tooManyKeys, "the document has more than \(limits.maxKeys) mapping keys", at: mark)
    }

    func keyText(_ index: Int32) -> String {
        let record = records[Int(index)]
        return record.kind == 0 ? scalars[Int(record.first)] : ""
    }

    /// Builds a mapping from alternating keys and values, checking duplicates and applying merge keys.
    mutating func finishMapping(_ frame: Frame) -> ManifestDiagnostic? {
        let entries = childBuffers[frame.depth]
        checkDuplicates(entries)
        let first = Int32(children.count)
        if !frame.hasMerge {
            children.append(contentsOf: entries)
        } else if let problem = appendMerged(entries) {
            return problem
        }
        let index = appendRecord(
            kind: 1, style: .plain, tag: frame.tag, line: frame.line, column: frame.column, first: first, count: Int32(children.count) - first)
        return complete(index, size: frame.size, keys: frame.keys, anchor: frame.anchor, mark: yaml_mark_t())
    }

    /// Appends the entries of a mapping with merge keys: written keys keep their place,
    /// each `<<` is replaced by the merged entries not written explicitly (earlier sources win).
    mutating func appendMerged(_ entries: [Int32]) -> ManifestDiagnostic? {
        var present = Set<String>()
        var position = 0
        while position + 1 < entries.count {
            if !isMergeKey(entries[position]) { present.insert(keyText(entries[position])) }
            position += 2
        }
        position = 0
        while position + 1 < entries.count {
            let key = entries[position]
            let value = entries[position + 1]
            position += 2
            guard isMergeKey(key) else {
                children.append(key)
                children.append(value)
                continue
            }
            let valueRecord = records[Int(value)]
            var sources: [Int32] = []
            if valueRecord.kind == 1 {
                sources = [value]
            } else if valueRecord.kind == 2 {
                let items = Array(children[Int(valueRecord.first)..<Int(valueRecord.first + valueRecord.count)])
                if items.allSatisfy({ records[Int($0)].kind == 1 }) { sources = items }
            }
            guard !sources.isEmpty else {
                bag.error(
                    ErrorCode.Manifest.invalidMerge, "a merge key `<<` takes a mapping (usually an alias such as *defaults) or a list of them",
                    at: location(of: value))
                continue
            }
            for source in sources {
                let record = records[Int(source)]
                var offset = Int(record.first)
                let end = Int(record.first + record.count)
                while offset + 1 < end {
                    let mergedKey = children[offset]
                    let mergedValue = children[offset + 1]
                    offset += 2
                    let text = keyText(mergedKey)
                    guard !present.contains(text) else { continue }
                    present.insert(text)
                    children.append(mergedKey)
                    children.append(mergedValue)
                }
            }
        }
        return nil
    }

    /// Reports keys written twice (merge keys aside); small mappings are scanned, large ones hashed.
    mutating func checkDuplicates(_ entries: [Int32]) {
        let count = entries.count / 2
        var duplicates: [(index: Int32, first: Int32)] = []
        if count <= 16 {
            // Pairwise, without building anything: most mappings are small and most keys
            // are short (inline) strings, so a comparison costs a few instructions.
            for position in 0..<count {
                let key = entries[2 * position]
                if isMergeKey(key) { continue }
                let text = keyText(key)
                for earlier in 0..<position {
                    let other = entries[2 * earlier]
                    let otherText = keyText(other)
                    if otherText.utf8.count == text.utf8.count, otherText == text, !isMergeKey(other) {
                        duplicates.append((key, other))
                        break
                    }
                }
            }
        } else {
            var seen: [String: Int32] = [:]
            seen.reserveCapacity(count)
            for position in 0..<count where !isMergeKey(entries[2 * position]) {
                let key = entries[2 * position]
                let text = keyText(key)
                if let first = seen[text] { duplicates.append((key, first)) } else { seen[text] = key }
            }
        }
        for (index, first) in duplicates {
            let text = keyText(index)
            bag.error(
                ErrorCode.Manifest.duplicateKey, "the key '\(text)' appears twice in this mapping; the second would silently replace the first",
                at: location(of: index), notes: [.init(location(of: first), "first '\(text)' is here")])
        }
    }

    func isMergeKey(_ index: Int32) -> Bool {
        let record = records[Int(index)]
        guard record.kind == 0 else { return false }
        let text = scalars[Int(record.first)]
        guard text.utf8.first == UInt8(ascii: "<"), text == "<<" else { return false }
        return record.style == .plain || (record.tag != 0 && tags[Int(record.tag) - 1] == "tag:yaml.org,2002:merge")
    }
}
