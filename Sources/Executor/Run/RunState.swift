/// What a run learns while it goes: the instance of each machine and its home,
/// which instances this run booted, which run each session belongs to.
actor RunState {
    struct MachineInstance: Sendable {
        var id: String
        var home: String
    }

    private var machines: [String: MachineInstance] = [:]
    private var booted: [String: String] = [:]
    private var bootedEver: Set<String> = []
    private var sessionRuns: [String: InstanceState.SessionRecord] = [:]
    private var records: [String: InstanceState] = [:]
    private var processes: [String: [ProcessState]] = [:]
    private var resourceValues: [String: ResourceValues] = [:]
    private var createdResources: Set<String> = []
    private var replacedResources: [String: (values: ResourceValues, instance: String)] = [:]
    private var readiedInstances: [String: Instance] = [:]

    /// Records what the instance of `machine` holds: runjob's records and its session
    /// processes (`nil` when not read: nothing is known, so nothing is taken as in place).
    func setRecords(_ machine: String, state: InstanceState?, processes list: [ProcessState]?) {
        records[machine] = state
        processes[machine] = list
    }

    /// runjob's records on the instance of `machine`, as read when the run began (reused instances only).
    func records(of machine: String) -> InstanceState? { records[machine] }

    /// The session processes on the instance of `machine`, as read when the run began.
    func processes(of machine: String) -> [ProcessState]? { processes[machine] }

    /// Records the instance of `machine`; `bootedHere` when this run created it.
    func setInstance(_ machine: String, id: String, home: String, bootedHere: Bool) {
        machines[machine] = MachineInstance(id: id, home: home)
        if bootedHere {
            booted[machine] = id
            bootedEver.insert(machine)
        }
    }

    /// The instance of `machine`, once its boot step finished.
    func instance(of machine: String) -> MachineInstance? { machines[machine] }

    /// Every machine's instance id.
    func instanceIDs() -> [String: String] { machines.mapValues(\.id) }

    /// Instances this run booted, by machine.
    func bootedInstances() -> [String: String] { booted }

    /// Forgets a booted instance (after it was destroyed).
    func forgetBooted(_ machine: String) { booted[machine] = nil }

    /// Records an instance this run started, before its boot step finished.
    func setBooted(_ machine: String, id: String) {
        booted[machine] = id
        bootedEver.insert(machine)
    }

    /// Records another instance of `machine` this run started and could not destroy.
    func addLeftover(_ machine: String, id: String) {
        booted[booted[machine] == nil ? machine : "\(machine) (\(id))"] = id
    }

    /// Records the outputs of resource `name` once it exists.
    func setResource(_ name: String, _ values: ResourceValues, created: Bool) {
        resourceValues[name] = values
        if created { createdResources.insert(name) }
    }

    /// Whether this run created resource `name` (rather than finding it recorded).
    func createdResource(_ name: String) -> Bool { createdResources.contains(name) }

    /// The resources this run created.
    func created() -> Set<String> { createdResources }

    /// Records a resource made for an older config (recorded on `instance`), to delete once
    /// the run succeeded.
    func setReplaced(_ name: String, _ values: ResourceValues, instance: String) { replacedResources[name] = (values, instance) }

    /// The resources made for an older config, by name, with the instance that recorded them.
    func replaced() -> [String: (values: ResourceValues, instance: String)] { replacedResources }

    /// Records an instance made ready before its boot step (to read a record on it).
    func setReadied(_ instance: Instance) { readiedInstances[instance.id] = instance }

    /// The instance `id` as made ready by an earlier step of this run, if any.
    func readied(_ id: String) -> Instance? { readiedInstances[id] }

    /// Whether `machine`'s instance was found rather than booted by this run (it survives a failed run).
    func isReused(_ machine: String) -> Bool { machines[machine] != nil && !bootedEver.contains(machine) }

    /// The outputs of every resource that exists so far.
    func resourceOutputs() -> ResourceOutputs { ResourceOutputs(resourceValues) }

    /// Records where a session runs.
    func setSession(_ session: String, _ record: InstanceState.SessionRecord) { sessionRuns[session] = record }

    /// Where a session runs, if it was started (by this run or an earlier one).
    func session(_ session: String) -> InstanceState.SessionRecord? { sessionRuns[session] }

    /// Every session's record.
    func sessions() -> [String: InstanceState.SessionRecord] { sessionRuns }
}
