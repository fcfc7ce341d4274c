import Executor
import Manifest

/// Builds the steps of a manifest and orders them.
public enum StepGraph {
    /// Every step with its dependencies, in generation order (machines, then
    /// credentials, then sessions with their waits).
    public static func steps(for manifest: Manifest) -> [Step] {
        let graph = StepRecords(manifest)
        return graph.records.indices.map { graph.step($0) }
    }

    /// The manifest's steps in execution order, with their waves: the planner's
    /// fast path, working on indices until the final steps are built once.
    public static func orderedSteps(for manifest: Manifest) -> (steps: [Step], waves: [Int]) {
        let graph = StepRecords(manifest)
        let order = topologicalOrder(count: graph.records.count, dependencies: graph.dependencies)
        var waveByIndex = [Int](repeating: 0, count: graph.records.count)
        var steps: [Step] = []
        var waves: [Int] = []
        steps.reserveCapacity(order.count)
        waves.reserveCapacity(order.count)
        for index in order {
            var wave = 1
            for dependency in graph.dependencies[index] { wave = max(wave, waveByIndex[dependency] + 1) }
            waveByIndex[index] = wave
            steps.append(graph.step(index))
            waves.append(wave)
        }
        return (steps, waves)
    }

    /// Kahn's algorithm over indices: among ready steps the lowest index goes first;
    /// steps left in a cycle are appended in index order.
    private static func topologicalOrder(count: Int, dependencies: [[Int]]) -> [Int] {
        var remaining = [Int](repeating: 0, count: count)
        var dependents = [[Int]](repeating: [], count: count)
        for (index, list) in dependencies.enumerated() {
            remaining[index] = list.count
            for from in list { dependents[from].append(index) }
        }
        var ready = MinHeap<Int>()
        for index in 0..<count where remaining[index] == 0 { ready.push(index) }
        var order: [Int] = []
        order.reserveCapacity(count)
        var placed = [Bool](repeating: false, count: count)
        while let index = ready.pop() {
            order.append(index)
            placed[index] = true
            for next in dependents[index] {
                remaining[next] -= 1
                if remaining[next] == 0 { ready.push(next) }
            }
        }
        for index in 0..<count where !placed[index] { order.append(index) }
        return order
    }

    /// The steps in an order where each comes after its dependencies; among ready
    /// steps, the one given first goes first (so the order is stable).
    /// Steps in a cycle (which validation prevents) are appended at the end.
    public static func order(_ steps: [Step]) -> [Step] {
        var position: [StepID: Int] = [:]
        for (index, step) in steps.enumerated() { position[step.id] = index }
        let dependencies = steps.map { $0.dependsOn.compactMap { position[$0] } }
        return topologicalOrder(count: steps.count, dependencies: dependencies).map { steps[$0] }
    }

    /// For each step (by position in `steps`), its wave: 1 + the highest wave of its dependencies.
    /// Steps of one wave can run at the same time. `steps` must be ordered.
    public static func waves(_ steps: [Step]) -> [Int] {
        var wave: [StepID: Int] = [:]
        var result: [Int] = []
        result.reserveCapacity(steps.count)
        for step in steps {
            let level = 1 + (step.dependsOn.compactMap { wave[$0] }.max() ?? 0)
            wave[step.id] = level
            result.append(level)
        }
        return result
    }
}

/// A binary min-heap (for a stable topological order).
struct MinHeap<Element: Comparable> {
    private var items: [Element] = []

    mutating func push(_ element: Element) {
        items.append(element)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count, items[left] < items[smallest] { smallest = left }
            if right < items.count, items[right] < items[smallest] { smallest = right }
            guard smallest != parent else { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}

/// The steps of a manifest as light records (what, of which machine/profile/session)
/// with dependency indices; ``step(_:)`` builds the full ``Step``.
private struct StepRecords {
    enum Record {
        case resource(Int)
        case boot(machine: Int)
        case info(machine: Int)
        case credentials(profile: Int, machine: Int)
        case start(session: Int)
        case wait(session: Int)
    }

    let manifest: Manifest
    private(set) var records: [Record] = []
    private(set) var dependencies: [[Int]] = []

    init(_ manifest: Manifest) {
        self.manifest = manifest
        let machines = manifest.machines
        let sessions = manifest.sessions
        records.reserveCapacity(2 * sessions.count + 3 * machines.count)
        dependencies.reserveCapacity(records.capacity)
        // Resources come first: a boot labels its instance with the resources it uses.
        // A resource nothing uses gets no step (validation warns): nothing would record it.
        let usedOnMachine = manifest.resources.isEmpty ? [:] : ResourceUse.byMachine(sessions: sessions, profiles: manifest.credentials)
        let used = Set(usedOnMachine.values.joined().map(\.resource))
        var resourceStep: [String: Int] = [:]
        for (index, resource) in manifest.resources.enumerated() where used.contains(resource.name) {
            resourceStep[resource.name] = add(.resource(index), [])
        }
        func resourceSteps(_ references: [OutputReference]) -> [Int] {
            var steps: [Int] = []
            for reference in references {
                if let step = resourceStep[reference.resource], !steps.contains(step) { steps.append(step) }
            }
            return steps
        }
        var machineIndex: [String: Int] = [:]
        var boot: [Int] = []
        var info: [Int] = []
        for (index, machine) in machines.enumerated() {
            machineIndex[machine.name] = index
            boot.append(add(.boot(machine: index), resourceSteps(usedOnMachine[machine.name] ?? [])))
            info.append(add(.info(machine: index), [boot[index]]))
        }
        var profileIndex: [String: Int] = [:]
        for (index, profile) in manifest.credentials.enumerated() { profileIndex[profile.name] = index }
        var needed = [Bool](repeating: false, count: manifest.credentials.count * max(machines.count, 1))
        var sessionMachine: [Int] = []
        sessionMachine.reserveCapacity(sessions.count)
        var sessionIndex: [String: Int] = [:]
        sessionIndex.reserveCapacity(sessions.count)
        var awaited = [Bool](repeating: false, count: sessions.count)
        for (index, session) in sessions.enumerated() {
            sessionIndex[session.name] = index
            let machine = machineIndex[session.machine] ?? -1
            sessionMachine.append(machine)
            guard machine >= 0 else { continue }
            for profile in session.credentials {
                if let p = profileIndex[profile] { needed[p * machines.count + machine] = true }
            }
        }
        for session in sessions {
            for dependency in session.after where dependency.condition == .completed {
                if let index = sessionIndex[dependency.session] { awaited[index] = true }
            }
        }
        var credentials = [Int](repeating: -1, count: needed.count)
        for profile in manifest.credentials.indices {
            for machine in machines.indices where needed[profile * machines.count + machine] {
                credentials[profile * machines.count + machine] = add(
                    .credentials(profile: profile, machine: machine), [boot[machine]] + resourceSteps(manifest.credentials[profile].outputs))
            }
        }
        var start = [Int](repeating: -1, count: sessions.count)
        var wait = [Int](repeating: -1, count: sessions.count)
        for (index, session) in sessions.enumerated() {
            let machine = sessionMachine[index]
            var list: [Int] = []
            if machine >= 0 {
                list = [boot[machine], info[machine]] + (resourceStep.isEmpty ? [] : resourceSteps(session.outputs))
                for profile in session.credentials {
                    guard let p = profileIndex[profile] else { continue }
                    let step = credentials[p * machines.count + machine]
                    if step >= 0, !list.contains(step) { list.append(step) }
                }
            }
            start[index] = add(.start(session: index), list)
            if awaited[index] { wait[index] = add(.wait(session: index), [start[index]]) }
        }
        // `after` may name sessions declared later: resolve those edges once every step exists.
        for (index, session) in sessions.enumerated() {
            for dependency in session.after {
                guard let other = sessionIndex[dependency.session] else { continue }
                let target = dependency.condition == .completed ? wait[other] : start[other]
                if target >= 0, !dependencies[start[index]].contains(target) { dependencies[start[index]].append(target) }
            }
        }
    }

    private mutating func add(_ record: Record, _ dependsOn: [Int]) -> Int {
        records.append(record)
        dependencies.append(dependsOn)
        return records.count - 1
    }

    func id(_ index: Int) -> StepID {
        switch records[index] {
        case .resource(let resource): .resource(manifest.resources[resource].name)
        case .boot(let machine): .boot(manifest.machines[machine].name)
        case .info(let machine): .machineInfo(manifest.machines[machine].name)
        case .credentials(let profile, let machine): .credentials(manifest.credentials[profile].name, on: manifest.machines[machine].name)
        case .start(let session): .start(manifest.sessions[session].name)
        case .wait(let session): .wait(manifest.sessions[session].name)
        }
    }

    func step(_ index: Int) -> Step {
        let dependsOn = dependencies[index].map(id)
        switch records[index] {
        case .resource(let resource):
            return Step(id: id(index), dependsOn: dependsOn, machine: "", action: .resource(manifest.resources[resource]))
        case .boot(let machine):
            let spec = manifest.machines[machine]
            return Step(id: id(index), dependsOn: dependsOn, machine: spec.name, action: .boot(spec))
        case .info(let machine):
            let spec = manifest.machines[machine]
            return Step(id: id(index), dependsOn: dependsOn, machine: spec.name, action: .machineInfo(spec))
        case .credentials(let profile, let machine):
            return Step(
                id: id(index), dependsOn: dependsOn, machine: manifest.machines[machine].name, action: .credentials(manifest.credentials[profile]))
        case .start(let session):
            let spec = manifest.sessions[session]
            return Step(id: id(index), dependsOn: dependsOn, machine: spec.machine, action: .start(spec))
        case .wait(let session):
            let spec = manifest.sessions[session]
            return Step(id: id(index), dependsOn: dependsOn, machine: spec.machine, action: .wait(spec))
        }
    }
}
