import Executor

extension LocalProvider {
    /// `local:` and the state directory: runs that keep instances in the same folder share leases.
    public var leaseScope: String { "local:" + stateDirectory }
}
