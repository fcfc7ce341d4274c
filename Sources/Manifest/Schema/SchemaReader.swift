import Executor

/// Reads YAML nodes according to ``OptionSchema``/``OptionType`` declarations,
/// producing typed ``OptionValue``s and a diagnostic for every mismatch (it never
/// stops at the first). The manifest's own blocks and every adapter's options
/// are read by this one reader, from the same declarations that `runjob schema`
/// prints.
final class SchemaReader {
    private(set) var bag = DiagnosticBag()
    let interpolator: Interpolator
    let strict: Bool
    /// Whether absolute paths are refused (the provider's ``ProviderDescriptor/pathsStayInInstance``);
    /// set once the provider kind is known, before the blocks with paths are read.
    var pathsStayInInstance = false
    /// Sources of short secrets already warned about (one warning per source).
    private var warnedShortSecrets: Set<SecretSource> = []
    /// Every secret source read, with whether it was missing.
    private(set) var references: [Interpolator.Reference] = []
    /// Every `${auth:…}` read, with where it was written (for checks across blocks).
    private(set) var loginReferences: [LocatedReference] = []

    /// Every `${resource:…}` read, with where it was written (for checks across blocks).
    private(set) var outputReferences: [LocatedOutput] = []

    /// A resource output reference and the place it was written.
    struct LocatedOutput: Sendable {
        var reference: OutputReference
        var location: SourceLocation
        var path: String
    }

    /// A reference and the place it was written.
    struct LocatedReference: Sendable {
        var reference: Interpolator.Reference
        var location: SourceLocation
        var path: String
    }

    /// Everything a reader found, to move to another reader (see ``absorb(_:)``).
    struct Findings: Sendable {
        var diagnostics: [ManifestDiagnostic]
        var references: [Interpolator.Reference]
        var loginReferences: [LocatedReference]
        var warnedShortSecrets: Set<SecretSource>
        var outputReferences: [LocatedOutput]
    }

    /// This reader's findings.
    var findings: Findings {
        Findings(diagnostics: bag.items, references: references, loginReferences: loginReferences, warnedShortSecrets: warnedShortSecrets,
            outputReferences: outputReferences)
    }

    /// Takes over another reader's findings (read from a later part of the document),
    /// dropping short-secret warnings this reader already gave.
    func absorb(_ other: Findings) {
        for diagnostic in other.diagnostics {
            if diagnostic.code == ErrorCode.Manifest.shortSecret || diagnostic.code == ErrorCode.Manifest.unmaskableSecret,
                let source = other.references.first(where: { diagnostic.message.contains("secret \($0.source) ") })?.source,
                warnedShortSecrets.contains(source)
            {
                continue
            }
            bag.append(diagnostic)
        }
        references += other.references
        loginReferences += other.loginReferences
        outputReferences += other.outputReferences
        warnedShortSecrets.formUnion(other.warnedShortSecrets)
    }

    init(interpolator: Interpolator, strict: Bool) {
        self.interpolator = interpolator
        self.strict = strict
    }

    func error(
        _ code: ErrorCode, _ message: String, at node: YAMLNode, path: YAMLPath, suggestion: String? = nil, notes: [ManifestDiagnostic.Note] = []
    ) {
        bag.error(code, message, at: node.location, path: path.text, suggestion: suggestion, notes: notes)
    }

    func error(_ code: ErrorCode, _ message: String, at location: SourceLocation, path: YAMLPath, suggestion: String? = nil) {
        bag.error(code, message, at: location, path: path.text, suggestion: suggestion)
    }

    func warning(_ code: ErrorCode, _ message: String, at node: YAMLNode, path: YAMLPath) {
        bag.warning(code, message, at: node.location, path: path.text)
    }

    func append(_ diagnostic: ManifestDiagnostic) {
        bag.append(diagnostic)
    }

    // MARK: Values by type

    /// Reads `node` as `type`; `nil` (with a diagnostic) when it does not fit.
    func read(_ node: YAMLNode, as type: OptionType, secrets: SecretPolicy, path: YAMLPath) -> OptionValue? {
        switch type {
        case .text(let format): return readText(node, format: format, secrets: secrets, path: path).map(OptionValue.text)
        case .path: return readPath(node, secrets: secrets, path: path).map(OptionValue.path)
        case .mode: return readMode(node, path: path).map(OptionValue.mode)
        case .integer(let minimum, let maximum): return readInteger(node, min: minimum, max: maximum, path: path).map(OptionValue.integer)
        case .boolean: return readBoolean(node, path: path).map(OptionValue.boolean)
        case .duration: return readDuration(node, path: path).map(OptionValue.duration)
        case .choice(let choices): return readChoice(node, choices: choices, path: path).map { .text(InterpolatedString($0)) }
        case .list(let element):
            guard let items = expectSequence(node, path: path) else { return nil }
            var values: [OptionValue] = []
            var failed = false
            for (index, item) in items.enumerated() {
                if let value = read(item, as: element, secrets: secrets, path: path.appending(index: index)) {
                    values.append(value)
                } else {
                    failed = true
                }
            }
            return failed ? nil : .list(values)
        case .map(let keyFormat, let valueType):
            guard let pairs = expectMapping(node, path: path) else { return nil }
            var entries: [OptionEntry] = []
            var failed = false
            for pair in pairs {
                let key = pair.keyText
                let entryPath = path.appending(key)
                if !checkKey(key, format: keyFormat, at: pair.key, path: entryPath) { failed = true }
                if let value = read(pair.value, as: valueType, secrets: secrets, path: entryPath) {
                    entries.append(OptionEntry(key, value))
                } else {
                    failed = true
                }
            }
            return failed ? nil : .map(entries)
        case .object(let schema):
            return readObject(node, schema: schema, path: path).map(OptionValue.object)
        case .json:
            return readJSON(node, path: path).map(OptionValue.json)
        case .command:
            return readCommand(node, path: path).map(OptionValue.command)
        case .variants(let variants):
            return readVariants(node, variants: variants, path: path).map { .variant($0.0, $0.1) }
        }
    }

    /// Reads a mapping with the declared fields: unknown keys, missing required
    /// fields and every field's value are checked.
    func readObject(_ node: YAMLNode, schema: OptionSchema, path: YAMLPath, ignoring ignored: [String] = []) -> AdapterOptions? {
        guard let pairs = expectMapping(node, path: path) else { return nil }
        // Fields are used in place (`fields[index].…`), never copied: this runs for every
        // block of every session, and a copy retains each of a field's members.
        let fields = schema.fields
        var slots = [FieldSlot](repeating: .absent, count: fields.count)
        var failed = false
        for pair in pairs {
            let key = pair.keyText
            if !ignored.isEmpty, ignored.contains(key) { continue }
            guard let index = fields.firstIndex(where: { $0.name == key }) else {
                reportUnknownKey(key, at: pair.key, path: path, known: fields.map(\.name) + ignored)
                failed = true
                continue
            }
            if let value = read(pair.value, as: fields[index].type, secrets: fields[index].secrets, path: path.appending(key)) {
                slots[index] = .read(value)
            } else {
                slots[index] = .failed
                failed = true
            }
        }
        for index in fields.indices where fields[index].required {
            guard case .absent = slots[index] else { continue }
            error(
                ErrorCode.Manifest.missingField, "the required field `\(fields[index].name)` is missing (\(fields[index].doc))", at: node,
                path: path)
            failed = true
        }
        if failed { return nil }
        var entries: [OptionEntry] = []
        entries.reserveCapacity(pairs.count)
        for index in fields.indices {
            if case .read(let value) = slots[index] { entries.append(OptionEntry(fields[index].name, value)) }
        }
        return AdapterOptions(entries)
    }

    /// What ``readObject(_:schema:path:ignoring:)`` found for one field.
    private enum FieldSlot {
        case absent
        case failed
        case read(OptionValue)
    }

    func reportUnknownKey(_ key: String, at node: YAMLNode, path: YAMLPath, known: [String]) {
        let suggestion = Suggestions.closest(to: key, among: known)
        let list = known.isEmpty ? "this block takes no keys" : "known keys: \(known.joined(separator: ", "))"
        error(ErrorCode.Manifest.unknownKey, "unknown key `\(key)` (\(list))", at: node, path: path.appending(key), suggestion: suggestion)
    }

    /// Reads a variants block: shorthand scalar or mapping with the discriminator.
    func readVariants(_ node: YAMLNode, variants: Variants, path: YAMLPath) -> (String?, AdapterOptions)? {
        // Only diagnostics need the names: not built for every block read.
        var names: [String] { variants.cases.map(\.name) }
        if let scalar = node.scalar, variants.allowsShorthand, !scalar.isNull {
            guard let selected = variants.case(scalar.text) else {
                reportUnknownKind(scalar.text, at: node, path: path, names: names, discriminator: variants.discriminator)
                return nil
            }
            let missing = selected.schema.fields.filter(\.required)
            for field in missing {
                error(
                    ErrorCode.Manifest.missingField,
                    "`\(selected.name)` needs the field `\(field.name)`; write the block as a mapping with `\(variants.discriminator): \(selected.name)`",
                    at: node, path: path)
            }
            return missing.isEmpty ? (selected.name, AdapterOptions()) : nil
        }
        guard let pairs = expectMapping(node, path: path, allowShorthand: variants.allowsShorthand) else { return nil }
        guard let discriminatorPair = pairs.first(where: { $0.keyText == variants.discriminator }) else {
            guard let fallback = variants.fallback else {
                error(
                    ErrorCode.Manifest.missingField, "the field `\(variants.discriminator)` is missing (one of: \(names.joined(separator: ", ")))",
                    at: node, path: path)
                return nil
            }
            return readObject(node, schema: fallback.schema, path: path).map { (nil, $0) }
        }
        let discriminatorPath = path.appending(variants.discriminator)
        guard let kind = readChoiceText(discriminatorPair.value, path: discriminatorPath) else { return nil }
        guard let selected = variants.case(kind) else {
            reportUnknownKind(kind, at: discriminatorPair.value, path: discriminatorPath, names: names, discriminator: variants.discriminator)
            return nil
        }
        return readObject(node, schema: selected.schema, path: path, ignoring: [variants.discriminator]).map { (selected.name, $0) }
    }

    func reportUnknownKind(_ kind: String, at node: YAMLNode, path: YAMLPath, names: [String], discriminator: String) {
        error(
            ErrorCode.Manifest.unknownKind, "unknown \(discriminator) `\(kind)` (known: \(names.joined(separator: ", ")))", at: node, path: path,
            suggestion: Suggestions.closest(to: kind, among: names))
    }

    // MARK: Structure

    func expectMapping(_ node: YAMLNode, path: YAMLPath, allowShorthand: Bool = false) -> YAMLNode.Pairs? {
        if let pairs = node.pairs { return pairs }
        let expected = allowShorthand ? "a mapping or a single word" : "a mapping"
        error(ErrorCode.Manifest.wrongType, "expected \(expected), found \(node.kindDescription)", at: node, path: path)
        return nil
    }

    func expectSequence(_ node: YAMLNode, path: YAMLPath) -> YAMLNode.Items? {
        if let items = node.items { return items }
        var message = "expected a list, found \(node.kindDescription)"
        if let scalar = node.scalar, !scalar.isNull { message += "; write `[\(scalar.text)]` for a list of one" }
        error(ErrorCode.Manifest.wrongType, message, at: node, path: path)
        return nil
    }

    func expectScalar(_ node: YAMLNode, expected: String, path: YAMLPath) -> YAMLScalar? {
        guard let scalar = node.scalar else {
            error(ErrorCode.Manifest.wrongType, "expected \(expected), found \(node.kindDescription)", at: node, path: path)
            return nil
        }
        if scalar.style == .plain && scalar.text.isEmpty {
            error(ErrorCode.Manifest.wrongType, "expected \(expected), found no value", at: node, path: path)
            return nil
        }
        return scalar
    }

    func checkKey(_ key: String, format: TextFormat, at node: YAMLNode, path: YAMLPath) -> Bool {
        switch format {
        case .name:
            if !ScalarParsing.isName(key) {
                error(ErrorCode.Manifest.invalidName, "`\(key)` is not a valid name: \(ScalarParsing.namePatternHelp)", at: node, path: path)
                return false
            }
        case .envName:
            if !Interpolator.isEnvName(key) {
                error(
                    ErrorCode.Manifest.invalidEnvName,
                    "`\(key)` is not a valid environment variable name (letters, digits and _, not starting with a digit)",
                    at: node, path: path)
                return false
            }
        case .labelKey:
            if !ScalarParsing.isLabelKey(key) {
                error(ErrorCode.Manifest.invalidName, "`\(key)` is not a valid label key (1–63 letters, digits, ., _, -, /)", at: node, path: path)
                return false
            }
            if key.hasPrefix("runjob.") {
                error(
                    ErrorCode.Manifest.invalidName, "labels starting with `runjob.` are reserved for runjob's own identity labels", at: node,
                    path: path)
                return false
            }
        case .any, .url, .line:
            break
        }
        return true
    }

    // MARK: Scalars

    /// Reads text, resolving `${…}` references and enforcing the secret policy.
    func readText(_ node: YAMLNode, format: TextFormat, secrets: SecretPolicy, path: YAMLPath) -> InterpolatedString? {
        guard let scalar = expectScalar(node, expected: "text", path: path) else { return nil }
        if scalar.style == .plain, scalar.isNull {
            error(ErrorCode.Manifest.wrongType, "expected text, found null (`\(scalar.text)`); quote it if you mean the text", at: node, path: path)
            return nil
        }
        if scalar.style == .plain, ScalarParsing.yaml11Booleans[scalar.text] != nil {
            warning(
                ErrorCode.Manifest.yaml11Boolean,
                "`\(scalar.text)` is read as the text \"\(scalar.text)\", but YAML 1.1 tools read it as a Boolean; quote it to be unambiguous",
                at: node, path: path)
        }
        guard let value = interpolate(scalar.text, at: node, secrets: secrets, path: path) else { return nil }
        if let plain = value.plainValue, !checkFormat(plain, format: format, at: node, path: path) { return nil }
        return value
    }

    /// Interpolates text and applies the secret policy.
    func interpolate(_ text: String, at node: YAMLNode, secrets: SecretPolicy, path: YAMLPath) -> InterpolatedString? {
        switch interpolator.interpolate(text) {
        case .failure(let problem):
            error(problem.code, problem.message, at: node, path: path, suggestion: problem.suggestion)
            return nil
        case .success(let (value, used)):
            // Resource outputs are rare: look for them only when a reference was one.
            let outputs = used.contains(where: { $0.source.kind == .runtime }) ? value.outputs : []
            if !outputs.isEmpty {
                guard secrets == .allowedWithOutputs else {
                    error(
                        ErrorCode.Manifest.outputNotAllowed,
                        "`${\(outputs[0])}` can only be used in a session's `env` or `prompt`, or in a credential file's `content`"
                            + (secrets == .command ? " (inside a command it would be visible in process lists); pass it through the session's `env:`" : ""),
                        at: node, path: path)
                    return nil
                }
                let pathText = path.text
                outputReferences += outputs.map { LocatedOutput(reference: $0, location: node.location, path: pathText) }
            }
            for reference in used where reference.source.kind != .runtime {
                references.append(reference)
                noteReference(reference, at: node, path: path)
            }
            if value.containsSecret || used.contains(where: { !$0.isPlain }) {
                switch secrets {
                case .allowed, .allowedWithOutputs: break
                case .forbidden:
                    error(
                        ErrorCode.Manifest.secretNotAllowed,
                        "this field cannot hold a secret (\(used.first.map { $0.source.description } ?? "")); values from env and files are secret unless marked `|plain`",
                        at: node, path: path)
                    return nil
                case .command:
                    error(
                        ErrorCode.Manifest.secretInCommand,
                        "a secret (\(used.first(where: { !$0.isPlain }).map { $0.source.description } ?? "")) inside a command would be visible in process lists and in the process manager's state; pass it through the session's `env:` or a credentials file instead",
                        at: node, path: path)
                    return nil
                }
            }
            return value
        }
    }

    private func noteReference(_ reference: Interpolator.Reference, at node: YAMLNode, path: YAMLPath) {
        if reference.source.kind == .auth {
            loginReferences.append(LocatedReference(reference: reference, location: node.location, path: path.text))
            return
        }
        if reference.isMissing {
            guard strict else { return }
            let isEnv = reference.source.kind == .env
            error(
                isEnv ? ErrorCode.Manifest.envUnset : ErrorCode.Manifest.fileMissing,
                isEnv
                    ? "the environment variable `\(reference.source.name)` is not set (--strict)"
                    : "the file `\(reference.source.name)` does not exist (--strict)",
                at: node, path: path)
            return
        }
        if reference.masksOutput, !warnedShortSecrets.contains(reference.source) {
            warnedShortSecrets.insert(reference.source)
            error(
                ErrorCode.Manifest.unmaskableSecret,
                "the secret \(reference.source) has a value that runjob itself prints (a number, a Boolean, a status or field name, or a piece of one), "
                    + "so masking it would corrupt runjob's output; use a longer value, or mark it `|plain` if it is not secret",
                at: node, path: path)
            return
        }
        // An empty value is reported where it is used (e.g. "the API key is empty"), not as a short secret.
        if !reference.isPlain, !reference.usedDefault, reference.valueBytes > 0, reference.valueBytes < 8,
            !warnedShortSecrets.contains(reference.source)
        {
            warnedShortSecrets.insert(reference.source)
            let extra = reference.valueBytes < 4 ? "; it is too short to be redacted at all" : ""
            warning(
                ErrorCode.Manifest.shortSecret,
                "the secret \(reference.source) is only \(reference.valueBytes) bytes; redacting it would mangle ordinary text\(extra)",
                at: node, path: path)
        }
    }

    func checkFormat(_ text: String, format: TextFormat, at node: YAMLNode, path: YAMLPath) -> Bool {
        switch format {
        case .any: return true
        case .name:
            guard ScalarParsing.isName(text) else {
                error(ErrorCode.Manifest.invalidName, "`\(text)` is not a valid name: \(ScalarParsing.namePatternHelp)", at: node, path: path)
                return false
            }
        case .envName:
            guard Interpolator.isEnvName(text) else {
                error(ErrorCode.Manifest.invalidEnvName, "`\(text)` is not a valid environment variable name", at: node, path: path)
                return false
            }
        case .url:
            guard ScalarParsing.isURL(text) else {
                error(ErrorCode.Manifest.invalidValue, "`\(text)` is not an http:// or https:// URL", at: node, path: path)
                return false
            }
        case .labelKey:
            return checkKey(text, format: .labelKey, at: node, path: path)
        case .line:
            guard !text.isEmpty, !text.utf8.contains(UInt8(ascii: "\n")) else {
                error(ErrorCode.Manifest.invalidValue, "expected a single non-empty line", at: node, path: path)
                return false
            }
        }
        return true
    }

    func readPath(_ node: YAMLNode, secrets: SecretPolicy, path: YAMLPath) -> RemotePath? {
        guard let scalar = expectScalar(node, expected: "a path (absolute, or starting with ~)", path: path) else { return nil }
        if scalar.style == .plain && scalar.text == "~" { return .home("") }
        guard let value = interpolate(scalar.text, at: node, secrets: secrets == .allowed || secrets == .allowedWithOutputs ? .forbidden : secrets, path: path) else { return nil }
        guard let text = value.plainValue else {
            error(
                ErrorCode.Manifest.envUnset,
                "the path uses \(value.unresolvedSources.map { "${\($0)|plain}" }.joined(separator: ", ")), which is not set; paths must be known to plan",
                at: node, path: path)
            return nil
        }
        switch RemotePath.parse(text) {
        case .success(.absolute(let absolute)) where pathsStayInInstance:
            error(
                ErrorCode.Manifest.pathOutsideInstance,
                "`\(absolute)` is outside the instance: this provider's instances are folders on this machine, so every path must be under `~` "
                    + "(the instance home); an absolute path would be written outside the instance and left behind by destroy",
                at: node, path: path)
        case .success(let remote): return remote
        case .failure(.leavesHome):
            error(
                ErrorCode.Manifest.pathLeavesHome, "`\(text)` climbs out of the instance home: its `..` go above `~`; write a path inside `~`",
                at: node, path: path)
        case .failure(.relative):
            error(
                ErrorCode.Manifest.relativePath,
                "`\(text)` is relative; paths on the instance are absolute or start with `~` (the instance home), e.g. `~/\(text)`",
                at: node, path: path)
        case .failure(.invalid(let reason)):
            error(ErrorCode.Manifest.invalidPath, "`\(text)` is not a usable path: \(reason)", at: node, path: path)
        }
        return nil
    }

    func readMode(_ node: YAMLNode, path: YAMLPath) -> FileMode? {
        guard let scalar = expectScalar(node, expected: "an octal file mode such as 0600", path: path) else { return nil }
        guard let mode = FileMode(octal: scalar.text) else {
            error(
                ErrorCode.Manifest.invalidMode,
                "`\(scalar.text)` is not a file mode; write octal digits 0–7, at most 7777 (e.g. 0600 or \"0700\")", at: node, path: path)
            return nil
        }
        return mode
    }

    func readInteger(_ node: YAMLNode, min minimum: Int?, max maximum: Int?, path: YAMLPath) -> Int? {
        guard let scalar = expectScalar(node, expected: "a whole number", path: path) else { return nil }
        guard let value = ScalarParsing.integer(scalar.text) else {
            error(ErrorCode.Manifest.wrongType, "expected a whole number, found `\(scalar.text)`", at: node, path: path)
            return nil
        }
        if scalar.style != .plain {
            error(
                ErrorCode.Manifest.wrongType, "expected a whole number, found quoted text; write \(scalar.text) without quotes", at: node, path: path)
            return nil
        }
        if let minimum, value < minimum {
            error(ErrorCode.Manifest.invalidValue, "\(value) is too small (minimum \(minimum))", at: node, path: path)
            return nil
        }
        if let maximum, value > maximum {
            error(ErrorCode.Manifest.invalidValue, "\(value) is too large (maximum \(maximum))", at: node, path: path)
            return nil
        }
        return value
    }

    func readBoolean(_ node: YAMLNode, path: YAMLPath) -> Bool? {
        guard let scalar = expectScalar(node, expected: "true or false", path: path) else { return nil }
        if scalar.style == .plain, let value = ScalarParsing.boolean(scalar.text) { return value }
        if scalar.style == .plain, let meant = ScalarParsing.yaml11Booleans[scalar.text] {
            error(
                ErrorCode.Manifest.wrongType, "`\(scalar.text)` is not a Boolean here; write true or false", at: node, path: path,
                suggestion: meant ? "true" : "false")
            return nil
        }
        if ScalarParsing.boolean(scalar.text) != nil {
            error(ErrorCode.Manifest.wrongType, "expected true or false, found quoted text; remove the quotes", at: node, path: path)
            return nil
        }
        error(ErrorCode.Manifest.wrongType, "expected true or false, found `\(scalar.text)`", at: node, path: path)
        return nil
    }

    func readDuration(_ node: YAMLNode, path: YAMLPath) -> Int? {
        guard let scalar = expectScalar(node, expected: "a duration", path: path) else { return nil }
        guard let milliseconds = ScalarParsing.durationMilliseconds(scalar.text) else {
            error(
                ErrorCode.Manifest.invalidValue, "`\(scalar.text)` is not a duration; write seconds (90) or units (500ms, 30s, 5m, 2h, 1h30m)",
                at: node, path: path)
            return nil
        }
        return milliseconds
    }

    func readChoiceText(_ node: YAMLNode, path: YAMLPath) -> String? {
        guard let scalar = expectScalar(node, expected: "a word", path: path) else { return nil }
        return scalar.text
    }

    func readChoice(_ node: YAMLNode, choices: [String], path: YAMLPath) -> String? {
        guard let text = readChoiceText(node, path: path) else { return nil }
        guard choices.contains(text) else {
            error(
                ErrorCode.Manifest.invalidValue, "`\(text)` is not one of: \(choices.joined(separator: ", "))", at: node, path: path,
                suggestion: Suggestions.closest(to: text, among: choices))
            return nil
        }
        return text
    }

    // MARK: Commands and free-form JSON

    func readCommand(_ node: YAMLNode, path: YAMLPath) -> CommandTemplate? {
        if let scalar = node.scalar {
            guard !scalar.isNull else {
                error(
                    ErrorCode.Manifest.wrongType, "expected a command (a shell script, {shell: …} or {argv: […]}), found no value", at: node,
                    path: path)
                return nil
            }
            return interpolate(scalar.text, at: node, secrets: .command, path: path).map { CommandTemplate.shell($0.placeholderText) }
        }
        guard let pairs = node.pairs else {
            error(
                ErrorCode.Manifest.wrongType,
                "expected a command (a shell script, {shell: …} or {argv: […]}), found a list; put the list under `argv:`",
                at: node, path: path)
            return nil
        }
        var result: CommandTemplate?
        var failed = false
        for pair in pairs {
            let key = pair.keyText
            let keyPath = path.appending(key)
            switch key {
            case "shell":
                if let text = readText(pair.value, format: .any, secrets: .command, path: keyPath) {
                    result = .shell(text.placeholderText)
                } else {
                    failed = true
                }
            case "argv":
                guard let items = expectSequence(pair.value, path: keyPath) else {
                    failed = true
                    continue
                }
                if items.isEmpty {
                    error(ErrorCode.Manifest.invalidValue, "`argv` needs at least the program name", at: pair.value, path: keyPath)
                    failed = true
                    continue
                }
                var arguments: [String] = []
                for (index, item) in items.enumerated() {
                    if let text = readArgument(item, path: keyPath.appending(index: index)) {
                        arguments.append(text)
                    } else {
                        failed = true
                    }
                }
                result = .argv(arguments)
            default:
                reportUnknownKey(key, at: pair.key, path: path, known: ["shell", "argv"])
                failed = true
            }
        }
        let given = pairs.map(\.keyText).filter { $0 == "shell" || $0 == "argv" }
        if given.count > 1 {
            error(ErrorCode.Manifest.conflictingFields, "a command has either `shell` or `argv`, not both", at: node, path: path)
            return nil
        }
        if given.isEmpty, !failed {
            error(ErrorCode.Manifest.missingField, "a command needs `shell: <script>` or `argv: [program, args…]`", at: node, path: path)
            return nil
        }
        return failed ? nil : result
    }

    /// One argv element: any scalar's text (numbers included), no secrets.
    func readArgument(_ node: YAMLNode, path: YAMLPath) -> String? {
        guard let scalar = node.scalar else {
            error(ErrorCode.Manifest.wrongType, "expected a command argument, found \(node.kindDescription)", at: node, path: path)
            return nil
        }
        return interpolate(scalar.text, at: node, secrets: .command, path: path)?.placeholderText
    }

    /// Converts free-form YAML to JSON with YAML 1.2 core-schema scalars (quoted text stays text).
    func readJSON(_ node: YAMLNode, path: YAMLPath) -> JSONValue? {
        switch node.content {
        case .mapping(let pairs):
            var members: [JSONValue.Member] = []
            var failed = false
            for pair in pairs {
                if let value = readJSON(pair.value, path: path.appending(pair.keyText)) {
                    members.append(.init(pair.keyText, value))
                } else {
                    failed = true
                }
            }
            return failed ? nil : .object(members)
        case .sequence(let items):
            var values: [JSONValue] = []
            var failed = false
            for (index, item) in items.enumerated() {
                if let value = readJSON(item, path: path.appending(index: index)) { values.append(value) } else { failed = true }
            }
            return failed ? nil : .array(values)
        case .scalar(let scalar):
            if scalar.style == .plain {
                if scalar.isNull { return .null }
                if let flag = ScalarParsing.boolean(scalar.text) { return .bool(flag) }
                if let number = ScalarParsing.integer(scalar.text) { return .int(number) }
                if let number = ScalarParsing.float(scalar.text) { return .double(number) }
                if ScalarParsing.yaml11Booleans[scalar.text] != nil {
                    warning(
                        ErrorCode.Manifest.yaml11Boolean,
                        "`\(scalar.text)` is kept as the text \"\(scalar.text)\", but YAML 1.1 tools read it as a Boolean; quote it, or write true/false",
                        at: node, path: path)
                }
            }
            return interpolate(scalar.text, at: node, secrets: .forbidden, path: path).map { JSONValue.string($0.placeholderText) }
        }
    }
}

extension InterpolatedString {
    /// The text of a value that holds no secret: the value itself, with `<unset …>`
    /// placeholders for `|plain` variables that are not set (the plan is then partial).
    var placeholderText: String { plainValue ?? description }
}
