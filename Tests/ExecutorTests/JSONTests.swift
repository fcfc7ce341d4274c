import Foundation
import Testing

@testable import Executor

/// Encodes with Foundation's encoder (to check Encodable conformances).
enum JSONEncoderShim {
    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}

@Suite("JSON values, writer, parser and RFC 8785 canonical form")
struct JSONTests {
    @Test("canonical form sorts keys by UTF-16 code units and drops whitespace (RFC 8785 §3.2.3 example)")
    func canonicalSorting() throws {
        let value = try JSONValue.parse(
            "{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"1\": \"One\", \"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": \"Control\", \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"}"
        )
        let expectedKeys = ["\r", "1", "\u{80}", "\u{F6}", "\u{20AC}", "\u{1F600}", "\u{FB33}"]
        guard case .object(let members) = try JSONValue.parse(value.canonicalBytes()) else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == expectedKeys)
        #expect(!String(decoding: value.canonicalBytes(), as: UTF8.self).contains(" \""))
    }

    @Test("numbers in ECMAScript form (RFC 8785 §3.2.2.3)")
    func numbers() {
        let cases: [(Double, String)] = [
            (0, "0"), (1, "1"), (-1, "-1"), (1.5, "1.5"), (100, "100"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
            (1e-7, "1e-7"), (0.000001, "0.000001"), (123.456, "123.456"), (-0.5, "-0.5"), (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (333333333.33333329, "333333333.3333333"),
        ]
        for (value, expected) in cases {
            #expect(JSONNumber.format(value) == expected, "\(value)")
        }
    }

    @Test("writer escapes strings; parser reads them back")
    func roundTrip() throws {
        let value = JSONValue.object([
            "text": .string("quote \" back \\ nl \n tab \t ctl \u{01} é 漢 😀"), "n": .int(-42), "d": .double(2.5), "b": .bool(true), "z": .null,
            "a": .array([.int(1), .string("x")]),
        ])
        #expect(try JSONValue.parse(value.compactText) == value)
        #expect(try JSONValue.parse(value.prettyText) == value)
        #expect(value.compactText.contains("\\u0001"))
    }

    @Test("string arrays and string members written directly equal their JSONValue rendering", arguments: [0, 2])
    func directStrings(indent: Int) {
        let lists: [[String]] = [[], ["one"], ["a\"b", "c\\d", "line\nbreak", "é", ""]]
        for items in lists {
            let direct = JSONWriter(indent: indent)
            direct.writeStrings(count: items.count, level: 1) { items[$0] }
            let viaValue = JSONWriter(indent: indent)
            viaValue.write(.array(items.map { .string($0) }), level: 1)
            #expect(direct.string == viaValue.string)

            let members = items.enumerated().map { (key: "k\($0.offset)\"", value: $0.element) }
            let directMembers = JSONWriter(indent: indent)
            directMembers.writeStringMembers(count: members.count, level: 1) { members[$0] }
            let membersViaValue = JSONWriter(indent: indent)
            membersViaValue.write(.object(members.map { .init($0.key, .string($0.value)) }), level: 1)
            #expect(directMembers.string == membersViaValue.string)
        }
    }

    @Test("a reused writer starts empty after removeAll and writes the same text again")
    func removeAll() {
        let writer = JSONWriter(indent: 2, capacity: 4)
        writer.writeStrings(count: 3, level: 0) { String(repeating: "x", count: $0 * 40) }
        let first = writer.string
        writer.removeAll()
        #expect(writer.count == 0)
        writer.writeStrings(count: 3, level: 0) { String(repeating: "x", count: $0 * 40) }
        #expect(writer.string == first)
        #expect((try? JSONValue.parse(first))?.arrayValue?.count == 3)
    }

    @Test("parser rejects malformed documents")
    func rejects() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"\\ud800\"", "1 2", "\"a\u{01}\""] {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONValue.parse(text) }
        }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }
}

@Suite("Base64")
struct Base64Tests {
    @Test("RFC 4648 test vectors")
    func vectors() {
        let cases = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in cases {
            #expect(Base64.encode(plain) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64.decode("a$b") == nil)
        #expect(Base64.encode([0xFB, 0xFF], alphabet: Base64.urlSafe, padding: false) == Array("-_8".utf8))
    }
}

@Suite("SHA-256")
struct SHA256Tests {
    @Test("known digests")
    func known() {
        #expect(SHA256Hex.digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Hex.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
