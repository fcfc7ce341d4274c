import Executor

/// The faults armed in one emulator, each counted against the requests of its route:
/// the machinery every emulator shares (Morph, Instant), so faults mean the same
/// everywhere (see ``EmulatorFault``).
public struct FaultBook: Sendable {
    private struct Slot: Sendable {
        var fault: EmulatorFault
        var seen = 0
        var hits = 0
    }

    private var slots: [Slot] = []

    /// An empty book.
    public init() {}

    /// The armed faults, in the order they were added.
    public var armed: [EmulatorFault] { slots.map(\.fault) }

    /// Adds a fault.
    public mutating func inject(_ fault: EmulatorFault) { slots.append(Slot(fault: fault)) }

    /// Removes every fault.
    public mutating func clear() { slots.removeAll() }

    /// The fault for one request of `route`, counting the request against every matching rule.
    public mutating func take(route: String) -> EmulatorFault? {
        var chosen: EmulatorFault?
        for index in slots.indices where slots[index].fault.route == "*" || slots[index].fault.route == route {
            slots[index].seen += 1
            let slot = slots[index]
            guard chosen == nil, slot.seen > slot.fault.skip, slot.fault.count == 0 || slot.hits < slot.fault.count else { continue }
            slots[index].hits += 1
            chosen = slot.fault
        }
        return chosen
    }

    /// The control routes' body: one fault or `{"faults": […]}`, each checked against
    /// `templates`; the faults added, or what is wrong with the first bad one.
    public mutating func add(_ body: JSONValue?, templates: [String]) -> Result<[EmulatorFault], EmulatorFaultError> {
        let items = body?["faults"]?.arrayValue ?? (body.map { [$0] } ?? [])
        var parsed: [EmulatorFault] = []
        for item in items {
            switch EmulatorFault.parse(item, templates: templates) {
            case .success(let fault): parsed.append(fault)
            case .failure(let error): return .failure(error)
            }
        }
        for fault in parsed { inject(fault) }
        return .success(parsed)
    }
}

extension EmulatorFault {
    /// Carries a request out under `fault` (if any): `before` answers instead of `perform`,
    /// `after` performs it and then loses or replaces the answer; latency waits first or after.
    public static func apply(
        _ fault: EmulatorFault?, route: String, isolation: isolated (any Actor)? = #isolation, perform: () async -> EmulatorReply
    ) async -> EmulatorReply {
        guard let fault else { return await perform() }
        if fault.kind == .latency, fault.phase == .before { try? await Task.sleep(for: .milliseconds(fault.latencyMilliseconds)) }
        if fault.kind != .latency, fault.phase == .before { return fault.reply(route: route) }
        let reply = await perform()
        guard fault.phase == .after else { return reply }
        if fault.kind == .latency {
            try? await Task.sleep(for: .milliseconds(fault.latencyMilliseconds))
            return reply
        }
        return fault.reply(route: route)
    }
}
