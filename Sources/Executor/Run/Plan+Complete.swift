extension Plan {
    /// Throws `orchestration.partial_plan` unless the value of every secret is known here:
    /// a run must never start with unset secrets and fail half-way. The engine, the
    /// Orchestrator facade and the CLI all refuse through this one check.
    public func requireEverySecret() throws(OrchestrationError) {
        guard secrets.isPartial else { return }
        let missing = secrets.unresolved.map(\.description).joined(separator: ", ")
        throw OrchestrationError(
            ErrorCode.Orchestration.partialPlan, "apply needs every secret, and these are not available here: \(missing)")
    }
}
