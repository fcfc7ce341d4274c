import Executor

extension MorphProvider {
    /// Starts an instance from the machine's snapshot with the request's labels and
    /// TTL, and returns once Morph reports it `ready`.
    ///
    /// The start call is never repeated blindly: after an answer that may hide a
    /// started instance (5xx, 429, a broken connection, a timeout, an unreadable
    /// body) the instance is looked up by its `runjob.boot` label first, so one boot
    /// token never gets two instances. If waiting fails, the instance is deleted and
    /// the error says so.
    public func boot(_ request: BootRequest) async throws -> Instance {
        guard let snapshot = request.machine.options.plainText("snapshot"), !snapshot.isEmpty else {
            throw ProviderError(
                ErrorCode.Provider.misconfigured, "machine `\(request.machine.name)` needs `snapshot:` to boot on Morph",
                context: [.init("machine", request.machine.name)])
        }
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.bootTimeout
        let created = try await start(snapshot: snapshot, request: request)
        do {
            return try await waitUntilReady(created, deadline: deadline)
        } catch {
            throw await deleteAfterFailedBoot(created.id, error)
        }
    }

    /// The start request's body: labels as metadata and the TTL, with explicit nulls like the official SDK.
    static func startBody(_ request: BootRequest) -> JSONValue {
        let ttl = request.machine.options.object("ttl")
        let metadata = JSONValue.object(request.labels.sorted { $0.key < $1.key }.map { .init($0.key, .string($0.value)) })
        return .object([
            "metadata": metadata,
            "ttl_seconds": ttl?.integer("seconds").map { .int($0) } ?? .null,
            "ttl_action": ttl.map { .string($0.plainText("action") ?? "stop") } ?? .null,
        ])
    }

    /// Sends the start request until an instance exists for the boot token, never starting two.
    /// When the run is interrupted meanwhile, whatever the token started is deleted.
    private func start(snapshot: String, request: BootRequest) async throws -> Instance {
        let token = request.labels[InstanceLabel.boot]
        do {
            return try await startLoop(snapshot: snapshot, request: request, token: token)
        } catch is CancellationError {
            await sweepAfterCancelledStart(token: token)
            throw CancellationError()
        }
    }

    private func startLoop(snapshot: String, request: BootRequest, token: String?) async throws -> Instance {
        let route = "POST /instance"
        let body = Self.startBody(request)
        let deadline = ContinuousClock.now + configuration.retryDeadline
        var attempt = 0
        var uncertain = false
        while true {
            attempt += 1
            var failure: ProviderError
            var retryAfter: Duration?
            do {
                let response = try await http.send(.POST, "/instance", query: [("snapshot_id", snapshot)], body: body, label: "boot")
                if (200..<300).contains(response.status), let json = response.json, let instance = MorphInstanceJSON.instance(json) {
                    if uncertain, let token, http.bootRetry == .lookUpFirst { try await keepOnly(instance, token: token) }
                    return instance
                }
                if (400..<500).contains(response.status) && response.status != 429 {
                    // Refused: nothing was started.
                    throw MorphHTTP.error(status: response.status, response: response, route: route, instance: nil)
                }
                retryAfter = response.retryAfter
                failure =
                    (200..<300).contains(response.status)
                    ? ProviderError(
                        ErrorCode.Provider.invalidResponse, "the Morph API answered the start request with a body runjob cannot read",
                        context: [.init("route", route)])
                    : MorphHTTP.error(status: response.status, response: response, route: route, instance: nil)
            } catch let transport as MorphTransportFailure {
                failure = MorphHTTP.error(transport, route: route, instance: nil)
                if case .unresolvable = transport { throw failure }
                if case .notSent = transport {
                    // Certainly not carried out: safe to send again.
                    guard ContinuousClock.now < deadline else { throw failure }
                    try await MorphHTTP.pause(attempt: attempt, retryAfter: nil, deadline: deadline)
                    continue
                }
            }
            uncertain = true
            // The start may or may not have happened: look for the token before anything else.
            if http.bootRetry == .lookUpFirst {
                guard let token else { throw failure }
                if let instance = try await lookUp(token: token, after: failure) { return instance }
            }
            guard ContinuousClock.now < deadline else { throw failure }
            try await MorphHTTP.pause(attempt: attempt, retryAfter: retryAfter, deadline: deadline)
        }
    }

    /// The instance carrying `runjob.boot = token`, if the failed start created one.
    /// When several exist (another client retried blindly) the extra ones are deleted.
    private func lookUp(token: String, after failure: ProviderError) async throws -> Instance? {
        let found: [Instance]
        do {
            found = try await list(labels: [InstanceLabel.boot: token]).sorted { ($0.createdAt ?? 0, $0.id) < ($1.createdAt ?? 0, $1.id) }
        } catch let error as ProviderError {
            throw ProviderError(
                error.code,
                "the start request failed (\(failure.message)) and runjob could not check whether it started an instance: \(error.message); `runjob status` or `runjob destroy` will find it by its labels",
                context: error.context)
        }
        for extra in found.dropFirst() { try? await destroy(extra.id) }
        return found.first
    }

    /// After a start that followed an uncertain one: a late instance from the earlier
    /// attempt (the server created it after runjob looked) is deleted, `kept` stays.
    private func keepOnly(_ kept: Instance, token: String) async throws {
        for other in try await list(labels: [InstanceLabel.boot: token]) where other.id != kept.id {
            try? await destroy(other.id)
        }
    }

    /// After an interrupted start: deletes whatever it may have started (the run is
    /// being interrupted, nothing should stay behind). Looks twice, a second apart,
    /// since the server may still be creating it. Not cancellable itself.
    private func sweepAfterCancelledStart(token: String?) async {
        guard let token else { return }
        let provider = self
        await Task {
            for round in 0..<2 {
                if round > 0 { try? await Task.sleep(for: .seconds(1)) }
                guard let found = try? await provider.list(labels: [InstanceLabel.boot: token]) else { continue }
                for instance in found { try? await provider.destroy(instance.id) }
                if !found.isEmpty { return }
            }
        }.value
    }

    /// Polls the instance at the poll interval until it is `ready`; fails at once on
    /// `error`, on 404 (gone) and at the deadline.
    func waitUntilReady(_ initial: Instance, deadline: ContinuousClock.Instant) async throws -> Instance {
        let clock = ContinuousClock()
        var current = initial
        var next = clock.now
        while current.status != .ready {
            switch current.status {
            case .error:
                throw ProviderError(
                    ErrorCode.Provider.bootFailed, "Morph reports the instance in state `error`", context: [.init("instance", initial.id)])
            case .stopped:
                throw ProviderError(
                    ErrorCode.Provider.bootFailed, "the instance was paused before it became ready (TTL action `pause`?)",
                    context: [.init("instance", initial.id)])
            default: break
            }
            next = next + configuration.pollInterval
            guard next < deadline else {
                throw ProviderError(
                    ErrorCode.Provider.timeout, "the instance did not become ready within \(configuration.bootTimeout) (`boot_timeout`)",
                    context: [.init("instance", initial.id)])
            }
            try await Task.sleep(until: next, clock: clock)
            guard let fresh = try await get(initial.id) else {
                throw ProviderError(
                    ErrorCode.Provider.notFound, "the instance disappeared while booting (deleted, or expired by its TTL)",
                    context: [.init("instance", initial.id)])
            }
            current = fresh
            // Polls keep their rhythm (start + k × interval); a slow answer shortens the next pause.
            if clock.now > next + configuration.pollInterval { next = clock.now - configuration.pollInterval }
        }
        return current
    }

    /// Deletes an instance whose boot failed and returns the error to report, saying
    /// whether the instance is gone. Runs to the end even when the run is interrupted.
    private func deleteAfterFailedBoot(_ id: String, _ error: any Error) async -> any Error {
        let provider = self
        let outcome: String = await Task {
            do {
                try await provider.destroy(id)
                return "; runjob deleted the instance \(id)"
            } catch let failure as ProviderError {
                return "; deleting the instance \(id) failed too (\(failure.message)): remove it with `runjob destroy`"
            } catch {
                return "; deleting the instance \(id) failed too: remove it with `runjob destroy`"
            }
        }.value
        if error is CancellationError { return error }
        guard let error = error as? ProviderError else {
            return ProviderError(ErrorCode.Provider.bootFailed, "booting failed: \(error)\(outcome)", context: [.init("instance", id)])
        }
        return ProviderError(error.code, error.message + outcome, context: error.context, isRetryable: false)
    }
}
