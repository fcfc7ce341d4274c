import Executor

/// Turns scalar text with `${env:…}` / `${file:…}` / `${auth:…}` references into an
/// ``InterpolatedString``.
///
/// Syntax: `${env:NAME}`, `${env:NAME:-default}`, `${file:PATH}`, each optionally
/// ending in `|plain` (the value is not secret), `${auth:LOGIN}` and
/// `${auth:LOGIN.VALUE}` (always secret), and `$${` for a literal `${`.
/// Only `${` followed by a lowercase word and `:` is a reference, so shell
/// expansions such as `${HOME}` or `${VAR:-x}` pass through untouched.
/// Values from env and files are secrets unless marked `|plain`.
struct Interpolator {
    /// A reference that could not be read.
    struct Problem: Error, Equatable {
        var code: ErrorCode
        var message: String
        var suggestion: String?
    }

    /// What was used, for warnings and strict mode.
    struct Reference: Equatable, Sendable {
        var source: SecretSource
        var isPlain: Bool
        var isMissing: Bool
        var valueBytes: Int
        var usedDefault: Bool
        /// The value is a word or number runjob itself prints (see ``PrintedVocabulary``).
        var masksOutput = false
        /// Why a login's value is missing and what to do, for messages.
        var missingDetail: String? = nil
    }

    static let maxFileBytes = 10 << 20
    let environment: ManifestEnvironment
    /// The stored logins, shared by every reader of one manifest.
    let logins: LoginLookup
    /// The manifest's resources, shared by every reader of one manifest.
    let resources: ResourceCatalog
    private let cache: FileCache

    init(environment: ManifestEnvironment, logins: LoginLookup, resources: ResourceCatalog = ResourceCatalog(isEnabled: false)) {
        self.environment = environment
        self.logins = logins
        self.resources = resources
        self.cache = FileCache(environment: environment)
    }

    /// An interpolator that knows no login adapter (tests of env and file references).
    init(environment: ManifestEnvironment) {
        self.init(environment: environment, logins: LoginLookup(descriptors: [], environment: environment))
    }

    /// The reference words this interpolator reads.
    private var sourceWords: [String] {
        ["env", "file"] + (logins.descriptors.isEmpty ? [] : ["auth"]) + (resources.isEnabled ? ["resource"] : [])
    }

    /// The interpolated value of `text` and the references it used.
    func interpolate(_ text: String) -> Result<(InterpolatedString, [Reference]), Problem> {
        guard text.utf8.contains(UInt8(ascii: "$")) else { return .success((InterpolatedString(text), [])) }
        var parts: [InterpolatedString.Part] = []
        var references: [Reference] = []
        var literal = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            literal += rest[..<dollar]
            let afterDollar = rest[rest.index(after: dollar)...]
            if afterDollar.hasPrefix("${") {
                literal += "${"
                rest = afterDollar.dropFirst(2)
                continue
            }
            guard afterDollar.hasPrefix("{"), let source = Self.sourceWord(afterDollar.dropFirst()) else {
                literal += "$"
                rest = afterDollar
                continue
            }
            let body = afterDollar.dropFirst(1 + source.count + 1)
            guard let close = body.firstIndex(of: "}") else {
                return .failure(Problem(code: ErrorCode.Manifest.invalidInterpolation, message: "`${\(source):` has no closing `}`"))
            }
            let inner = String(body[..<close])
            rest = body[body.index(after: close)...]
            switch resolve(source: source, inner) {
            case .failure(let problem): return .failure(problem)
            case .success(let (part, reference)):
                if case .literal(let text) = part {
                    literal += text
                } else {
                    parts.append(.literal(literal))
                    literal = ""
                    parts.append(part)
                }
                references.append(reference)
            }
        }
        literal += rest
        parts.append(.literal(literal))
        return .success((InterpolatedString(parts: parts), references))
    }

    /// The lowercase word before `:` at the start of `text`, if any.
    private static func sourceWord(_ text: Substring) -> String? {
        var word = ""
        for character in text {
            if character == ":" { return word.isEmpty ? nil : word }
            guard character.isASCII, character.isLowercase else { return nil }
            word.append(character)
        }
        return nil
    }

    private func resolve(source: String, _ inner: String) -> Result<(InterpolatedString.Part, Reference), Problem> {
        var body = inner
        var isPlain = false
        if body.hasSuffix("|plain") {
            isPlain = true
            body = String(body.dropLast("|plain".count))
        } else if let bar = body.lastIndex(of: "|"), !body[body.index(after: bar)...].contains(where: { !$0.isLetter }) {
            let modifier = String(body[body.index(after: bar)...])
            return .failure(
                Problem(
                    code: ErrorCode.Manifest.invalidInterpolation, message: "unknown modifier `|\(modifier)` (only `|plain` exists)",
                    suggestion: Suggestions.closest(to: modifier, among: ["plain"]).map { "|" + $0 }))
        }
        switch source {
        case "env": return resolveEnv(body, isPlain: isPlain)
        case "file": return resolveFile(body, isPlain: isPlain)
        case "auth" where !logins.descriptors.isEmpty: return resolveAuth(body, isPlain: isPlain)
        case "resource" where resources.isEnabled: return resolveResource(body, isPlain: isPlain)
        default:
            let words = ["${env:NAME}", "${file:PATH}"] + (logins.descriptors.isEmpty ? [] : ["${auth:LOGIN}"])
                + (resources.isEnabled ? ["${resource:NAME.OUTPUT}"] : [])
            let forms = words.dropLast().joined(separator: ", ") + " or " + (words.last ?? "")
            return .failure(
                Problem(
                    code: ErrorCode.Manifest.invalidInterpolation,
                    message: "unknown reference `${\(source):…}`; use \(forms) (write $${ for a literal ${)",
                    suggestion: Suggestions.closest(to: source, among: sourceWords)))
        }
    }

    /// `${auth:LOGIN}` or `${auth:LOGIN.VALUE}`: a value of a stored login, always secret.
    private func resolveAuth(_ body: String, isPlain: Bool) -> Result<(InterpolatedString.Part, Reference), Problem> {
        let names = logins.descriptors.map(\.name)
        let (loginName, valueName) = Self.splitDotted(body)
        guard let descriptor = logins.descriptor(loginName) else {
            return .failure(
                Problem(
                    code: ErrorCode.Manifest.invalidInterpolation,
                    message: "`${auth:\(body)}` names no login runjob knows (logins: \(names.joined(separator: ", ")))",
                    suggestion: Suggestions.closest(to: loginName, among: names).map { "${auth:\($0)}" }))
        }
        guard descriptor.value(valueName) != nil, body.count == loginName.count || !valueName.isEmpty else {
            let forms = descriptor.values.map { $0.name.isEmpty ? "${auth:\(descriptor.name)}" : "${auth:\(descriptor.name).\($0.name)}" }
            return .failure(
                Problem(
                    code: ErrorCode.Manifest.invalidInterpolation,
                    message: "the login `\(descriptor.name)` has no value `\(valueName)`; use \(forms.joined(separator: ", "))",
                    suggestion: Suggestions.closest(to: valueName, among: descriptor.values.map(\.name).filter { !$0.isEmpty })
                        .map { "${auth:\(descriptor.name).\($0)}" }))
        }
        guard !isPlain else {
            return .failure(
                Problem(
                    code: ErrorCode.Manifest.invalidInterpolation,
                    message: "`${auth:\(body)|plain}`: a login's values are always secret; remove `|plain`"))
        }
        let source = descriptor.source(valueName)
        switch logins.state(of: descriptor) {
        case .available(let values, _, _):
            guard let value = values[valueName] else {
                let reference = Reference(
                    source: source, isPlain: false, isMissing: true, valueBytes: 0, usedDefault: false,
                    missingDetail: "the stored \(descriptor.name) login has no such value; run `\(descriptor.loginCommand)`")
                return .success((.secret(Secret(unresolved: source, state: "not available")), reference))
            }
            let reference = Reference(source: source, isPlain: false, isMissing: false, valueBytes: value.utf8.count, usedDefault: false)
            return .success((.secret(Secret(source: source, value: value)), reference))
        case .unavailable(let state, let detail, _):
            let reference = Reference(
                source: source, isPlain: false, isMissing: true, valueBytes: 0, usedDefault: false, missingDetail: detail)
            return .success((.secret(Secret(unresolved: source, state: state)), reference))
        }
    }

    /// `${resource:NAME.OUTPUT}`: an output of a declared resource, known at run time;
    /// secret when its adapter says so.
    private func resolveResource(_ body: String, isPlain: Bool) -> Result<(InterpolatedString.Part, Reference), Problem> {
        let names = resources.names
        let (name, output) = Self.splitDotted(body)
        guard let entry = resources.entry(name) else {
            return .failure(
                Problem(
                    code: ErrorCode.Manifest.unknownReference,
                    message: "`${resource:\(body)}` names no resource of this manifest"
                        + (names.isEmpty ? "; declare it under `resources:`" : " (resources: \(names.joined(separator: ", ")))"),
                    suggestion: Suggestions.closest(to: name, among: names).map { "${resource:\($0).\(output)}" }))
        }
        guard !isPlain else {
            return .failure(
                Problem(
                    code: ErrorCode.Manifest.invalidInterpolation,
                    message: "`${resource:\(body)|plain}`: whether an output is secret is the resource's to say; remove `|plain`"))
        }
        var isSecret = true
        if let outputs = entry.outputs {
            guard let field = outputs.first(where: { $0.name == output }) else {
                let forms = outputs.map { "${resource:\(name).\($0.name)}" }.joined(separator: ", ")
                return .failure(
                    Problem(
                        code: ErrorCode.Manifest.unknownReference,
                        message: output.isEmpty
                            ? "`${resource:\(name)}` needs an output: \(forms)"
                            : "the resource `\(name)` has no output `\(output)`; use \(forms)",
                        suggestion: Suggestions.closest(to: output, among: outputs.map(\.name)).map { "${resource:\(name).\($0)}" }))
            }
            isSecret = field.isSecret
        } else if output.isEmpty {
            return .failure(Problem(code: ErrorCode.Manifest.invalidInterpolation, message: "`${resource:\(name)}` needs an output: `${resource:\(name).OUTPUT}`"))
        }
        let reference = OutputReference(resource: name, output: output, isSecret: isSecret)
        let noted = Reference(source: reference.secretSource, isPlain: !isSecret, isMissing: false, valueBytes: 0, usedDefault: false)
        return .success((.output(reference), noted))
    }

    private func resolveEnv(_ body: String, isPlain: Bool) -> Result<(InterpolatedString.Part, Reference), Problem> {
        var name = body
        var defaultValue: String?
        if let marker = body.firstRange(of: ":-") {
            name = String(body[..<marker.lowerBound])
            defaultValue = String(body[marker.upperBound...])
        }
        guard Self.isEnvName(name) else {
            return .failure(
                Problem(
                    code: ErrorCode.Manifest.invalidInterpolation,
                    message: "`\(name)` is not an environment variable name (letters, digits and _, not starting with a digit)"))
        }
        let source = SecretSource.env(name)
        let value = environment.variables[name]
        let resolved = value ?? defaultValue
        let reference = Reference(
            source: source, isPlain: isPlain, isMissing: resolved == nil, valueBytes: value?.utf8.count ?? 0,
            usedDefault: value == nil && defaultValue != nil, masksOutput: !isPlain && value.map(PrintedVocabulary.collides) == true)
        guard let resolved else {
            return .success((isPlain ? .unset(source) : .secret(Secret(unresolved: source)), reference))
        }
        // A default written in the manifest is in the repository: known, but not sensitive.
        let secret = value == nil ? Secret(source: source, defaultValue: resolved) : Secret(source: source, value: resolved)
        return .success((isPlain ? .literal(resolved) : .secret(secret), reference))
    }

    private func resolveFile(_ path: String, isPlain: Bool) -> Result<(InterpolatedString.Part, Reference), Problem> {
        guard !path.isEmpty else {
            return .failure(Problem(code: ErrorCode.Manifest.invalidInterpolation, message: "`${file:}` needs a path"))
        }
        let source = SecretSource.file(path)
        switch cache.content(of: path) {
        case .tooLarge(let size):
            return .failure(fileTooLarge(path, size: size))
        case .text(let text):
            if text.utf8.count > Self.maxFileBytes {
                return .failure(fileTooLarge(path, size: text.utf8.count))
            }
            let reference = Reference(
                source: source, isPlain: isPlain, isMissing: false, valueBytes: text.utf8.count, usedDefault: false,
                masksOutput: !isPlain && PrintedVocabulary.collides(text))
            return .success((isPlain ? .literal(text) : .secret(Secret(source: source, value: text)), reference))
        case .missing:
            let reference = Reference(source: source, isPlain: isPlain, isMissing: true, valueBytes: 0, usedDefault: false)
            return .success((isPlain ? .unset(source) : .secret(Secret(unresolved: source)), reference))
        case .unusable(let reason):
            return .failure(Problem(code: ErrorCode.Manifest.fileMissing, message: "cannot use the file `\(path)`: \(reason)"))
        }
    }

    private func fileTooLarge(_ path: String, size: Int) -> Problem {
        Problem(
            code: ErrorCode.Manifest.fileTooLarge,
            message: "the file `\(path)` is \(size) bytes; `${file:…}` reads at most \(Self.maxFileBytes) bytes")
    }

    /// `NAME.PART` as its two parts (`PART` empty without a dot): `${auth:claude.access_token}`,
    /// `${resource:db.admin_token}`.
    private static func splitDotted(_ body: String) -> (name: String, part: String) {
        let name = String(body.prefix { $0 != "." })
        return (name, body.count > name.count ? String(body.dropFirst(name.count + 1)) : "")
    }

    static func isEnvName(_ name: String) -> Bool {
        ASCII.isEnvironmentName(name)
    }
}

/// Reads each `${file:…}` once per manifest, however often it is referenced.
private final class FileCache {
    private let environment: ManifestEnvironment
    private var contents: [String: ManifestEnvironment.FileContent] = [:]

    init(environment: ManifestEnvironment) {
        self.environment = environment
    }

    func content(of path: String) -> ManifestEnvironment.FileContent {
        if let cached = contents[path] { return cached }
        let result: ManifestEnvironment.FileContent
        if let absolute = environment.resolvePath(path) {
            result = environment.readFile(absolute)
        } else {
            result = .missing
        }
        contents[path] = result
        return result
    }
}
