import Foundation
import Testing

/// Every code declared in the sources is documented in `_reference/error-codes.md`, and
/// every documented code is declared: the catalog cannot drift from the code.
@Suite("Error code catalog")
struct ErrorCodeCatalogTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func matches(_ pattern: String, in text: String) throws -> Set<String> {
        let regex = try NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return Set(regex.matches(in: text, range: range).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } })
    }

    static func sourceTexts() throws -> [(path: String, text: String)] {
        let sources = root.appendingPathComponent("Sources")
        guard let enumerator = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil) else { return [] }
        var result: [(String, String)] = []
        for case let url as URL in enumerator where url.pathExtension == "swift" {
            result.append((url.path, try String(contentsOf: url, encoding: .utf8)))
        }
        return result
    }

    @Test("declared codes and documented codes are the same set")
    func catalogMatchesSources() throws {
        let documentation = try String(contentsOf: Self.root.appendingPathComponent("_reference/error-codes.md"), encoding: .utf8)
        let documented = try Self.matches("`([a-z]+\\.[a-z0-9_]+)`", in: documentation).filter {
            ["manifest", "provider", "process", "agent", "credentials", "orchestration", "auth", "resource", "cli"].contains($0.split(separator: ".")[0])
        }
        var declared: Set<String> = []
        for (_, text) in try Self.sourceTexts() {
            declared.formUnion(try Self.matches("ErrorCode\\(rawValue: \"([a-z0-9_.]+)\"\\)", in: text))
        }
        #expect(!declared.isEmpty)
        #expect(declared.subtracting(documented).sorted() == [], "declared in Sources but not listed in _reference/error-codes.md")
        #expect(documented.subtracting(declared).sorted() == [], "listed in _reference/error-codes.md but not declared")
    }

    @Test("codes are declared only in the ErrorCode files, never as ad-hoc literals")
    func noAdHocCodes() throws {
        for (path, text) in try Self.sourceTexts() where !path.contains("/Errors/ErrorCode") {
            let adHoc = try Self.matches("ErrorCode\\(rawValue: \"([a-z0-9_.]+)\"\\)", in: text)
            #expect(adHoc.isEmpty, "\(path) declares codes outside Sources/Executor/Errors: \(adHoc.sorted())")
        }
    }
}
