import Executor

extension MorphProvider {
    /// `morph:` and the API base URL: runs against the same API share leases.
    public var leaseScope: String { "morph:" + configuration.baseURL }

    /// Waits for an instance that is still `pending`, resumes a `paused` one (and waits
    /// until it is ready); an instance in `error` cannot be made ready (`provider.wrong_state`).
    public func makeReady(_ instance: Instance) async throws -> Instance {
        switch instance.status {
        case .ready:
            return instance
        case .booting:
            return try await waitUntilReady(instance, deadline: ContinuousClock().now + configuration.bootTimeout)
        case .stopped:
            return try await resume(instance.id)
        case .stopping:
            // Pausing or saving: wait for it to settle, then resume it if it ended paused.
            let settled = try await waitUntilSettled(instance)
            return settled.status == .stopped ? try await resume(settled.id) : settled
        case .error, .incomplete, .unknown:
            throw ProviderError(
                ErrorCode.Provider.wrongState,
                "Morph reports the instance in state `\(instance.status.rawValue)`; `runjob apply --replace` replaces it, `runjob destroy` removes it",
                context: [.init("instance", instance.id)])
        }
    }

    /// Polls an instance that is being paused or saved until it is something else.
    private func waitUntilSettled(_ instance: Instance) async throws -> Instance {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.bootTimeout
        var current = instance
        while current.status == .stopping {
            guard clock.now < deadline else {
                throw ProviderError(
                    ErrorCode.Provider.timeout, "the instance was still being saved after \(configuration.bootTimeout)",
                    context: [.init("instance", instance.id)])
            }
            try await Task.sleep(for: configuration.pollInterval)
            guard let fresh = try await get(instance.id) else { throw gone(instance.id, route: "GET /instance/{id}") }
            current = fresh
        }
        return current
    }
}
