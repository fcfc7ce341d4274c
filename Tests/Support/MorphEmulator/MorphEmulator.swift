import Executor
import Foundation
import LocalAdapter

/// An in-memory Morph Cloud API (see `_reference/morph-emulator.md`): the instance
/// and snapshot routes with bearer auth, the instance state machine with a boot
/// delay, TTL expiry, Morph's error shapes, exec run for real in a per-instance
/// sandbox (the local provider's), fault injection and a request log.
///
/// Serve it with ``EmulatorServer``; steer it through `/_emulator/` routes or directly.
public actor MorphEmulator {
    /// Settings that tests and the executable change.
    public struct Settings: Sendable {
        /// The bearer token every API request must carry.
        public var apiKey: String
        /// How long a started or resumed instance stays `pending`.
        public var bootDelay: Duration
        /// What a pending instance becomes: `ready` or `error`.
        public var bootOutcome: String
        /// Delay added before every API request is handled.
        public var latency: Duration
        /// When set, only these snapshot ids exist; otherwise every well-formed id does.
        public var snapshots: Set<String>?
        /// A folder whose contents every new instance's home starts with (what a
        /// snapshot would hold: installed tools such as `~/.local/bin/pm2`).
        public var homeTemplate: String?

        /// Settings with no delays.
        public init(
            apiKey: String, bootDelay: Duration = .zero, bootOutcome: String = "ready", latency: Duration = .zero, snapshots: Set<String>? = nil,
            homeTemplate: String? = nil
        ) {
            self.homeTemplate = homeTemplate
            self.apiKey = apiKey
            self.bootDelay = bootDelay
            self.bootOutcome = bootOutcome
            self.latency = latency
            self.snapshots = snapshots
        }
    }

    /// One request as logged by the emulator (bodies are never kept: they may hold secrets).
    public struct LoggedRequest: Sendable {
        /// Order of arrival, from 1.
        public var sequence: Int
        /// Method.
        public var method: String
        /// Route template, or the raw path when no route matched.
        public var route: String
        /// The request path.
        public var path: String
        /// Instance or snapshot id in the path.
        public var id: String?
        /// Body size in bytes.
        public var bodyBytes: Int
        /// The client's `X-Runjob-Command` header (runjob's command label), if any.
        public var label: String?
        /// The status answered; `nil` for a reset or a hang.
        public var status: Int?
        /// `kind/phase` of the fault that hit it.
        public var fault: String?
        /// Milliseconds since the emulator started, at arrival.
        public var atMilliseconds: Int

        var json: JSONValue {
            .object([
                "sequence": .int(sequence), "method": .string(method), "route": .string(route), "path": .string(path),
                "id": id.map { .string($0) } ?? .null, "body_bytes": .int(bodyBytes), "label": label.map { .string($0) } ?? .null,
                "status": status.map { .int($0) } ?? .null,
                "fault": fault.map { .string($0) } ?? .null, "at_ms": .int(atMilliseconds),
            ])
        }
    }

    /// Current settings.
    public internal(set) var settings: Settings
    let sandboxes: LocalProvider
    var instances: [String: EmulatorInstance] = [:]
    var order: [String] = []
    var snapshots: [String: JSONValue] = [:]
    var faults = FaultBook()
    var log: [LoggedRequest] = []
    var nextSequence = 1
    let clock = ContinuousClock()
    let started: ContinuousClock.Instant

    /// An emulator keeping its instance sandboxes under `sandboxRoot`.
    public init(settings: Settings, sandboxRoot: String) {
        self.settings = settings
        self.sandboxes = LocalProvider(stateDirectory: sandboxRoot)
        self.started = ContinuousClock().now
    }

    // MARK: Direct control (tests in the same process)

    /// Adds a fault.
    public func inject(_ fault: EmulatorFault) { faults.inject(fault) }

    /// Removes every fault.
    public func clearFaults() { faults.clear() }

    /// Changes the settings.
    public func update(_ change: @Sendable (inout Settings) -> Void) { change(&settings) }

    /// The request log.
    public func requests() -> [LoggedRequest] { log }

    /// Every instance ever started, deleted ones included, as the control route shows them.
    public func allInstances() -> [JSONValue] {
        expireDue()
        return order.compactMap { instances[$0]?.controlJSON(at: clock.now) }
    }

    /// Deletes every instance's sandbox (processes killed, folders removed).
    public func shutdown() async {
        for id in order {
            guard let instance = instances[id], instance.deletedAt == nil else { continue }
            instances[id]?.deletedAt = unixNow()
            instances[id]?.deletedBy = "shutdown"
            try? await sandboxes.destroy(instance.sandbox)
        }
    }

    // MARK: Requests

    /// Answers one HTTP request: control routes, or an API route with faults, latency and auth.
    public func handle(_ request: EmulatorRequest) async -> EmulatorReply {
        var request = request
        if request.path.hasPrefix("/api/") { request.path.removeFirst(4) }  // the real base URL ends in /api
        if request.path.hasPrefix("/_emulator/") || request.path == "/_emulator" {
            return .response(await control(request))
        }
        expireDue()
        let matched = EmulatorRoute.match(method: request.method, path: request.path)
        let route = matched?.template ?? request.path
        let sequence = nextSequence
        nextSequence += 1
        log.append(
            LoggedRequest(
                sequence: sequence, method: request.method, route: route, path: request.path, id: matched?.id, bodyBytes: request.body.count,
                label: request.header("x-runjob-command"), status: nil, fault: nil, atMilliseconds: milliseconds(clock.now - started)))
        // Faults count only the client's own (authorised) requests, so a stray request cannot use one up.
        let fault = authorized(request) ? faults.take(route: route) : nil
        if let fault { updateLog(sequence) { $0.fault = "\(fault.kind.rawValue)/\(fault.phase.rawValue)" } }
        if settings.latency > .zero { try? await Task.sleep(for: settings.latency) }
        let reply = await EmulatorFault.apply(fault, route: route) {
            .response(authorized(request) ? await api(request, matched) : .detail(401, "Invalid or missing API key"))
        }
        return finish(sequence, reply)
    }

    private func finish(_ sequence: Int, _ reply: EmulatorReply) -> EmulatorReply {
        if case .response(let response) = reply { updateLog(sequence) { $0.status = response.status } }
        return reply
    }

    private func updateLog(_ sequence: Int, _ change: (inout LoggedRequest) -> Void) {
        guard let index = log.lastIndex(where: { $0.sequence == sequence }) else { return }
        change(&log[index])
    }

    private func authorized(_ request: EmulatorRequest) -> Bool {
        request.header("authorization") == "Bearer " + settings.apiKey
    }

    // MARK: Time

    func unixNow() -> Int { Int(Date().timeIntervalSince1970) }

    func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// Applies TTL expiry: `stop` deletes the instance, `pause` pauses it.
    func expireDue() {
        let now = clock.now
        for id in order {
            guard var instance = instances[id], instance.deletedAt == nil, let deadline = instance.ttlDeadline, deadline <= now else { continue }
            instance.settle(at: now)
            instance.ttlDeadline = nil
            if instance.ttlAction == "pause" {
                instance.phase = .paused
            } else {
                instance.deletedAt = unixNow()
                instance.deletedBy = "ttl"
                let sandbox = instance.sandbox
                let provider = sandboxes
                Task { try? await provider.destroy(sandbox) }
            }
            instances[id] = instance
        }
    }
}
