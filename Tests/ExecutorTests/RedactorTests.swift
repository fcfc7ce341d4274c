import TestSupport
import Testing

@testable import Executor

@Suite("Redactor")
struct RedactorTests {
    let canary = Canary(tag: "redactor")

    @Test("redacts every form of a secret: raw, JSON-escaped, base64 at every alignment")
    func everyForm() {
        let redactor = Redactor(secrets: [Secret(source: .env("X"), value: canary.value)])
        for form in canary.forms {
            for prefix in ["", "a", "ab", "abc"] {
                let text = Array(prefix.utf8) + form.bytes + Array(" tail".utf8)
                let out = redactor.redact(bytes: text)
                #expect(canary.leaks(in: out).isEmpty, "form \(form.name) with prefix \(prefix.count) survived")
                #expect(String(decoding: out, as: UTF8.self).contains(Redactor.replacement))
            }
        }
        // base64 of a longer text that contains the secret at any offset.
        for offset in 0..<6 {
            let containing = String(repeating: "z", count: offset) + canary.value + "!"
            let encoded = String(decoding: Base64.encode(Array(containing.utf8)), as: UTF8.self)
            #expect(canary.leaks(in: redactor.redact(encoded)).isEmpty, "base64 at offset \(offset)")
        }
    }

    @Test("leaves text without secrets untouched")
    func untouched() {
        let redactor = Redactor(secrets: [Secret(source: .env("X"), value: "supersecretvalue")])
        #expect(redactor.redact("nothing to see here") == "nothing to see here")
        #expect(Redactor().redact("supersecretvalue") == "supersecretvalue")
    }

    @Test("short and unresolved secrets are not patterns")
    func shortAndUnresolved() {
        let redactor = Redactor(secrets: [Secret(source: .env("A"), value: "abc"), Secret(unresolved: .env("B"))])
        #expect(redactor.isEmpty)
        #expect(redactor.redact("abc") == "abc")
    }

    @Test("fields of a structured secret are redacted on their own")
    func structured() {
        let file = "{\"claudeAiOauth\":{\"accessToken\":\"sk-ant-oat01-abcdefghijklmnop\",\"scopes\":[\"x\"]}}"
        let redactor = Redactor(secrets: [Secret(source: .file("creds.json"), value: file)])
        #expect(redactor.redact("token=sk-ant-oat01-abcdefghijklmnop") == "token=[redacted]")
    }

    @Test("a stream redactor catches secrets split across chunks at every boundary")
    func streaming() {
        let redactor = Redactor(secrets: [Secret(source: .env("X"), value: canary.value)])
        let text = Array(("before " + canary.value + " middle " + canary.value + " after").utf8)
        for split in 1..<text.count {
            var stream = StreamRedactor(redactor: redactor)
            var out = stream.feed(Array(text[..<split]))
            out += stream.feed(Array(text[split...]))
            out += stream.finish()
            #expect(canary.leaks(in: out).isEmpty, "split at \(split)")
            #expect(String(decoding: out, as: UTF8.self) == "before [redacted] middle [redacted] after")
        }
    }

    @Test("a stream fed one byte at a time")
    func byteByByte() {
        let redactor = Redactor(secrets: [Secret(source: .env("X"), value: canary.value)])
        var stream = StreamRedactor(redactor: redactor)
        var out: [UInt8] = []
        for byte in Array(("x" + canary.value + "y").utf8) { out += stream.feed([byte]) }
        out += stream.finish()
        #expect(String(decoding: out, as: UTF8.self) == "x[redacted]y")
    }
}

@Suite("Secret values never print themselves")
struct SecretTests {
    @Test("description, interpolation, dump and JSON show the source only")
    func neverPrinted() throws {
        let secret = Secret(source: .env("MORPH_API_KEY"), value: "morph-key-0123456789")
        #expect(secret.description == "<secret env:MORPH_API_KEY>")
        #expect("\(secret)" == "<secret env:MORPH_API_KEY>")
        #expect(String(reflecting: secret) == "<secret env:MORPH_API_KEY>")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("morph-key"))
        let encoded = try JSONEncoderShim.encode(secret)
        #expect(encoded == "\"<secret env:MORPH_API_KEY>\"")
        #expect(secret.reveal() == "morph-key-0123456789")
    }

    @Test("an unresolved secret says so")
    func unresolved() {
        let secret = Secret(unresolved: .file("~/.claude/.credentials.json"))
        #expect(secret.description == "<secret file:~/.claude/.credentials.json (unset)>")
        let login = Secret(unresolved: .auth("claude"), state: "not logged in")
        #expect(login.description == "<secret auth:claude (not logged in)>")
        #expect(login.placeholder(.sourceOnly) == "<secret auth:claude>")
        #expect(!login.isResolved && login.reveal() == nil)
        #expect(Secret(source: .auth("claude.access_token"), value: "sk-ant-oat01-x-0123456789").description == "<secret auth:claude.access_token>")
        #expect(secret.reveal() == nil)
        #expect(!secret.isResolved)
    }

    @Test("interpolated strings assemble the value only when revealed")
    func interpolated() {
        let text = InterpolatedString(parts: [.literal("Bearer "), .secret(Secret(source: .env("T"), value: "tok-123456789"))])
        #expect(text.description == "Bearer <secret env:T>")
        #expect(text.reveal() == "Bearer tok-123456789")
        #expect(text.plainValue == nil)
        #expect(InterpolatedString("plain").plainValue == "plain")
        let partial = InterpolatedString(parts: [.unset(.env("BRANCH"))])
        #expect(partial.reveal() == nil)
        #expect(partial.unresolvedSources == [.env("BRANCH")])
    }
}
