import ArgumentParser
import RunjobKit

/// `runjob schema`
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of manifest v1 (for editors and CI).",
        discussion: """
            Generated from the same definitions the validator uses, including every
            adapter's options.

            Example (VS Code YAML extension):
              runjob schema > .vscode/runjob.schema.json
              # then: "yaml.schemas": {".vscode/runjob.schema.json": "runjob/*.yaml"}
            """)

    func run() throws {
        let document = JSONSchemaGenerator(schema: ManifestSchema(registry: Adapters.registry)).document()
        Console.out(document.prettyText + "\n")
    }
}
