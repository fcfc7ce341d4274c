/// The record of a resource on each instance that uses it: `~/.runjob/resources/NAME.json`,
/// mode 0600, with the resource's id and outputs (secret ones too: the instance holds them
/// anyway, in its sessions' env files). Re-apply and destroy read it back; it lives outside
/// the state folder, so the state read (which may be logged at trace level) never carries it.
public enum ResourceRecord {
    /// The folder under the instance's home.
    public static let directory = ".runjob/resources"

    /// What a record holds.
    public struct Content: Sendable, Equatable {
        /// The resource's config digest when it was created (``ResourceSpec/configDigest``).
        public var config: String
        /// The resource.
        public var values: ResourceValues
    }

    /// The record's absolute path on an instance whose home is `home`.
    public static func path(home: String, resource: String) -> String {
        home + "/" + directory + "/" + resource + ".json"
    }

    /// The record of `spec` with `values`, as a 0600 file.
    public static func file(home: String, spec: ResourceSpec, values: ResourceValues) -> FileWrite {
        let outputs = values.outputNames.compactMap { name in values.value(name).map { JSONValue.Member(name, .string($0)) } }
        let document = JSONValue.object([
            "config": .string(spec.configDigest), "id": .string(values.id), "kind": .string(values.kind), "outputs": .object(outputs),
            "plain": .array(values.outputNames.filter { !values.secretNames.contains($0) }.map { .string($0) }), "resource": .string(spec.name),
        ])
        return FileWrite(path: path(home: home, resource: spec.name), mode: .ownerOnly, content: Array(document.compactText.utf8))
    }

    /// The record of `resource` on `instance` (whose home is `home`): `nil` when there is none
    /// or it is not a record; throws when it cannot be read.
    public static func read(_ resource: String, on instance: String, home: String, provider: any VMProvider) async throws -> Content? {
        try await provider.readFile(instance, path: path(home: home, resource: resource)).flatMap(parse)
    }

    /// Parses a record; `nil` when it is not one. Every output not listed as `plain` is secret
    /// (a record missing the list hides everything rather than showing a token).
    public static func parse(_ bytes: [UInt8]) -> Content? {
        guard let document = try? JSONValue.parse(bytes), let config = document["config"]?.stringValue,
            let id = document["id"]?.stringValue, let kind = document["kind"]?.stringValue,
            case .object(let members)? = document["outputs"]
        else { return nil }
        var outputs: [String: String] = [:]
        for member in members {
            guard let value = member.value.stringValue else { return nil }
            outputs[member.key] = value
        }
        let plain = Set(document["plain"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        return Content(config: config, values: ResourceValues(kind: kind, id: id, outputs: outputs, secret: Set(outputs.keys).subtracting(plain)))
    }
}
