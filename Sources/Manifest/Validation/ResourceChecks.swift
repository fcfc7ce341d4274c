import Executor

/// Checks across blocks for `resources:`: a resource nothing refers to (warning; it gets no
/// step), and a credential file or a prompt that refers to an `optional: true` resource
/// (error: neither can do without the value when the resource fails; a variable can).
struct ResourceChecks {
    let reader: SchemaReader
    let root: YAMLNode

    func run(resources: [ResourceSpec], profiles: [CredentialProfileSpec], sessions: [SessionSpec]) {
        guard !resources.isEmpty else { return }
        let located = reader.outputReferences
        let used = Set(ResourceUse.byMachine(sessions: sessions, profiles: profiles).values.joined().map(\.resource))
        for resource in resources where !used.contains(resource.name) {
            guard let node = root["resources"]?[resource.name] else { continue }
            reader.warning(
                ErrorCode.Manifest.unusedResource,
                "the resource `\(resource.name)` is not used by any session or credential file in use: apply does not create it",
                at: node, path: YAMLPath.root.appending("resources").appending(resource.name))
        }
        let optional = Set(resources.filter(\.optional).map(\.name))
        guard !optional.isEmpty else { return }
        for reference in located where optional.contains(reference.reference.resource) {
            if reference.path.hasPrefix("credentials.") {
                reader.append(
                    ManifestDiagnostic(
                        .error, ErrorCode.Manifest.optionalResourceInFile,
                        "`${\(reference.reference)}` refers to an optional resource: when it fails this file cannot be written; use it in a session's `env:`, or remove `optional: true`",
                        at: reference.location, path: reference.path))
            } else if reference.path.hasSuffix(".prompt") {
                reader.append(
                    ManifestDiagnostic(
                        .error, ErrorCode.Manifest.optionalResourceInPrompt,
                        "`${\(reference.reference)}` refers to an optional resource: when it fails the prompt has no value; pass it through the session's `env:`, or remove `optional: true`",
                        at: reference.location, path: reference.path))
            }
        }
    }
}
