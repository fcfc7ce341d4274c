import Executor
import TestSupport
import Testing

@testable import Manifest

@Suite("YAML reading: structure, positions, merge keys")
struct YAMLStructureTests {
    @Test("every node keeps its line and column")
    func positions() throws {
        let text = MarkedText(
            """
            1️⃣a:
              2️⃣b: 3️⃣[x, 4️⃣"y"]
            5️⃣c: |
              text
            """)
        let root = try YAMLReader.read(Array(text.text.utf8), file: "f.yaml").get()
        #expect(root.location.line == text.position("1️⃣").line)
        let a = try #require(root["a"])
        let b = try #require(a.pairs?.first)
        #expect((b.key.location.line, b.key.location.column) == text.position("2️⃣"))
        #expect((b.value.location.line, b.value.location.column) == text.position("3️⃣"))
        let y = try #require(b.value.items?.last)
        #expect((y.location.line, y.location.column) == text.position("4️⃣"))
        #expect(y.scalar == YAMLScalar(text: "y", style: .doubleQuoted))
        let c = try #require(root.pairs?.last)
        #expect((c.key.location.line, c.key.location.column) == text.position("5️⃣"))
        #expect(c.value.scalar == YAMLScalar(text: "text", style: .literal))
        #expect(root.location.file == "f.yaml")
    }

    @Test("columns count characters, not bytes")
    func columnsCountCharacters() throws {
        let root = try YAMLReader.read(Array("k: \"é漢\"\nz: 1".utf8), file: "f.yaml").get()
        let pairs = try #require(root.pairs)
        #expect(pairs[0].value.location.column == 4)
        let line = try YAMLReader.read(Array("é漢: x".utf8), file: "f").get()
        #expect(line.pairs?.first?.value.location.column == 5)
    }

    @Test("aliases share the anchored node and merge keys apply, explicit keys winning")
    func mergeKeys() throws {
        let yaml = """
            defaults: &d
              cwd: ~/app
              model: sonnet
            other: &o
              model: opus
              extra: 1
            session:
              <<: [*d, *o]
              model: haiku
            """
        let root = try YAMLReader.read(Array(yaml.utf8), file: "f").get()
        let session = try #require(root["session"])
        #expect(session.pairs?.map(\.keyText) == ["cwd", "extra", "model"])
        #expect(session["model"]?.scalar?.text == "haiku")
        #expect(session["cwd"]?.scalar?.text == "~/app")
        #expect(session["extra"]?.scalar?.text == "1")
        // Merged entries keep the position where they were written.
        #expect(session.pairs?.first?.key.location.line == 2)
    }

    @Test("a merge key that is not a mapping is an error")
    func invalidMerge() {
        expectFindings(
            """
            version: 1
            x:
              <<: 1️⃣[1, 2]
            """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.invalidMerge, "a merge key `<<` takes a mapping (usually an alias such as *defaults) or a list of them")
            ])
    }

    @Test("a quoted << is an ordinary key")
    func quotedMergeKeyIsOrdinary() throws {
        let root = try YAMLReader.read(Array("x:\n  \"<<\": 1\n".utf8), file: "f").get()
        #expect(root["x"]?.pairs?.first?.keyText == "<<")
    }

    @Test("!!str makes a plain scalar text; the non-specific ! tag too")
    func stringTag() throws {
        let root = try YAMLReader.read(Array("a: !!str 0700\nb: ! yes\n".utf8), file: "f").get()
        #expect(root["a"]?.scalar?.style.isQuotedOrBlock == true)
        #expect(root["b"]?.scalar?.text == "yes")
    }

    @Test("libyaml syntax errors carry the problem position")
    func syntaxError() {
        expectFindings(
            """
            version: 1
            name: [unclosed
            1️⃣
            """,
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.yamlSyntax,
                    "YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence")
            ])
    }
}
