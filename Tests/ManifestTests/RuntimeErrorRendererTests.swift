import Executor
import Manifest
import Testing

@Suite("Runtime errors: one renderer, three formats")
struct RuntimeErrorRendererTests {
    let error = ProviderError(
        ErrorCode.Provider.timeout, "the boot took longer than 5m with key morph-key-0123456789\nretry later",
        context: [.init("instance", "morphvm_1"), .init("step", "boot:main")])
    let redactor = Redactor(secrets: [Secret(source: .env("K"), value: "morph-key-0123456789")])

    @Test("text: error[code]: message (context), redacted")
    func text() {
        #expect(
            RuntimeErrorRenderer().render(error, redactor: redactor)
                == "error[provider.timeout]: the boot took longer than 5m with key [redacted]\nretry later (instance=morphvm_1, step=boot:main)\n")
    }

    @Test("json: a document with code, message and context that parses")
    func json() throws {
        let text = RuntimeErrorRenderer(format: .json).render(error, redactor: redactor)
        let parsed = try JSONValue.parse(Array(text.utf8))
        #expect(parsed["error"]?["code"] == .string("provider.timeout"))
        #expect(parsed["error"]?["message"]?.stringValue?.contains("[redacted]") == true)
        #expect(parsed["error"]?["context"]?["instance"] == .string("morphvm_1"))
    }

    @Test("github: one workflow command line, newlines escaped")
    func github() {
        let line = RuntimeErrorRenderer(format: .github).render(error, redactor: redactor)
        #expect(line.hasPrefix("::error title=provider.timeout::the boot took"))
        #expect(line.contains("%0Aretry later"))
        #expect(line.filter { $0 == "\n" }.count == 1 && !line.contains("morph-key"))
    }

    @Test("an error that is not runjob's has no code, and is redacted too")
    func foreign() {
        struct Odd: Error, CustomStringConvertible { var description: String { "odd morph-key-0123456789" } }
        #expect(RuntimeErrorRenderer().render(Odd(), redactor: redactor) == "error: odd [redacted]\n")
    }
}
