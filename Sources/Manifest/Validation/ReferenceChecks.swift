import Executor

/// Checks that span blocks, on the names as declared: references from sessions
/// to machines, profiles and other sessions; cycles of `after`; process names
/// that collide; profiles and machines nobody uses.
struct ReferenceChecks {
    let reader: SchemaReader
    let machines: [DeclaredEntity]
    let profiles: [DeclaredEntity]
    let sessions: [DeclaredEntity]
    let registry: AdapterRegistry
    /// The reference-bearing fields of each session, read in one pass over its mapping.
    let facts: [SessionFacts]
    /// Session name → position of its first declaration.
    let sessionIndex: [String: Int]

    /// What a session refers to, with the nodes that say so (views into the document).
    struct SessionFacts {
        var isMapping = false
        var machine: YAMLNode?
        var credentials: YAMLNode.Items?
        var after: YAMLNode.Pairs?
        var agent: String?
    }

    init(reader: SchemaReader, registry: AdapterRegistry, machines: [DeclaredEntity], profiles: [DeclaredEntity], sessions: [DeclaredEntity]) {
        self.reader = reader
        self.registry = registry
        self.machines = machines
        self.profiles = profiles
        self.sessions = sessions
        facts = sessions.map { session in
            var facts = SessionFacts()
            guard let pairs = session.node.pairs else { return facts }
            facts.isMapping = true
            for index in pairs.indices {
                switch pairs.keyText(at: index) {
                case "machine": facts.machine = pairs[index].value
                case "credentials": facts.credentials = pairs[index].value.items
                case "after": facts.after = pairs[index].value.pairs
                case "agent": facts.agent = pairs[index].value.scalar?.text
                default: break
                }
            }
            return facts
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(sessions.count)
        for (position, session) in sessions.enumerated() where index[session.name] == nil { index[session.name] = position }
        sessionIndex = index
    }

    mutating func run() {
        checkReferences()
        checkCycles()
        checkProcessNames()
        warnUnused()
    }

    private func sessionPath(_ name: String) -> YAMLPath {
        YAMLPath.root.appending("sessions").appending(name)
    }

    private func checkReferences() {
        let machineNames = machines.map(\.name)
        let profileNames = profiles.map(\.name)
        let sessionNames = sessions.map(\.name)
        let machineSet = Set(machineNames)
        let profileSet = Set(profileNames)
        for (session, facts) in zip(sessions, facts) {
            let path = sessionPath(session.name)
            if facts.isMapping, facts.machine == nil, machineNames.count > 1 {
                reader.error(
                    ErrorCode.Manifest.ambiguousMachine,
                    "there are \(machineNames.count) machines (\(machineNames.joined(separator: ", "))); say which one this session runs on with `machine:`",
                    at: session.keyNode, path: path)
            }
            if let node = facts.machine, let name = node.scalar?.text, !name.isEmpty, !machineSet.contains(name) {
                reader.error(
                    ErrorCode.Manifest.unknownReference, "no machine named `\(name)` (machines: \(list(machineNames)))", at: node,
                    path: path.appending("machine"), suggestion: Suggestions.closest(to: name, among: machineNames))
            }
            for (index, item) in (facts.credentials ?? YAMLNode.Items.empty).enumerated() {
                guard let name = item.scalar?.text, !name.isEmpty, !profileSet.contains(name) else { continue }
                reader.error(
                    ErrorCode.Manifest.unknownReference, "no credential profile named `\(name)` (profiles: \(list(profileNames)))", at: item,
                    path: path.appending("credentials").appending(index: index), suggestion: Suggestions.closest(to: name, among: profileNames))
            }
            for pair in facts.after ?? YAMLNode.Pairs.empty where sessionIndex[pair.keyText] == nil {
                reader.error(
                    ErrorCode.Manifest.unknownReference, "no session named `\(pair.keyText)` to wait for (sessions: \(list(sessionNames)))",
                    at: pair.key,
                    path: path.appending("after").appending(pair.keyText), suggestion: Suggestions.closest(to: pair.keyText, among: sessionNames))
            }
        }
    }

    private func list(_ names: [String]) -> String {
        names.isEmpty ? "none declared" : names.joined(separator: ", ")
    }

    /// Reports each cycle of `after` once, naming every member with its location.
    private func checkCycles() {
        var edges: [[Int]] = Array(repeating: [], count: sessions.count)
        for from in sessions.indices {
            guard let after = facts[from].after else { continue }
            for position in after.indices {
                if let to = sessionIndex[after.keyText(at: position)] { edges[from].append(to) }
            }
        }
        func edgeNode(_ from: Int, _ to: Int) -> YAMLNode? {
            facts[from].after?.first { sessionIndex[$0.keyText] == to }?.key
        }
        for component in StronglyConnected.components(count: sessions.count, edges: edges) {
            let isCycle = component.count > 1 || edges[component[0]].contains(component[0])
            guard isCycle else { continue }
            let members = component.sorted()
            let order = cycleOrder(members, edges: edges)
            let names = order.map { sessions[$0].name }
            let first = order[0]
            let next = order.count > 1 ? order[1] : first
            let notes = order.enumerated().map { position, member -> ManifestDiagnostic.Note in
                let target = order[(position + 1) % order.count]
                let location = edgeNode(member, target)?.location ?? sessions[member].keyNode.location
                return .init(location, "`\(sessions[member].name)` waits for `\(sessions[target].name)` here")
            }
            let message =
                names.count == 1
                ? "session `\(names[0])` waits for itself"
                : "sessions wait for each other in a cycle: \((names + [names[0]]).joined(separator: " → "))"
            let at = edgeNode(first, next) ?? sessions[first].keyNode
            reader.error(
                ErrorCode.Manifest.dependencyCycle, message + "; remove one of these `after` entries", at: at,
                path: sessionPath(sessions[first].name).appending("after").appending(sessions[next].name), notes: notes)
        }
    }

    /// The members of a strongly connected component in the order of one cycle through them.
    private func cycleOrder(_ members: [Int], edges: [[Int]]) -> [Int] {
        let memberSet = Set(members)
        var order = [members[0]]
        var seen: Set<Int> = [members[0]]
        var current = members[0]
        while let next = edges[current].filter({ memberSet.contains($0) && !seen.contains($0) }).min() {
            order.append(next)
            seen.insert(next)
            current = next
        }
        return order
    }

    /// Session names map to process names with `_` as `-`; two sessions must not share one.
    private func checkProcessNames() {
        // Names are `[a-z0-9_-]`: only `_` (which becomes `-`) and agents' prefixes (`cc-`) can make two names meet.
        let prefixes = facts.map { fact in fact.agent.flatMap { registry.agent($0)?.processNamePrefix } ?? "" }
        guard sessions.contains(where: { $0.name.utf8.contains(UInt8(ascii: "_")) }) || prefixes.contains(where: { !$0.isEmpty }) else { return }
        var seen: [String: DeclaredEntity] = [:]
        for (position, session) in sessions.enumerated() {
            let processName = prefixes[position] + ProcessNaming.sanitize(session.name)
            if let first = seen[processName] {
                let reason =
                    processName == ProcessNaming.sanitize(session.name) && processName == ProcessNaming.sanitize(first.name)
                    ? "`_` becomes `-`" : "an agent session's process name is its prefix and its name"
                reader.error(
                    ErrorCode.Manifest.nameCollision,
                    "sessions `\(first.name)` and `\(session.name)` would share the process name `\(processName)` (\(reason)); rename one",
                    at: session.keyNode, path: sessionPath(session.name), notes: [.init(first.keyNode.location, "`\(first.name)` is declared here")])
            } else {
                seen[processName] = session
            }
        }
    }

    private func warnUnused() {
        var usedProfiles: Set<String> = []
        var usedMachines: Set<String> = []
        for facts in facts {
            for item in facts.credentials ?? YAMLNode.Items.empty {
                if let name = item.scalar?.text { usedProfiles.insert(name) }
            }
            if let name = facts.machine?.scalar?.text {
                usedMachines.insert(name)
            } else if machines.count == 1 {
                usedMachines.insert(machines[0].name)
            }
        }
        for profile in profiles where !usedProfiles.contains(profile.name) {
            reader.warning(
                ErrorCode.Manifest.unusedCredentials, "no session uses the credential profile `\(profile.name)`, so it will not be installed",
                at: profile.keyNode, path: YAMLPath.root.appending("credentials").appending(profile.name))
        }
        guard !sessions.isEmpty else { return }
        for machine in machines where !usedMachines.contains(machine.name) {
            reader.warning(
                ErrorCode.Manifest.unusedMachine, "no session runs on the machine `\(machine.name)`; it will be booted and prepared anyway",
                at: machine.keyNode, path: YAMLPath.root.appending("machines").appending(machine.name))
        }
    }
}

/// Tarjan's algorithm, iterative (no recursion depth limit for long chains).
enum StronglyConnected {
    /// Components of the graph with `count` nodes and adjacency lists `edges`.
    static func components(count: Int, edges: [[Int]]) -> [[Int]] {
        var index = 0
        var indices = [Int](repeating: -1, count: count)
        var lowlinks = [Int](repeating: 0, count: count)
        var onStack = [Bool](repeating: false, count: count)
        var stack: [Int] = []
        var result: [[Int]] = []
        for start in 0..<count where indices[start] < 0 {
            var work: [(node: Int, edge: Int)] = [(start, 0)]
            indices[start] = index
            lowlinks[start] = index
            index += 1
            stack.append(start)
            onStack[start] = true
            while let (node, edge) = work.last {
                if edge < edges[node].count {
                    work[work.count - 1].edge += 1
                    let next = edges[node][edge]
                    if indices[next] < 0 {
                        indices[next] = index
                        lowlinks[next] = index
                        index += 1
                        stack.append(next)
                        onStack[next] = true
                        work.append((next, 0))
                    } else if onStack[next] {
                        lowlinks[node] = min(lowlinks[node], indices[next])
                    }
                    continue
                }
                work.removeLast()
                if let parent = work.last {
                    lowlinks[parent.node] = min(lowlinks[parent.node], lowlinks[node])
                }
                if lowlinks[node] == indices[node] {
                    var component: [Int] = []
                    while let member = stack.popLast() {
                        onStack[member] = false
                        component.append(member)
                        if member == node { break }
                    }
                    result.append(component)
                }
            }
        }
        return result
    }
}
