import Executor

/// VMs on Morph Cloud, driven over Morph's HTTP API.
public struct MorphProvider: Sendable {}
