/// One entry of the manifest's `resources:`: a service a run creates (or finds again) and
/// hands to its sessions through `${resource:NAME.OUTPUT}`.
public struct ResourceSpec: Sendable, Equatable {
    /// The resource's name (`db`).
    public var name: String
    /// The adapter kind (`instant`).
    public var kind: String
    /// The adapter's options (validated against its schema); may hold secrets (a platform token).
    public var options: AdapterOptions
    /// A failed creation does not fail the run: the sessions start without its outputs.
    public var optional: Bool
    /// `destroy` leaves the resource in place.
    public var keep: Bool

    /// Creates a resource spec.
    public init(name: String, kind: String, options: AdapterOptions = AdapterOptions(), optional: Bool = false, keep: Bool = false) {
        self.name = name
        self.kind = kind
        self.options = options
        self.optional = optional
        self.keep = keep
    }

    /// Every secret of its options.
    public var secrets: [Secret] { options.secrets }

    /// The plan's JSON form (sorted keys): secrets as placeholders.
    public func json(_ style: PlaceholderStyle = .withState) -> JSONValue {
        var members: [JSONValue.Member] = []
        if keep { members.append(.init("keep", .bool(true))) }
        members.append(.init("kind", .string(kind)))
        members.append(.init("name", .string(name)))
        if optional { members.append(.init("optional", .bool(true))) }
        if !options.isEmpty { members.append(.init("options", options.json(style))) }
        return .object(members)
    }

    /// What the resource is, without how a run treats it: kind, name and options (secrets as
    /// sources), not `optional` or `keep`. Config digests cover this, so turning `keep` on
    /// never asks for `--replace` (which would make a new resource and delete the old one).
    public func identityJSON(_ style: PlaceholderStyle = .sourceOnly) -> JSONValue {
        var members: [JSONValue.Member] = [.init("kind", .string(kind)), .init("name", .string(name))]
        if !options.isEmpty { members.append(.init("options", options.json(style))) }
        return .object(members)
    }

    /// SHA-256 (hex) of ``identityJSON(_:)``: what a record of the resource is compared with
    /// to tell whether it was made for this config.
    public var configDigest: String { SHA256Hex.digest(identityJSON(.sourceOnly).canonicalBytes()) }
}

/// A reference to one output of a resource (`${resource:db.admin_token}`), as plans show it.
public struct OutputReference: Sendable, Hashable, CustomStringConvertible {
    /// The resource's name.
    public var resource: String
    /// The output's name.
    public var output: String
    /// Whether the output is secret (declared by the resource adapter).
    public var isSecret: Bool

    /// Creates a reference.
    public init(resource: String, output: String, isSecret: Bool) {
        self.resource = resource
        self.output = output
        self.isSecret = isSecret
    }

    /// `resource:NAME.OUTPUT`.
    public var description: String { "resource:\(resource).\(output)" }

    /// `<output resource:NAME.OUTPUT>`: what plans and outputs show in its place.
    public var placeholder: String { "<output \(description)>" }

    /// The source of the value once it is known (redacted like any secret when secret).
    public var secretSource: SecretSource { .runtime(description) }
}
