/// One machine of the manifest: what to boot and what to write into `~/.machine.json`.
public struct MachineSpec: Sendable, Equatable {
    /// The machine's name (`main`).
    public var name: String
    /// Home directory override; `nil` means "ask the instance".
    public var home: RemotePath?
    /// Extra labels for the instance (besides runjob's own `runjob.*` labels).
    public var metadata: [OptionEntry]
    /// Free-form information written to `~/.machine.json` under `info`.
    public var info: JSONValue
    /// Provider-specific machine options (`snapshot`, `ttl`, …).
    public var options: AdapterOptions

    /// Creates a machine spec.
    public init(
        name: String, home: RemotePath? = nil, metadata: [OptionEntry] = [], info: JSONValue = .object([]),
        options: AdapterOptions = AdapterOptions()
    ) {
        self.name = name
        self.home = home
        self.metadata = metadata
        self.info = info
        self.options = options
    }

    /// Labels as plain text (metadata never holds secrets).
    public var labels: [(key: String, value: String)] {
        metadata.compactMap { entry in
            if case .text(let text) = entry.value { (entry.key, text.description) } else { nil }
        }
    }

    /// The plan's JSON form.
    ///
    /// Keys are sorted (provider options sit under `options`), so canonical JSON needs no sorting.
    public func json(_ style: PlaceholderStyle = .withState) -> JSONValue {
        var members: [JSONValue.Member] = []
        if let home { members.append(.init("home", .string(home.description))) }
        members.append(.init("info", info))
        if !metadata.isEmpty {
            members.append(.init("metadata", .object(metadata.map { .init($0.key, $0.value.json(style)) })))
        }
        members.append(.init("name", .string(name)))
        if !options.isEmpty { members.append(.init("options", options.json(style))) }
        return .object(members)
    }
}
