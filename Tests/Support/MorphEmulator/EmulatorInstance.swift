import Executor

/// One emulated Morph instance: its API-visible fields, its timers, and the local
/// sandbox (a ``LocalAdapter`` instance) where its commands run.
struct EmulatorInstance: Sendable {
    enum Phase: Sendable {
        /// Starting; becomes `outcome` at `until`.
        case pending(until: ContinuousClock.Instant, outcome: String)
        /// Starting; shows `pending` to the next `reads` API reads (list or get), then is ready.
        /// Lets a test be sure a client saw the instance pending, whatever the timing.
        case pendingReads(Int)
        case ready
        case paused
        case error
    }

    var id: String
    var snapshotID: String
    var created: Int
    var phase: Phase
    var metadata: [String: String]
    var ttlSeconds: Int?
    var ttlAction: String
    var ttlExpireAt: Int?
    var ttlDeadline: ContinuousClock.Instant?
    var internalIP: String
    var sandbox: String
    var sandboxHome: String
    var deletedAt: Int?
    var deletedBy: String?

    /// The status name at `now` (`pending`, `ready`, `paused`, `error`).
    func status(at now: ContinuousClock.Instant) -> String {
        switch phase {
        case .pending(let until, let outcome): now >= until ? outcome : "pending"
        case .pendingReads(let reads): reads > 0 ? "pending" : "ready"
        case .ready: "ready"
        case .paused: "paused"
        case .error: "error"
        }
    }

    /// Settles a finished pending phase into its outcome.
    mutating func settle(at now: ContinuousClock.Instant) {
        if case .pending(let until, let outcome) = phase, now >= until { phase = outcome == "error" ? .error : .ready }
    }

    /// Counts one API read of the instance: a read-counted pending phase ends after its last read.
    mutating func observe() {
        if case .pendingReads(let reads) = phase { phase = reads > 1 ? .pendingReads(reads - 1) : .ready }
    }

    /// The instance object as one API read returns it (a read-counted pending phase counts the read).
    mutating func read(at now: ContinuousClock.Instant) -> JSONValue {
        settle(at: now)
        let shown = json(at: now)
        observe()
        return shown
    }

    /// (Re)starts the TTL countdown from now.
    mutating func restartTTL(now: ContinuousClock.Instant, unixNow: Int) {
        guard let seconds = ttlSeconds else {
            ttlExpireAt = nil
            ttlDeadline = nil
            return
        }
        ttlExpireAt = unixNow + seconds
        ttlDeadline = now + .seconds(seconds)
    }

    /// The instance object as Morph's API returns it.
    func json(at now: ContinuousClock.Instant) -> JSONValue {
        .object([
            "id": .string(id),
            "object": .string("instance"),
            "created": .int(created),
            "status": .string(status(at: now)),
            "spec": .object(["vcpus": .int(1), "memory": .int(4096), "disk_size": .int(16384)]),
            "refs": .object(["snapshot_id": .string(snapshotID), "image_id": .string("morphvm-minimal")]),
            "networking": .object(["internal_ip": .string(internalIP), "http_services": .array([])]),
            "ttl": .object([
                "ttl_seconds": ttlSeconds.map { .int($0) } ?? .null, "ttl_expire_at": ttlExpireAt.map { .int($0) } ?? .null,
                "ttl_action": .string(ttlAction),
            ]),
            "wake_on": .object(["wake_on_ssh": .bool(false), "wake_on_http": .bool(false)]),
            "metadata": .object(metadata.sorted { $0.key < $1.key }.map { .init($0.key, .string($0.value)) }),
        ])
    }

    /// The emulator's own view (control route): the API object plus deletion and sandbox facts.
    func controlJSON(at now: ContinuousClock.Instant) -> JSONValue {
        guard case .object(var members) = json(at: now) else { return .null }
        if deletedAt != nil, let index = members.firstIndex(where: { $0.key == "status" }) { members[index].value = .string("deleted") }
        members.append(.init("deleted", .bool(deletedAt != nil)))
        members.append(.init("deleted_at", deletedAt.map { .int($0) } ?? .null))
        members.append(.init("deleted_by", deletedBy.map { .string($0) } ?? .null))
        members.append(.init("sandbox_home", .string(sandboxHome)))
        return .object(members)
    }
}
