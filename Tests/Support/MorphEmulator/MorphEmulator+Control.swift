import Executor

extension MorphEmulator {
    /// The `/_emulator/` routes (no auth; the emulator listens on 127.0.0.1 only):
    ///
    /// - `GET health`; `GET|POST|DELETE faults` (POST takes one fault or `{"faults": […]}`)
    /// - `GET|DELETE requests`: the request log
    /// - `GET instances`: every instance, deleted ones included
    /// - `GET|POST config`: `boot_delay_ms`, `boot_outcome`, `latency_ms`, `snapshots`, `api_key`
    /// - `POST reset`: deletes every instance and clears faults and the log
    /// - `POST instances/<id>/state`: `{"status": "pending"|"ready"|"paused"|"error", "pending_ms": N}`
    ///   puts an instance in a state (a crash left it pending, its TTL paused it, it failed);
    ///   `"pending_reads": N` instead of `pending_ms` keeps it pending for the next N API reads
    ///   (list or get), so a test knows a client saw it pending whatever the timing
    func control(_ request: EmulatorRequest) async -> EmulatorResponse {
        let name = String(request.path.dropFirst("/_emulator/".count))
        let body = request.body.isEmpty ? nil : try? JSONValue.parse(request.body)
        if request.method == "POST", name.hasPrefix("instances/"), name.hasSuffix("/state") {
            let id = String(name.dropFirst("instances/".count).dropLast("/state".count))
            return setState(id, body)
        }
        switch (request.method, name) {
        case ("GET", "health"):
            return .json(200, .object(["ok": .bool(true)]))
        case ("GET", "faults"):
            return .json(200, .object(["faults": .array(faults.armed.map(\.json))]))
        case ("POST", "faults"):
            if case .failure(let error) = faults.add(body, templates: EmulatorRoute.templates) { return .detail(422, error.message) }
            return .json(200, .object(["faults": .array(faults.armed.map(\.json))]))
        case ("DELETE", "faults"):
            faults.clear()
            return .noContent
        case ("GET", "requests"):
            return .json(200, .object(["requests": .array(log.map(\.json))]))
        case ("DELETE", "requests"):
            log.removeAll()
            return .noContent
        case ("GET", "instances"):
            return .json(200, .object(["data": .array(allInstances())]))
        case ("GET", "config"):
            return .json(200, configJSON)
        case ("POST", "config"):
            guard let body else { return .detail(422, "send a JSON object") }
            if let value = body["boot_delay_ms"]?.intValue { settings.bootDelay = .milliseconds(value) }
            if let value = body["latency_ms"]?.intValue { settings.latency = .milliseconds(value) }
            if let value = body["boot_outcome"]?.stringValue {
                guard value == "ready" || value == "error" else { return .detail(422, "boot_outcome must be ready or error") }
                settings.bootOutcome = value
            }
            if let value = body["api_key"]?.stringValue { settings.apiKey = value }
            if let value = body["home_template"]?.stringValue { settings.homeTemplate = value }
            switch body["snapshots"] {
            case .null?: settings.snapshots = nil
            case .array(let items)?: settings.snapshots = Set(items.compactMap(\.stringValue))
            default: break
            }
            return .json(200, configJSON)
        case ("POST", "reset"):
            await shutdown()
            faults.clear()
            log.removeAll()
            return .noContent
        default:
            return .detail(404, "no emulator control route \(request.method) \(request.path)")
        }
    }

    private var configJSON: JSONValue {
        .object([
            "boot_delay_ms": .int(milliseconds(settings.bootDelay)), "boot_outcome": .string(settings.bootOutcome),
            "latency_ms": .int(milliseconds(settings.latency)),
            "snapshots": settings.snapshots.map { .array($0.sorted().map { .string($0) }) } ?? .null,
        ])
    }

    /// Puts instance `id` in the state `body` names.
    private func setState(_ id: String, _ body: JSONValue?) -> EmulatorResponse {
        guard var instance = instances[id], instance.deletedAt == nil else { return .detail(404, "no instance \(id)") }
        switch body?["status"]?.stringValue {
        case "pending":
            if let reads = body?["pending_reads"]?.intValue {
                instance.phase = .pendingReads(max(1, reads))
                break
            }
            instance.phase = .pending(until: clock.now + .milliseconds(body?["pending_ms"]?.intValue ?? 1000), outcome: "ready")
        case "ready": instance.phase = .ready
        case "paused": instance.phase = .paused
        case "error": instance.phase = .error
        default: return .detail(422, "status must be pending, ready, paused or error")
        }
        instances[id] = instance
        return .json(200, instance.controlJSON(at: clock.now))
    }
}
