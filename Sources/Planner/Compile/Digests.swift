import Executor
import Manifest

/// The plan's two digests.
public enum Digests {
    /// The JSON document the config digest is computed over: every non-secret
    /// input (secrets appear as their source, so a new value does not change it).
    public static func configDocument(_ manifest: Manifest) -> JSONValue {
        var members: [JSONValue.Member] = [
            .init("format", .int(Plan.formatVersion)),
            .init("name", .string(manifest.name)),
            .init("provider", manifest.provider.json(.sourceOnly)),
            .init("process_manager", manifest.processManager.json(.sourceOnly)),
            .init("machines", .array(manifest.machines.map { $0.json(.sourceOnly) })),
            .init("credentials", .array(manifest.credentials.map { $0.json(.sourceOnly) })),
            .init("sessions", .array(manifest.sessions.map { $0.json(.sourceOnly) })),
        ]
        // Only when there are resources, so manifests without them keep their digests.
        if !manifest.resources.isEmpty { members.append(.init("resources", .array(manifest.resources.map { $0.identityJSON(.sourceOnly) }))) }
        return .object(members)
    }

    /// SHA-256 (hex) of the RFC 8785 canonical form of ``configDocument(_:)``,
    /// streamed session by session (the whole document is never held in memory).
    public static func config(_ manifest: Manifest) -> String {
        // Top-level keys in canonical (sorted) order; `sessions` is last and streamed.
        var stream = SHA256Stream()
        let style = PlaceholderStyle.sourceOnly
        stream.update("{\"credentials\":")
        stream.update(JSONValue.array(manifest.credentials.map { $0.json(style) }).canonicalBytes())
        stream.update(",\"format\":")
        stream.update(JSONValue.int(Plan.formatVersion).canonicalBytes())
        stream.update(",\"machines\":")
        stream.update(JSONValue.array(manifest.machines.map { $0.json(style) }).canonicalBytes())
        stream.update(",\"name\":")
        stream.update(JSONValue.string(manifest.name).canonicalBytes())
        stream.update(",\"process_manager\":")
        stream.update(manifest.processManager.json(style).canonicalBytes())
        stream.update(",\"provider\":")
        stream.update(manifest.provider.json(style).canonicalBytes())
        // Only when there are resources, so manifests without them keep their digests.
        if !manifest.resources.isEmpty {
            stream.update(",\"resources\":")
            stream.update(JSONValue.array(manifest.resources.map { $0.identityJSON(style) }).canonicalBytes())
        }
        stream.update(",\"sessions\":[")
        for (index, session) in manifest.sessions.enumerated() {
            if index > 0 { stream.update(",") }
            stream.update(session.json(style).canonicalBytes())
        }
        stream.update("]}")
        return stream.finalize()
    }

    /// Digests of the secret values, per scope and overall.
    public static func secrets(_ manifest: Manifest) -> SecretsDigest {
        var scopes: [String: String] = [:]
        func add(_ scope: String, _ values: [InterpolatedString]) {
            let secrets = values.flatMap(\.secrets)
            guard !secrets.isEmpty else { return }
            let entries = secrets.map { secret -> JSONValue in
                .array([.string(secret.source.description), .string(secret.reveal().map { SHA256Hex.digest($0) } ?? "unset")])
            }
            scopes[scope] = SHA256Hex.digest(JSONValue.array(entries).canonicalBytes())
        }
        add("provider", manifest.provider.options.values.flatMap(\.value.interpolatedStrings))
        add("process_manager", manifest.processManager.options.values.flatMap(\.value.interpolatedStrings))
        for machine in manifest.machines {
            add("machine:\(machine.name)", machine.options.values.flatMap(\.value.interpolatedStrings))
        }
        for resource in manifest.resources { add("resource:\(resource.name)", resource.options.values.flatMap(\.value.interpolatedStrings)) }
        for profile in manifest.credentials { add("credentials:\(profile.name)", profile.interpolatedValues) }
        for session in manifest.sessions { add("session:\(session.name)", session.interpolatedValues) }
        let overall = SHA256Hex.digest(JSONValue.object(scopes.map { .init($0.key, .string($0.value)) }).canonicalBytes())
        return SecretsDigest(overall: overall, scopes: scopes, unresolved: manifest.unresolvedSources)
    }
}
