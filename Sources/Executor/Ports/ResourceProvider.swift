/// What a resource adapter is asked to create.
public struct ResourceRequest: Sendable, Equatable {
    /// The resource's name in the manifest.
    public var resource: String
    /// The manifest's name.
    public var deployment: String
    /// The workspace of the run.
    public var workspace: String
    /// A token for generated names: the same for one resource of one deployment, workspace
    /// and resource config, and different otherwise, so a create whose answer was lost (in
    /// this apply or an earlier one) can be found again by name before creating another.
    public var token: String

    /// Creates a request.
    public init(resource: String, deployment: String, workspace: String, token: String) {
        self.resource = resource
        self.deployment = deployment
        self.workspace = workspace
        self.token = token
    }
}

/// A resource that exists: its id and its outputs by name. Secret outputs never show in
/// `description`, `dump` or a mirror; ``secrets`` gives them to redactors.
public struct ResourceValues: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    /// The adapter kind that made it.
    public var kind: String
    /// The resource's id at the service (an Instant app id).
    public var id: String
    private var values: [String: String]
    /// The names of the outputs that are secret.
    public private(set) var secretNames: Set<String>
    /// Whether a create found this resource already there (made by an earlier attempt whose
    /// answer was lost) rather than making it: a failed run must not delete it.
    public var adopted = false

    /// Creates the values of a resource; `secret` names the outputs that are secret.
    public init(kind: String, id: String, outputs: [String: String], secret: Set<String>) {
        self.kind = kind
        self.id = id
        self.values = outputs
        self.secretNames = secret
    }

    /// The value of output `name`; use it only where it must leave the process.
    public func value(_ name: String) -> String? { values[name] }

    /// The output names, sorted.
    public var outputNames: [String] { values.keys.sorted() }

    /// The outputs that are not secret, by name.
    public var plainOutputs: [String: String] { values.filter { !secretNames.contains($0.key) } }

    /// The same values with every output secret except those in `plain` (and already plain):
    /// what an adapter declares wins over what a record on an instance says.
    public func keepingPlain(only plain: Set<String>) -> ResourceValues {
        var copy = self
        copy.secretNames = Set(values.keys.filter { secretNames.contains($0) || !plain.contains($0) })
        return copy
    }

    /// The secret outputs as secrets of source `runtime:resource:NAME.OUTPUT`.
    public func secrets(resource: String) -> [Secret] {
        secretNames.sorted().compactMap { name in
            values[name].map { Secret(source: OutputReference(resource: resource, output: name, isSecret: true).secretSource, value: $0) }
        }
    }

    /// The id and the non-secret outputs.
    public var description: String {
        let plain = plainOutputs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return "\(kind) \(id)" + (plain.isEmpty ? "" : " (" + plain.joined(separator: ", ") + ")")
    }

    /// A mirror without the secret outputs.
    public var customMirror: Mirror {
        Mirror(self, children: ["kind": kind, "id": id, "outputs": plainOutputs], displayStyle: .struct)
    }
}

/// The outputs of every resource a run has, by resource name: what `${resource:…}` parts are
/// bound to before a session starts or a credential file is written.
public struct ResourceOutputs: Sendable, Equatable {
    /// Values by resource name (a failed optional resource has none).
    public var resources: [String: ResourceValues]

    /// Creates the table.
    public init(_ resources: [String: ResourceValues] = [:]) {
        self.resources = resources
    }

    /// Each resource's id, by resource name.
    public var ids: [String: String] { resources.mapValues(\.id) }

    /// The value `reference` names, or `nil` when the resource or the output is missing.
    public func value(of reference: OutputReference) -> String? {
        resources[reference.resource]?.value(reference.output)
    }
}

/// A resource adapter at run time: creates, checks and deletes one kind of resource.
///
/// Implementations map failures to ``ResourceError`` with a `resource.*` code, never a
/// secret in the message; a create whose outcome is unknown is ``ResourceError/isAmbiguous``
/// unless the adapter could find what it made.
public protocol ResourceProvider: Sendable {
    /// The adapter kind (`instant`).
    var kind: String { get }

    /// The outputs that are not secret; every other output (also one it does not know) is.
    var plainOutputs: Set<String> { get }

    /// Creates the resource; never repeats a create whose answer was lost without first
    /// looking for what it made.
    func create(_ request: ResourceRequest) async throws -> ResourceValues

    /// Whether the recorded resource still exists (a read; changes nothing).
    func exists(_ values: ResourceValues) async throws -> Bool

    /// Deletes the resource; `false` when it was already gone.
    func delete(_ values: ResourceValues) async throws -> Bool
}
