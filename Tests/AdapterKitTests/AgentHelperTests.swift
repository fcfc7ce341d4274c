import AdapterKit
import Testing

@testable import Executor

@Suite("Agent helpers: JSON-lines streams, typed options")
struct AgentHelperTests {
    static let stream = Array(
        """
        banner: starting\r
        {"type":"a","n":1}

          {"type":"b"}
        {"type":"cut
        """.utf8)

    @Test("ranges skip blank lines and trim whitespace; a last line without newline counts")
    func ranges() {
        let lines = StreamLines.ranges(Self.stream).map { String(decoding: Self.stream[$0], as: UTF8.self) }
        #expect(lines == ["banner: starting", #"{"type":"a","n":1}"#, #"{"type":"b"}"#, #"{"type":"cut"#])
        #expect(StreamLines.ranges(Array(" \n\n\t\n".utf8)).isEmpty)
    }

    @Test("classify: text, JSON, a cut-off line, and invalid UTF-8 repaired")
    func classify() throws {
        let ranges = StreamLines.ranges(Self.stream)
        #expect(StreamLines.classify(Self.stream, ranges[0]) == .text("banner: starting"))
        #expect(StreamLines.classify(Self.stream, ranges[1]) == .json(try JSONValue.parse(Array(#"{"type":"a","n":1}"#.utf8))))
        #expect(StreamLines.classify(Self.stream, ranges[3]) == .broken(12))
        let invalid: [UInt8] = Array(#"{"text":""#.utf8) + [0xFF] + Array(#""}"#.utf8)
        guard case .json(let value) = StreamLines.classify(invalid, 0..<invalid.count) else {
            Issue.record("invalid UTF-8 inside a JSON line was not repaired")
            return
        }
        #expect(value["text"]?.stringValue == "\u{FFFD}")
        #expect(!StreamLines.looksLikeJSON(Array("plain".utf8), 0..<5))
    }

    @Test("render: events through the callback, text kept, the cut-off line named; nil without any JSON")
    func render() {
        var types: [String] = []
        let lines = StreamLines.render(Self.stream, redactor: Redactor()) { event in
            types.append(event["type"]?.stringValue ?? "?")
            return ["event " + (event["type"]?.stringValue ?? "?")]
        }
        #expect(types == ["a", "b"])
        #expect(lines == ["banner: starting", "event a", "event b", "… a cut-off line of 12 bytes (the stream ended mid-line)"])
        #expect(StreamLines.render(Array("just text\nmore text\n".utf8), redactor: Redactor()) { _ in ["never"] } == nil)
    }

    static let schema = OptionSchema([
        OptionField("model", .text(.any), doc: "model"),
        OptionField("max_turns", .integer(min: 1, max: nil), doc: "turns"),
        OptionField("verbose", .boolean, doc: "verbose"),
        OptionField("allowed_tools", .list(.text(.any)), doc: "tools"),
        OptionField("prompt_text", .text(.any), secrets: .allowed, doc: "secret allowed"),
    ])

    static func reader(_ entries: [OptionEntry]) -> AgentOptionReader {
        let session = SessionSpec(
            name: "review", machine: "main", program: .agent(kind: "demo", options: AdapterOptions(entries)), prompt: nil, cwd: .home(""), env: [])
        return AgentOptionReader(session: session, options: AdapterOptions(entries), schema: schema)
    }

    @Test("typed reads of declared options; absent options are nil or empty")
    func typedReads() throws {
        let reader = Self.reader([
            OptionEntry("model", .text("opus")), OptionEntry("max_turns", .integer(3)), OptionEntry("verbose", .boolean(true)),
            OptionEntry("allowed_tools", .list([.text(" Read "), .text("Bash(git log:*)")])),
        ])
        try reader.rejectUnknownKeys()
        #expect(try reader.plainText("model") == "opus")
        #expect(try reader.integer("max_turns") == 3)
        #expect(try reader.boolean("verbose") == true)
        #expect(try reader.toolRules("allowed_tools") == ["Read", "Bash(git log:*)"])
        #expect(try reader.text("prompt_text") == nil)
        #expect(try reader.choice("model", among: ["sonnet", "opus"]) == "opus")
        #expect(try reader.choice("absent", among: ["x"]) == nil)
        #expect(try Self.reader([]).toolRules("allowed_tools") == [])
        try reader.checkWord("--flag=value", key: "extra", what: "a word", allowLeadingDash: true)
    }

    @Test("wrong types, secrets in argv, unknown keys and bad words are agent.invalid_options naming the session")
    func invalidOptions() {
        let secret = InterpolatedString(parts: [.secret(Secret(source: .env("MODEL"), value: "s3cr3t-model-0123456789"))])
        let reader = Self.reader([
            OptionEntry("model", .text(secret)), OptionEntry("max_turns", .text("three")), OptionEntry("verbose", .text("yes")),
            OptionEntry("allowed_tools", .list([.text("--dangerous")])), OptionEntry("colour", .boolean(true)),
        ])
        func message(_ body: () throws -> Void) -> String? {
            do {
                try body()
                return nil
            } catch let error as AgentError {
                #expect(error.code == ErrorCode.Agent.invalidOptions)
                #expect(error.context.contains(.init("session", "review")))
                return error.message
            } catch {
                return "unexpected \(error)"
            }
        }
        #expect(message { try reader.rejectUnknownKeys() }?.contains("`colour` is not an option of `agent: demo`") == true)
        let secretMessage = message { _ = try reader.plainText("model") }
        #expect(secretMessage?.contains("must be plain text") == true)
        #expect(secretMessage?.contains("s3cr3t") == false)
        #expect(message { _ = try reader.integer("max_turns") }?.contains("must be a whole number") == true)
        #expect(
            message { _ = try Self.reader([OptionEntry("model", .text("haiku"))]).choice("model", among: ["sonnet", "opus"]) }
                == "session `review`: `model: haiku` is not one of sonnet, opus")
        #expect(message { _ = try reader.boolean("verbose") }?.contains("must be true or false") == true)
        #expect(message { _ = try reader.toolRules("allowed_tools") }?.contains("would be read as an option") == true)
        #expect(message { try reader.checkWord("", key: "model", what: "a model name") }?.contains("is empty") == true)
        #expect(message { try reader.checkWord("a b", key: "model", what: "a model name") }?.contains("whitespace") == true)
        #expect(message { try reader.checkWord("-x", key: "model", what: "a model name") }?.contains("starts with `-`") == true)
    }

    @Test("a reader for an agent session of the expected kind; another kind or a run session is agent.invalid_options")
    func readerForKind() throws {
        let schema = OptionSchema([OptionField("model", .text(.any), doc: "The model.")])
        let session = SessionSpec(
            name: "review", machine: "main", program: .agent(kind: "claude", options: AdapterOptions([OptionEntry("model", .text("opus"))])),
            prompt: "Go.", cwd: .home(""))
        #expect(try AgentOptionReader(session: session, kind: "claude", schema: schema).plainText("model") == "opus")
        let other = #expect(throws: AgentError.self) { try AgentOptionReader(session: session, kind: "codex", schema: schema) }
        #expect(other?.code == ErrorCode.Agent.invalidOptions)
        #expect(other?.message == "session `review` is not a `codex` agent session")
        var run = session
        run.program = .run(.shell("true"))
        let notAgent = #expect(throws: AgentError.self) { try AgentOptionReader(session: run, kind: "claude", schema: schema) }
        #expect(notAgent?.context.contains { $0.key == "agent" && $0.value == "run" } == true)
    }

    @Test("the required prompt: present, or secret; missing or blank is agent.missing_prompt")
    func requiredPrompt() throws {
        var session = SessionSpec(
            name: "review", machine: "main", program: .agent(kind: "codex", options: AdapterOptions()), prompt: "Build it.", cwd: .home(""))
        #expect(try AgentOptionReader.requiredPrompt(of: session).plainValue == "Build it.")
        session.prompt = InterpolatedString(secret: Secret(unresolved: SecretSource(kind: .env, name: "PROMPT")))
        #expect(try AgentOptionReader.requiredPrompt(of: session).plainValue == nil)
        for prompt: InterpolatedString? in [nil, "", "  \n "] {
            session.prompt = prompt
            let error = #expect(throws: AgentError.self) { try AgentOptionReader.requiredPrompt(of: session) }
            #expect(error?.code == ErrorCode.Agent.missingPrompt)
            #expect(error?.message == "session `review`: `agent: codex` needs a `prompt` (fed on stdin)")
        }
    }
}
