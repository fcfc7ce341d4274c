import Executor

/// Reads typed values out of an agent's validated options, turning anything a
/// command cannot carry into `agent.invalid_options` with the session in the context.
package struct AgentOptionReader {
    /// The session whose options these are (named in errors).
    package let session: SessionSpec
    /// The validated options.
    package let options: AdapterOptions
    /// The agent's declaration of them.
    package let schema: OptionSchema

    /// A reader of `options` (declared by `schema`) for `session`.
    package init(session: SessionSpec, options: AdapterOptions, schema: OptionSchema) {
        self.session = session
        self.options = options
        self.schema = schema
    }

    /// A reader of the options of `session`, which must be an agent session of `kind`
    /// (`agent.invalid_options` otherwise); `schema` declares the options.
    package init(session: SessionSpec, kind: String, schema: OptionSchema) throws {
        guard case .agent(let actual, let options) = session.program, actual == kind else {
            throw AgentError(
                ErrorCode.Agent.invalidOptions, "session `\(session.name)` is not a `\(kind)` agent session",
                context: [.init("session", session.name), .init("agent", session.agentKind ?? "run")])
        }
        self.init(session: session, options: options, schema: schema)
    }

    /// The prompt of an agent session that reads it on stdin: present and not blank
    /// (`agent.missing_prompt` otherwise; a secret prompt counts as present).
    package static func requiredPrompt(of session: SessionSpec) throws -> InterpolatedString {
        guard let prompt = session.prompt, prompt.plainValue.map({ !$0.trimmingASCIIWhitespace().isEmpty }) ?? true else {
            let kind = session.agentKind ?? "?"
            throw AgentError(
                ErrorCode.Agent.missingPrompt, "session `\(session.name)`: `agent: \(kind)` needs a `prompt` (fed on stdin)",
                context: [.init("session", session.name), .init("agent", kind)])
        }
        return prompt
    }

    /// An `agent.invalid_options` error about this session.
    package func invalid(_ message: String) -> AgentError {
        AgentError(
            ErrorCode.Agent.invalidOptions, "session `\(session.name)`: \(message)",
            context: [.init("session", session.name), .init("agent", session.agentKind ?? "?")])
    }

    /// Throws for an option the agent does not declare.
    package func rejectUnknownKeys() throws {
        for entry in options.values where schema.field(entry.key) == nil {
            let known = schema.fields.map(\.name).joined(separator: ", ")
            throw invalid("`\(entry.key)` is not an option of `agent: \(session.agentKind ?? "?")` (known: \(known))")
        }
    }

    /// A text option as written (secrets kept as such).
    package func text(_ key: String) throws -> InterpolatedString? {
        guard let value = options[key] else { return nil }
        guard case .text(let text) = value else { throw invalid("`\(key)` must be text") }
        return text
    }

    /// A text option that must be known and free of secrets (it goes into argv).
    package func plainText(_ key: String) throws -> String? {
        guard let text = try text(key) else { return nil }
        guard let plain = text.plainValue else {
            throw invalid("`\(key)` must be plain text (\(text)): it is part of the command line, where a secret would be visible")
        }
        return plain
    }

    /// A plain text option that must be one of `choices`.
    package func choice(_ key: String, among choices: [String]) throws -> String? {
        guard let value = try plainText(key) else { return nil }
        guard choices.contains(value) else { throw invalid("`\(key): \(value)` is not one of \(choices.joined(separator: ", "))") }
        return value
    }

    /// An integer option.
    package func integer(_ key: String) throws -> Int? {
        guard let value = options[key] else { return nil }
        guard case .integer(let number) = value else { throw invalid("`\(key)` must be a whole number") }
        return number
    }

    /// A Boolean option.
    package func boolean(_ key: String) throws -> Bool? {
        guard let value = options[key] else { return nil }
        guard case .boolean(let flag) = value else { throw invalid("`\(key)` must be true or false") }
        return flag
    }

    /// A list of tool rules (`Read`, `Bash(git log:*)`), each non-empty and not option-like.
    package func toolRules(_ key: String) throws -> [String] {
        guard let value = options[key] else { return [] }
        guard case .list(let items) = value else { throw invalid("`\(key)` must be a list of tool rules") }
        return try items.map { item -> String in
            guard case .text(let text) = item, let rule = text.plainValue else { throw invalid("`\(key)` must list plain tool rules") }
            let trimmed = rule.trimmingASCIIWhitespace()
            guard !trimmed.isEmpty else { throw invalid("`\(key)` has an empty tool rule") }
            guard !trimmed.hasPrefix("-") else { throw invalid("`\(key)`: the tool rule `\(trimmed)` would be read as an option") }
            guard !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw invalid("`\(key)`: the tool rule `\(trimmed)` contains a control character")
            }
            return trimmed
        }
    }

    /// Checks a one-word value: non-empty, no whitespace or control characters, and
    /// (unless passed in `--flag=value` form) not starting with `-`.
    package func checkWord(_ value: String, key: String, what: String, allowLeadingDash: Bool = false) throws {
        guard !value.isEmpty else { throw invalid("`\(key)` is empty; give \(what)") }
        guard !value.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw invalid("`\(key): \(value)` contains whitespace or a control character; give \(what)")
        }
        guard allowLeadingDash || !value.hasPrefix("-") else {
            throw invalid("`\(key): \(value)` starts with `-` and would be read as an option; give \(what)")
        }
    }
}
