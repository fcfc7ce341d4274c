import Executor

/// Reads, validates and types a manifest, reporting every problem of the file at once.
///
/// The loader reads only what it is given: the bytes, and the injected
/// ``ManifestEnvironment`` for `${env:…}`/`${file:…}`. Missing variables and
/// files are not errors (plans must work in CI without secrets) unless `strict`.
public struct ManifestLoader: Sendable {
    /// Adapters whose options manifests may use.
    public var registry: AdapterRegistry
    /// Variables and files for interpolation.
    public var environment: ManifestEnvironment
    /// Bounds for hostile input.
    public var limits: YAMLLimits
    /// Whether missing variables and files are errors (`validate --strict`, `apply`).
    public var strict: Bool

    /// Creates a loader.
    public init(registry: AdapterRegistry, environment: ManifestEnvironment, limits: YAMLLimits = .default, strict: Bool = false) {
        self.registry = registry
        self.environment = environment
        self.limits = limits
        self.strict = strict
    }

    /// The typed manifest in `bytes` (named `file` in diagnostics), or every error found.
    public func load(_ bytes: [UInt8], file: String) throws(ManifestError) -> Manifest {
        let root: YAMLNode
        switch YAMLReader.read(bytes, file: file, limits: limits) {
        case .failure(let error): throw error
        case .success(let node): root = node
        }
        let logins = LoginLookup(descriptors: registry.logins, environment: environment)
        let resources = ResourceCatalog(isEnabled: !registry.resources.isEmpty)
        let reader = SchemaReader(interpolator: Interpolator(environment: environment, logins: logins, resources: resources), strict: strict)
        var builder = ManifestBuilder(root: root, file: file, schema: ManifestSchema(registry: registry), reader: reader)
        return try builder.build()
    }

    /// Loads `text` (a convenience for tests and embedders).
    public func load(text: String, file: String) throws(ManifestError) -> Manifest {
        try load(Array(text.utf8), file: file)
    }
}
