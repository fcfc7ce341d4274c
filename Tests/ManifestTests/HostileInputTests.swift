import Executor
import TestSupport
import Testing

@testable import Manifest

/// Hostile and malformed input: every case is rejected with its own code and a
/// position, without crashing or hanging (the CLI tests check exit 2, time and memory).
@Suite("Hostile input")
struct HostileInputTests {
    @Test("empty file")
    func emptyFile() {
        expectFindings("1️⃣", [Expected("1️⃣", ErrorCode.Manifest.emptyDocument, "the file is empty; a manifest starts with `version: 1`")])
        expectFindings(
            "1️⃣# only a comment\n", [Expected("1️⃣", ErrorCode.Manifest.emptyDocument, "the file is empty; a manifest starts with `version: 1`")])
    }

    @Test("a document that is only `---` is empty")
    func emptyDocumentMarker() {
        expectFindings("---\n1️⃣", [Expected("1️⃣", ErrorCode.Manifest.emptyDocument, "the document is empty; a manifest starts with `version: 1`")])
    }

    @Test("top level not a mapping")
    func notAMapping() {
        expectFindings(
            "1️⃣- a\n- b\n",
            [Expected("1️⃣", ErrorCode.Manifest.notAMapping, "the top level must be a mapping (`version: 1`, `name: …`, …), found a list")])
        expectFindings(
            "1️⃣just text\n",
            [Expected("1️⃣", ErrorCode.Manifest.notAMapping, "the top level must be a mapping (`version: 1`, `name: …`, …), found a scalar")])
    }

    @Test("several documents")
    func multipleDocuments() {
        expectFindings(
            "a: 1\n1️⃣---\nb: 2\n",
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.multipleDocuments, "the file holds more than one YAML document (`---`); a manifest is a single document")
            ])
    }

    @Test("tags outside the core schema")
    func unknownTags() {
        let message =
            "the tag !!python/object:os.system is not supported; manifests use plain YAML values (strings, numbers, true/false, lists, mappings)"
        expectFindings("a: 1️⃣!!python/object:os.system [ls]\n", [Expected("1️⃣", ErrorCode.Manifest.unknownTag, message)])
        expectFindings(
            "a: 1️⃣!custom x\n",
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.unknownTag,
                    "the tag !custom is not supported; manifests use plain YAML values (strings, numbers, true/false, lists, mappings)")
            ])
        expectFindings(
            "a: 1️⃣!!binary aGVsbG8=\n",
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.unknownTag,
                    "the tag !!binary is not supported; manifests use plain YAML values (strings, numbers, true/false, lists, mappings)")
            ])
    }

    @Test("duplicate keys name both places")
    func duplicateKeys() {
        let text = MarkedText("version: 1\nname: a\n1️⃣name: b\n")
        let outcome = load(text.text)
        let duplicate = outcome.diagnostics.first { $0.code == ErrorCode.Manifest.duplicateKey }
        #expect(duplicate?.location.line == 3)
        #expect(duplicate?.location.column == 1)
        #expect(duplicate?.message == "the key 'name' appears twice in this mapping; the second would silently replace the first")
        #expect(duplicate?.notes.first?.location.line == 2)
    }

    @Test("duplicate keys in small and large mappings, each pointing at the first; a quoted << is not the merge key")
    func duplicateKeysEverywhere() {
        // Small mapping (compared pairwise): `ab` and `ba` have the same length and are different.
        let small = MarkedText("x-a: {ab: 1, ba: 2, 1️⃣ab: 3, 2️⃣ab: 4}\n")
        let smallFound = load(small.text).diagnostics.filter { $0.code == ErrorCode.Manifest.duplicateKey }
        #expect(smallFound.map(\.location.column) == [small.position("1️⃣").column, small.position("2️⃣").column])
        #expect(smallFound.allSatisfy { $0.notes.first?.location.column == 7 })
        // A quoted "<<" is an ordinary key: no duplicate of the merge key before it.
        let merge = load("x-d: &d {a: 1}\nx-m: {<<: *d, \"<<\": 2}\n").diagnostics
        #expect(!merge.contains { $0.code == ErrorCode.Manifest.duplicateKey })
        // Large mapping (hashed): one duplicate among 40 keys.
        let keys = (0..<40).map { "k\($0): \($0)" } + ["k7: again"]
        let large = load("x-big:\n" + keys.map { "  " + $0 }.joined(separator: "\n") + "\n").diagnostics
        let largeFound = large.filter { $0.code == ErrorCode.Manifest.duplicateKey }
        #expect(largeFound.map(\.location.line) == [42])
        #expect(largeFound.first?.notes.first?.location.line == 9)
    }

    @Test("undefined and recursive aliases")
    func aliases() {
        expectFindings("a: 1️⃣*nowhere\n", [Expected("1️⃣", ErrorCode.Manifest.undefinedAlias, "alias *nowhere has no anchor &nowhere before it")])
        expectFindings(
            "a: &x [1, 1️⃣*x]\n",
            [Expected("1️⃣", ErrorCode.Manifest.undefinedAlias, "alias *x refers to a node that contains it (a recursive alias)")])
    }

    @Test("non-scalar keys")
    func complexKeys() {
        expectFindings("1️⃣[a, b]: 1\n", [Expected("1️⃣", ErrorCode.Manifest.complexKey, "mapping keys must be plain text, not a list")])
        expectFindings("? 1️⃣{a: 1}\n: 2\n", [Expected("1️⃣", ErrorCode.Manifest.complexKey, "mapping keys must be plain text, not a mapping")])
    }

    @Test("NUL bytes, invalid UTF-8 and UTF-16 are rejected with their position")
    func encoding() {
        let nul = load(bytes: Array("version: 1\nna\u{0}me: x\n".utf8))
        #expect(nul.codes == [ErrorCode.Manifest.nulByte])
        #expect(nul.diagnostics.first.map { ($0.location.line, $0.location.column) } ?? (0, 0) == (2, 3))
        let invalid = load(bytes: Array("version: 1\nname: é".utf8) + [0xC3, 0x28])
        #expect(invalid.codes == [ErrorCode.Manifest.invalidUTF8])
        #expect(invalid.diagnostics.first?.location.column == 8)
        #expect(invalid.diagnostics.first?.message == "invalid UTF-8 byte 0xC3; save the file as UTF-8")
        let overlong = load(bytes: [0x61, 0x3A, 0x20, 0xC0, 0xAF])
        #expect(overlong.codes == [ErrorCode.Manifest.invalidUTF8])
        let surrogate = load(bytes: [0x61, 0x3A, 0x20, 0xED, 0xA0, 0x80])
        #expect(surrogate.codes == [ErrorCode.Manifest.invalidUTF8])
        let utf16 = load(bytes: [0xFF, 0xFE, 0x61, 0x00])
        #expect(utf16.codes == [ErrorCode.Manifest.invalidUTF8])
        #expect(utf16.diagnostics.first?.message == "the file is UTF-16 encoded; save it as UTF-8")
    }

    @Test("binary junk is rejected, never crashes")
    func binaryJunk() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<200 {
            let bytes = (0..<Int(generator.next() % 300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let outcome = load(bytes: bytes)
            // Random bytes may occasionally form a valid YAML scalar document; either way no crash and no success.
            #expect(outcome.manifest == nil)
            #expect(!outcome.errors.isEmpty)
        }
    }

    @Test("document size limit")
    func tooLarge() {
        let limits = YAMLLimits(maxBytes: 100, maxDepth: 64, maxAliasExpansion: 1000, maxKeys: 1000)
        let outcome = load(String(repeating: "# padding\n", count: 20), limits: limits)
        #expect(outcome.codes == [ErrorCode.Manifest.tooLarge])
        #expect(outcome.diagnostics.first?.message == "the file is 200 bytes; manifests are limited to 100 bytes")
    }

    @Test("nesting depth limit, flow and block")
    func tooDeep() {
        let flow = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let outcome = load(flow)
        #expect(outcome.codes == [ErrorCode.Manifest.tooDeep])
        #expect(outcome.diagnostics.first?.message == "nesting is deeper than 64 levels")
        #expect(outcome.diagnostics.first?.location.column == 65)
        let block = (0..<70).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " x\n"
        #expect(load(block).codes == [ErrorCode.Manifest.tooDeep])
    }

    @Test("alias expansion limit stops billion laughs")
    func billionLaughs() {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1..<10 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(refs)]")
        }
        let outcome = load(lines.joined(separator: "\n") + "\n")
        #expect(outcome.codes == [ErrorCode.Manifest.tooManyAliases])
        #expect(outcome.diagnostics.first?.message == "aliases expand to more than 100000 nodes (an alias bomb?)")
    }

    @Test("key count limit, counting keys reached through aliases")
    func tooManyKeys() {
        let limits = YAMLLimits(maxBytes: 1 << 20, maxDepth: 64, maxAliasExpansion: 1_000_000, maxKeys: 50)
        let many = (0..<60).map { "k\($0): v" }.joined(separator: "\n")
        let outcome = load(many, limits: limits)
        #expect(outcome.codes == [ErrorCode.Manifest.tooManyKeys])
        #expect(outcome.diagnostics.first?.location.line == 51)
        let viaAlias = "base: &b {" + (0..<30).map { "k\($0): v" }.joined(separator: ", ") + "}\ncopy: *b\n"
        #expect(load(viaAlias, limits: limits).codes == [ErrorCode.Manifest.tooManyKeys])
    }

    @Test("a huge scalar within the size limit is read, then judged by the schema")
    func hugeScalar() {
        let text = minimalHeader + "description: \"" + String(repeating: "x", count: 2_000_000) + "\"\n"
        let outcome = load(text)
        #expect(outcome.errors.isEmpty)
        #expect(outcome.manifest?.description?.count == 2_000_000)
    }
}

/// A tiny deterministic random generator for fuzz-style tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
