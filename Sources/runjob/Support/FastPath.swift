import RunjobKit

/// A quick route past swift-argument-parser for the commands CI runs on every pull
/// request: `validate` and `plan` with plain arguments.
///
/// argument-parser builds its command tree by reflection on every run, which costs
/// more than validating a small manifest (BENCHMARKS.md, start-up). This reads only a
/// narrow grammar: the command's long options (`--name value`, `--name=value`) and
/// flags, each at most once, and positional arguments that do not start with `-` (or
/// are exactly `-`). Anything else (`--help`, short options, `--`, an unknown or
/// repeated option, a value the command would refuse) gives `nil`, and the caller
/// parses with argument-parser, which then prints its usual help or error. Whatever
/// this accepts, argument-parser accepts with the same values (`FastPathTests`
/// checks this against argument-parser itself).
enum FastPath: Equatable {
    /// `validate FILE... [--format F] [--strict]`.
    case validate(files: [String], format: DiagnosticFormat, strict: Bool)
    /// `plan FILE [--output O] [--workspace W] [--detailed-exitcode]`.
    case plan(file: String, workspace: String, output: PlanOutput, detailedExitcode: Bool)

    /// The invocation `arguments` (without the program name) asks for, or `nil` when
    /// argument-parser has to decide.
    init?(_ arguments: [String]) {
        guard let name = arguments.first else { return nil }
        let rest = arguments.dropFirst()
        switch name {
        case "validate":
            guard let parsed = PlainArguments(rest, options: Self.validateOptions, flags: Self.validateFlags),
                ValidateCommand.problem(files: parsed.positionals) == nil,
                let format = parsed.value("format", default: DiagnosticFormat.text, DiagnosticFormat.init(rawValue:))
            else { return nil }
            self = .validate(files: parsed.positionals, format: format, strict: parsed.flags.contains("strict"))
        case "plan":
            guard let parsed = PlainArguments(rest, options: Self.planOptions, flags: Self.planFlags),
                parsed.positionals.count == 1,
                let output = parsed.value("output", default: PlanOutput.text, PlanOutput.init(rawValue:)),
                let workspace = parsed.value("workspace", default: "default", { WorkspaceOptions.isValid($0) ? $0 : nil })
            else { return nil }
            self = .plan(
                file: parsed.positionals[0], workspace: workspace, output: output, detailedExitcode: parsed.flags.contains("detailed-exitcode"))
        default:
            return nil
        }
    }

    /// The long options (taking a value) and flags read for `validate` and `plan`:
    /// every option of those commands (a test compares them with argument-parser's).
    static let validateOptions: Set<String> = ["format"]
    static let validateFlags: Set<String> = ["strict"]
    static let planOptions: Set<String> = ["output", "workspace"]
    static let planFlags: Set<String> = ["detailed-exitcode"]
    /// Options of `plan` the fast path leaves to argument-parser (repeatable ones): given, they make it step aside.
    static let planDeferredOptions: Set<String> = ["rerun"]

    /// Runs the command, exactly as its argument-parser command would.
    func run() throws {
        switch self {
        case .validate(let files, let format, let strict):
            try ValidateCommand.run(files: files, format: format, strict: strict)
        case .plan(let file, let workspace, let output, let detailedExitcode):
            try PlanCommand.run(file: file, workspace: workspace, output: output, detailedExitcode: detailedExitcode)
        }
    }
}

/// Command-line tokens in the narrow grammar of ``FastPath``, or `nil` outside it.
struct PlainArguments {
    /// Arguments that are not options, in order.
    var positionals: [String] = []
    /// Option name (without `--`) → its value.
    var values: [String: String] = [:]
    /// Flags given (without `--`).
    var flags: Set<String> = []

    /// Reads `tokens`; `options` take a value, `flags` do not (names without `--`).
    init?(_ tokens: ArraySlice<String>, options: Set<String>, flags: Set<String>) {
        var index = tokens.startIndex
        while index < tokens.endIndex {
            let token = tokens[index]
            index += 1
            guard token.hasPrefix("-"), token != "-" else {
                // `help` is argument-parser's own word; leave it to argument-parser.
                if token == "help" { return nil }
                positionals.append(token)
                continue
            }
            guard token.hasPrefix("--"), token.count > 2 else { return nil }
            let body = token.dropFirst(2)
            let name: String
            let value: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                value = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
                value = nil
            }
            if flags.contains(name), value == nil, !self.flags.contains(name) {
                self.flags.insert(name)
            } else if options.contains(name), values[name] == nil {
                if let value {
                    values[name] = value
                } else {
                    guard index < tokens.endIndex, !tokens[index].hasPrefix("-") else { return nil }
                    values[name] = tokens[index]
                    index += 1
                }
            } else {
                return nil
            }
        }
    }

    /// The option's value read by `read`, `fallback` when it was not given, and `nil`
    /// when `read` refuses the value given.
    func value<T>(_ name: String, default fallback: T, _ read: (String) -> T?) -> T? {
        guard let text = values[name] else { return fallback }
        return read(text)
    }
}
