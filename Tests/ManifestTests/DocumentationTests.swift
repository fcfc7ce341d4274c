import Executor
import Foundation
import Testing

@testable import Manifest

@Suite("README documents the manifest")
struct DocumentationTests {
    static let readme: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }()

    static func fieldNames(_ schema: OptionSchema) -> [String] {
        schema.fields.flatMap { field -> [String] in
            var names = [field.name]
            switch field.type {
            case .object(let nested): names += fieldNames(nested)
            case .list(.object(let nested)): names += fieldNames(nested)
            default: break
            }
            return names
        }
    }

    @Test("every field of every block, including adapters' options, is named in README")
    func everyField() {
        let schema = ManifestSchema(registry: testRegistry)
        var names = Self.fieldNames(schema.topLevel(providerKind: nil)) + Self.fieldNames(ManifestSchema.machineCommonFields)
        names += Self.fieldNames(schema.credentialProfile) + Self.fieldNames(ManifestSchema.sessionCommonFields)
        names += ["prompt", "run", "agent", "kind"]
        for provider in testRegistry.providers { names += Self.fieldNames(provider.providerOptions) + Self.fieldNames(provider.machineOptions) }
        for manager in testRegistry.processManagers { names += Self.fieldNames(manager.options) }
        for agent in testRegistry.agents { names += Self.fieldNames(agent.sessionOptions) }
        #expect(!Self.readme.isEmpty)
        let missing = Set(names).filter { !Self.readme.contains("`\($0)`") }.sorted()
        #expect(missing == [], "README does not document: \(missing)")
    }

    @Test("every adapter kind and every limit code is named in README")
    func kindsAndLimits() {
        let kinds = testRegistry.providers.map(\.kind) + testRegistry.processManagers.map(\.kind) + testRegistry.agents.map(\.kind)
        let missing = kinds.filter {
            !Self.readme.contains("`\($0)`") && !Self.readme.contains("kind: \($0)") && !Self.readme.contains("agent: \($0)")
        }
        #expect(missing == [])
        for code in [
            ErrorCode.Manifest.tooLarge, ErrorCode.Manifest.tooDeep, ErrorCode.Manifest.tooManyAliases, ErrorCode.Manifest.tooManyKeys,
            ErrorCode.Manifest.tooManyNodes,
        ] {
            #expect(Self.readme.contains(code.rawValue), "\(code)")
        }
    }
}
