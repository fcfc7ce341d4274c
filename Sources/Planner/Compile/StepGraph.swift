import Executor
import Manifest

/// Builds the steps of a manifest and orders them.
public enum StepGraph {
    /// Every step with its dependencies, in generation order (machines, then
    /// credentials, then sessions with their waits).
    public static func steps(for manifest: Manifest) -> [Step] {
        var steps: [Step] = []
        for machine in manifest.machines {
            steps.append(Step(id: .boot(machine.name), dependsOn: [], machine: machine.name, action: .boot(machine)))
            steps.append(Step(id: .machineInfo(machine.name), dependsOn: [.boot(machine.name)], machine: machine.name, action: .machineInfo(machine)))
        }
        var neededProfiles: Set<String> = []
        for session in manifest.sessions {
            for profile in session.credentials { neededProfiles.insert("\(profile)@\(session.machine)") }
        }
        for profile in manifest.credentials {
            for machine in manifest.machines where neededProfiles.contains("\(profile.name)@\(machine.name)") {
                steps.append(
                    Step(
                        id: .credentials(profile.name, on: machine.name), dependsOn: [.boot(machine.name)], machine: machine.name,
                        action: .credentials(profile)))
            }
        }
        var awaited: Set<String> = []
        for session in manifest.sessions {
            for dependency in session.after where dependency.condition == .completed { awaited.insert(dependency.session) }
        }
        for session in manifest.sessions {
            var dependencies: [StepID] = [.boot(session.machine), .machineInfo(session.machine)]
            dependencies += session.credentials.map { StepID.credentials($0, on: session.machine) }
            for dependency in session.after {
                dependencies.append(dependency.condition == .completed ? .wait(dependency.session) : .start(dependency.session))
            }
            steps.append(Step(id: .start(session.name), dependsOn: unique(dependencies), machine: session.machine, action: .start(session)))
            if awaited.contains(session.name) {
                steps.append(Step(id: .wait(session.name), dependsOn: [.start(session.name)], machine: session.machine, action: .wait(session)))
            }
        }
        return steps
    }

    private static func unique(_ ids: [StepID]) -> [StepID] {
        var seen: Set<StepID> = []
        return ids.filter { seen.insert($0).inserted }
    }

    /// The steps in an order where each comes after its dependencies; among ready
    /// steps, the one generated first goes first (so the order is stable).
    /// Steps in a cycle (which validation prevents) are appended at the end.
    public static func order(_ steps: [Step]) -> [Step] {
        var position: [StepID: Int] = [:]
        for (index, step) in steps.enumerated() { position[step.id] = index }
        var remaining = [Int](repeating: 0, count: steps.count)
        var dependents = [[Int]](repeating: [], count: steps.count)
        for (index, step) in steps.enumerated() {
            for dependency in step.dependsOn {
                guard let from = position[dependency] else { continue }
                remaining[index] += 1
                dependents[from].append(index)
            }
        }
        var ready = MinHeap<Int>()
        for index in steps.indices where remaining[index] == 0 { ready.push(index) }
        var ordered: [Step] = []
        ordered.reserveCapacity(steps.count)
        var placed = [Bool](repeating: false, count: steps.count)
        while let index = ready.pop() {
            ordered.append(steps[index])
            placed[index] = true
            for next in dependents[index] {
                remaining[next] -= 1
                if remaining[next] == 0 { ready.push(next) }
            }
        }
        for index in steps.indices where !placed[index] { ordered.append(steps[index]) }
        return ordered
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
