import AdapterKit
import Synchronization
import TestSupport
import Testing

@testable import Executor

/// The classes of leak that redaction must close (issue [5]): cut secrets, wrapped
/// base64, corrupted structure, many secrets; each against a short and a long canary.
@Suite("Redaction classes: cuts, wrapped base64, structure, many secrets")
struct RedactionClassesTests {
    static let canaries = [Canary(tag: "classes"), Canary(tag: "classes-long", length: 2600)]

    func redactor(_ canary: Canary) -> Redactor {
        Redactor(secrets: [Secret(source: .env("X"), value: canary.value)])
    }

    /// `text` wrapped every `width` characters with `newline`.
    func wrap(_ text: [UInt8], width: Int, newline: String) -> [UInt8] {
        var out: [UInt8] = []
        for start in stride(from: 0, to: text.count, by: width) {
            out += text[start..<min(text.count, start + width)]
            out += Array(newline.utf8)
        }
        return out
    }

    @Test("base64 wrapped at 76 and 64 columns (and any other width), LF, CRLF or JSON-escaped, at all three alignments")
    func wrappedBase64() {
        for canary in Self.canaries {
            let redactor = redactor(canary)
            for offset in 0..<3 {
                let containing = Array(String(repeating: "p", count: offset).utf8) + Array(canary.value.utf8) + Array("-end".utf8)
                for alphabet in [Base64.standard, Base64.urlSafe] {
                    let encoded = Base64.encode(containing, alphabet: alphabet)
                    for width in [76, 64, 57] {
                        for newline in ["\n", "\r\n", "\\n", "\\r\\n"] {
                            let text = Array("before\n".utf8) + wrap(encoded, width: width, newline: newline) + Array("after\n".utf8)
                            let out = redactor.redact(bytes: text)
                            #expect(
                                canary.leaks(in: out).isEmpty,
                                "offset \(offset), width \(width), newline \(newline.debugDescription): \(canary.leaks(in: out))")
                            #expect(String(decoding: out, as: UTF8.self).hasPrefix("before\n"))
                        }
                    }
                }
            }
        }
    }

    @Test("a secret cut off at the start or the end of a text is masked from 12 bytes on, in every form")
    func cutSecrets() {
        for canary in Self.canaries {
            let redactor = redactor(canary)
            let forms: [(String, [UInt8])] =
                canary.forms.filter { !$0.name.hasPrefix("line-") }.map { ($0.name, $0.bytes) } + [
                    ("base64 -w76", wrap(Base64.encode(Array(canary.value.utf8)), width: 76, newline: "\n"))
                ]
            for (name, form) in forms {
                let text = Array("head of the text ".utf8) + form + Array(" tail of the text".utf8)
                let step = max(1, text.count / 41)
                for cut in stride(from: 1, to: text.count, by: step) {
                    let tail = Array(text[cut...])
                    let head = Array(text[..<cut])
                    let cases: [(String, [UInt8])] = [
                        ("start cut", redactor.redact(bytes: tail, cut: .start)),
                        ("end cut", redactor.redact(bytes: head, cut: .end)),
                        ("… then the tail", redactor.redact(bytes: Array(Redactor.cutMark.utf8) + tail)),
                        ("head then …", redactor.redact(bytes: head + Array(Redactor.cutMark.utf8))),
                        ("… line then the tail", redactor.redact(bytes: Array((Redactor.cutMark + "\n").utf8) + tail)),
                    ]
                    for (label, out) in cases {
                        #expect(canary.fragmentLeaks(in: out).isEmpty, "\(name), \(label) at \(cut): \(canary.fragmentLeaks(in: out))")
                    }
                }
            }
        }
    }

    @Test("without a cut, text next to a secret's piece is left alone; a cut text without secrets is untouched")
    func cutsDoNotOverreach() {
        let canary = Canary(tag: "overreach")
        let redactor = redactor(canary)
        let plain = "nothing secret here … at all, even with a cut"
        #expect(redactor.redact(plain, cut: [.start, .end]) == plain)
        // A piece shorter than 12 bytes is not a secret's piece.
        let short = String(canary.value.suffix(8))
        #expect(redactor.redact(short + " and more", cut: .start) == short + " and more")
    }

    @Test("masking at a cut end keeps the line breaks after a whole secret, and plain text before a cut piece")
    func cutEndKeepsLineBreaks() {
        let redactor = Redactor(secrets: [Secret(source: .env("X"), value: "value-of-c-0123456789")])
        #expect(redactor.redact("three value-of-c-0123456789\n", cut: [.start, .end]) == "three [redacted]\n")
        #expect(redactor.redact("three value-of-c-01234", cut: .end) == "three [redacted]")
        #expect(redactor.redact("three value-of-c-0\r\n", cut: .end) == "three [redacted]\r\n")
        #expect(redactor.redact("three value-of-c-\r\n", cut: .end) == "three value-of-c-\r\n")  // 11 bytes: not a piece
    }

    @Test("a stream gives the same bytes as redacting the whole text, however it is chunked, with and without cuts")
    func streamEqualsBatch() {
        var generator = SplitMix(seed: 7)
        for canary in Self.canaries {
            let redactor = redactor(canary)
            let secret = Array(canary.value.utf8)
            let encoded = Base64.encode(Array("xy".utf8) + secret)
            let bar: [UInt8] = Array(" | ".utf8)
            var text: [UInt8] = Array(secret[(secret.count / 2)...])
            text += bar
            text += secret
            text += bar
            text += wrap(encoded, width: 76, newline: "\r\n")
            text += bar
            text += Array(secret[..<(secret.count / 2)])
            for cut in [Redactor.Cut(), .start, .end, [.start, .end]] {
                let expected = redactor.redact(bytes: text, cut: cut)
                #expect(canary.leaks(in: expected).isEmpty || cut != [.start, .end])
                for _ in 0..<20 {
                    var stream = StreamRedactor(redactor: redactor, cutAtStart: cut.contains(.start))
                    var out: [UInt8] = []
                    var position = 0
                    while position < text.count {
                        let size = 1 + Int(generator.next() % UInt64(min(300, text.count)))
                        let end = min(text.count, position + size)
                        out += stream.feed(Array(text[position..<end]))
                        position = end
                    }
                    out += stream.finish(cutAtEnd: cut.contains(.end))
                    #expect(out == expected, "cut \(cut.rawValue)")
                }
            }
        }
    }

    @Test("a stream holds back only what a match in progress could cover")
    func streamLatency() {
        let redactor = Redactor(secrets: [Secret(source: .env("X"), value: "abcdefghijklmnop")])
        var stream = StreamRedactor(redactor: redactor)
        #expect(stream.feed(Array("hello world\n".utf8)) == Array("hello world\n".utf8))
        #expect(stream.feed(Array("x abcdefgh".utf8)) == Array("x ".utf8))
        #expect(stream.feed(Array("ijklmnop y".utf8)) == Array("[redacted] y".utf8))
        #expect(stream.finish() == [])
    }

    @Test("JSON: string values are redacted before serialization; keys, numbers, Booleans and null never change")
    func structure() throws {
        let redactor = Redactor()
        for value in ["true", "false", "null", "1234", "unchanged", "ok\"}"] { redactor.add(value: value) }
        let event = RunEvent(
            run: "RUN", milliseconds: 0,
            .stepFinished(
                StepFinished(
                    step: .boot("main"), machine: "main", status: .ok, milliseconds: 1234,
                    data: [.init("unchanged", .bool(true)), .init("instance", .string("i-true-1234")), .init("n", .null)])))
        let lines = LockedBytes()
        JSONLinesSink(redactor: redactor) { lines.append($0) }.emit(event)
        let parsed = try JSONValue.parse(Array(lines.bytes.dropLast()))
        #expect(parsed["ms"] == .int(1234))
        #expect(parsed["data"]?["unchanged"] == .bool(true))
        #expect(parsed["data"]?["n"] == .null)
        #expect(parsed["data"]?["instance"] == .string("i-[redacted]-[redacted]"))
        #expect(parsed["status"] == .string("ok"))
        let document = JSONValue.object(["a": .array([.string("x ok\"} y"), .int(1234), .bool(false)])])
        #expect(redactor.redact(document) == .object(["a": .array([.string("x [redacted] y"), .int(1234), .bool(false)])]))
    }

    @Test("10 000 secrets: each is found in every form, text without them is untouched")
    func manySecrets() {
        let redactor = Redactor()
        let secrets = (0..<10_000).map { "tok-\($0 * 7919 % 100_003)-\($0)-zq" }
        for secret in secrets { redactor.add(value: secret) }
        let plain = "a log line that mentions nothing secret at all, tok-1-but-not-a-secret\n"
        #expect(redactor.redact(plain) == plain)
        for index in stride(from: 0, to: secrets.count, by: 997) {
            let canary = Canary(value: secrets[index])
            for form in canary.forms {
                let out = redactor.redact(bytes: Array("<".utf8) + form.bytes + Array(">".utf8))
                #expect(canary.leaks(in: out).isEmpty, "secret \(index), form \(form.name)")
            }
        }
    }

    @Test("the automaton finds exactly the matches a naive search finds (random patterns and texts, line breaks skipped)")
    func automatonAgainstNaive() {
        var generator = SplitMix(seed: 42)
        let alphabet: [UInt8] = Array("abc\n".utf8)
        func random(_ length: Int) -> [UInt8] { (0..<length).map { _ in alphabet[Int(generator.next() % 4)] } }
        for _ in 0..<300 {
            let patterns = (0..<(1 + Int(generator.next() % 6))).map { _ in MatchScan.normalize(random(2 + Int(generator.next() % 5))) }.filter {
                !$0.isEmpty
            }
            let text = random(Int(generator.next() % 60))
            let automaton = PatternAutomaton(patterns: patterns)
            var scan = MatchScan(longest: automaton.longest)
            scan.read(text, base: 0, with: automaton)
            scan.finish(with: automaton)
            // Naive: every occurrence in the normalised text, mapped back, merged.
            let (flat, positions) = MatchScan.normalized(text, 0..<text.count)
            var covered = [Bool](repeating: false, count: text.count + 1)
            var ranges: [Range<Int>] = []
            for pattern in patterns where pattern.count <= flat.count {
                for start in 0...(flat.count - pattern.count) where Array(flat[start..<(start + pattern.count)]) == pattern {
                    ranges.append(positions[start]..<(positions[start + pattern.count - 1] + 1))
                }
            }
            for range in ranges { for index in range { covered[index] = true } }
            var merged: [Range<Int>] = []
            for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if let last = merged.last, range.lowerBound <= last.upperBound {
                    merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
                } else {
                    merged.append(range)
                }
            }
            #expect(scan.masked == merged, "patterns \(patterns.map { String(decoding: $0, as: UTF8.self) }) text \(String(decoding: text, as: UTF8.self).debugDescription)")
        }
    }

    @Test("an agent's rendered view never shows a piece of a secret, however the renderer shortens it")
    func renderedView() {
        for canary in Self.canaries {
            let redactor = redactor(canary)
            let tool = JSONValue.object([
                "type": .string("user"),
                "message": .object([
                    "content": .array([
                        .object(["type": .string("tool_result"), "content": .string("the file:\n" + canary.value + "\nend")])
                    ])
                ]),
            ])
            let lines = StreamLines.render(Array(tool.compactText.utf8) + [0x0A] + Array(("plain " + canary.value + "\n").utf8), redactor: redactor) {
                event in
                // A renderer that shows 40 characters of a tool result from its second line on.
                let content = event["message"]?["content"]?.arrayValue?.first?["content"]?.stringValue ?? ""
                return [LineText.oneLine(String(content.dropFirst("the file:\n".count)), limit: 40)]
            }
            let text = (lines ?? []).joined(separator: "\n")
            #expect(canary.leaks(in: text).isEmpty, "\(canary.leaks(in: text))")
            #expect(text.contains(Redactor.replacement))
        }
    }
}

/// A small deterministic random generator for property tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// Bytes written from a sendable closure (tests only).
final class LockedBytes: Sendable {
    private let storage = Mutex<[UInt8]>([])
    func append(_ bytes: [UInt8]) { storage.withLock { $0 += bytes } }
    var bytes: [UInt8] { storage.withLock { $0 } }
}
