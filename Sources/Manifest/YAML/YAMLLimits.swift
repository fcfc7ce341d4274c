/// Bounds that keep hostile input from exhausting time or memory. Each has its
/// own error code; README documents the defaults.
public struct YAMLLimits: Sendable, Equatable {
    /// Largest document in bytes (`manifest.too_large`).
    public var maxBytes: Int
    /// Deepest nesting of mappings and sequences (`manifest.too_deep`).
    public var maxDepth: Int
    /// Most nodes that aliases may add when expanded (`manifest.too_many_aliases`; stops "billion laughs").
    public var maxAliasExpansion: Int
    /// Most mapping keys in the document, counting those reached through aliases (`manifest.too_many_keys`).
    public var maxKeys: Int
    /// Most nodes (scalars, lists, mappings) written in the document (`manifest.too_many_nodes`).
    public var maxNodes: Int

    /// Creates limits.
    public init(maxBytes: Int, maxDepth: Int, maxAliasExpansion: Int, maxKeys: Int, maxNodes: Int = 500_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxAliasExpansion = maxAliasExpansion
        self.maxKeys = maxKeys
        self.maxNodes = maxNodes
    }

    /// The defaults: 16 MiB, depth 64, 100 000 alias-expanded nodes, 200 000 keys, 500 000 nodes.
    public static let `default` = YAMLLimits(maxBytes: 16 << 20, maxDepth: 64, maxAliasExpansion: 100_000, maxKeys: 200_000, maxNodes: 500_000)
}
