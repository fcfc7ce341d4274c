import AdapterKit
import Executor

extension SSHProvider {
    // MARK: Boot

    /// Connects to the machine's host, checks that bash is there, and creates the
    /// instance folder with its record (ready at once). Under `home: user` the account's
    /// home is claimed: `provider.home_in_use` while another instance holds it.
    public func boot(_ request: BootRequest) async throws -> Instance {
        let machine = request.machine.name
        guard let (endpoint, home) = configuration.machines[machine] else {
            throw ProviderError(ErrorCode.Provider.misconfigured, "machine \(machine) has no `host`", context: [.init("machine", machine)])
        }
        let id = Self.newID()
        let createdAt = Int(RunClock.nowMilliseconds() / 1000)
        let record = InstanceRecordDocument(id: id, labels: request.labels, createdAt: createdAt)
        let context = [ErrorContext("machine", machine), ErrorContext("instance", id)]
        // Creating a folder is not idempotent: retried only when it certainly never started.
        let outcome = try await transport.run(
            endpoint, SSHWrapper(script: SSHScripts.boot(id: id, home: home)), stdin: record.bytes, readOnly: false, context: context)
        guard case .finished(let reply) = outcome else {
            throw ProviderError(ErrorCode.Provider.bootFailed, "the boot on \(endpoint) did not complete", context: context)
        }
        let output = String(decoding: reply.stdout, as: UTF8.self)
        if reply.exitCode == SSHScripts.homeHeld {
            let holder = output.split(separator: " ").last.map { String($0).trimmingASCIIWhitespace() } ?? "another instance"
            throw ProviderError(
                ErrorCode.Provider.homeInUse,
                "instance \(holder) already uses the home folder of \(endpoint) (`home: user`: one instance at a time, since they would share "
                    + "credentials and state); destroy it first, or use `home: instance`", context: context)
        }
        guard reply.exitCode == 0, let line = output.split(separator: "\n").last(where: { $0.hasPrefix("HOME ") }) else {
            let detail = String(decoding: reply.stderr, as: UTF8.self).trimmingASCIIWhitespace()
            throw ProviderError(
                ErrorCode.Provider.bootFailed, "cannot create the instance folder on \(endpoint): \(detail.isEmpty ? "exit \(reply.exitCode)" : detail)",
                context: context)
        }
        let accountHome = String(line.dropFirst("HOME ".count))
        remember(id, on: endpoint)
        let instanceHome = home == .user ? accountHome : accountHome + "/.runjob/instances/\(id)/home"
        return Instance(id: id, status: .ready, labels: request.labels, home: instanceHome, createdAt: createdAt)
    }

    // MARK: Finding instances

    /// The instance `id` on whichever host of the manifest has it; `nil` when none does.
    public func get(_ id: String) async throws -> Instance? {
        guard Self.isValidID(id) else { return nil }
        return try await find(id)
    }

    /// Looks for `id` where it was last seen, else on every host.
    func find(_ id: String) async throws -> Instance? {
        if let known = endpoint(of: id), let found = try await listing(on: known, id: id).first { return found }
        for endpoint in configuration.endpoints where endpoint != self.endpoint(of: id) {
            if let found = try await listing(on: endpoint, id: id).first { return found }
        }
        return nil
    }

    /// Every instance on the manifest's hosts whose labels include all of `labels` (one
    /// round trip per host, all hosts at once). Damaged ones are ``InstanceStatus/incomplete``.
    public func list(labels: [String: String]) async throws -> [Instance] {
        try await withThrowingTaskGroup(of: [Instance].self) { group in
            for endpoint in configuration.endpoints {
                group.addTask { try await listing(on: endpoint, id: nil) }
            }
            var found: [Instance] = []
            for try await instances in group {
                found += instances.filter { instance in labels.allSatisfy { instance.labels[$0.key] == $0.value } }
            }
            return found.sorted { $0.id < $1.id }
        }
    }

    /// The instances in `endpoint`'s instance folder (or only `id`).
    func listing(on endpoint: SSHEndpoint, id: String?) async throws -> [Instance] {
        let context = [ErrorContext("command", "list")] + (id.map { [ErrorContext("instance", $0)] } ?? [])
        let outcome = try await transport.run(endpoint, SSHWrapper(script: SSHScripts.list(id: id)), stdin: nil, readOnly: true, context: context)
        guard case .finished(let reply) = outcome, reply.exitCode == 0 else {
            throw ProviderError(ErrorCode.Provider.invalidResponse, "cannot list the instances on \(endpoint)", context: context)
        }
        let instances = SSHListing.parse(reply.stdout)
        for instance in instances { remember(instance.id, on: endpoint) }
        return instances
    }

    // MARK: Destroy

    /// Stops every process of the instance (by its marker), removes what runjob made on the
    /// host (see ``SSHScripts/destroy(id:)``) and leaves everything else. An instance that is
    /// already gone counts as destroyed.
    public func destroy(_ id: String) async throws {
        guard Self.isValidID(id) else {
            throw ProviderError(ErrorCode.Provider.invalidRequest, "`\(id)` is not an ssh instance id", context: [.init("instance", id)])
        }
        let context = [ErrorContext("instance", id), ErrorContext("command", "destroy")]
        guard let endpoint = try await locate(id) else { return }
        // Destroying twice is harmless: retried like a read.
        let outcome = try await transport.run(endpoint, SSHWrapper(script: SSHScripts.destroy(id: id)), stdin: nil, readOnly: true, context: context)
        guard case .finished(let reply) = outcome, reply.exitCode == 0 else {
            var detail = ""
            if case .finished(let reply) = outcome { detail = String(decoding: reply.stderr, as: UTF8.self).trimmingASCIIWhitespace() }
            throw ProviderError(ErrorCode.Provider.destroyFailed, "cannot remove \(id) from \(endpoint)" + (detail.isEmpty ? "" : ": \(detail)"), context: context)
        }
    }
}

/// Reads the list script's output (``SSHScripts/list(id:)``).
enum SSHListing {
    /// A staging folder older than this belongs to a boot that died.
    static let abandonedAfter = 60

    /// The instances in `output`.
    static func parse(_ output: [UInt8]) -> [Instance] {
        var instances: [Instance] = []
        var position = 0
        var accountHome: String?
        while let newline = output[position...].firstIndex(of: UInt8(ascii: "\n")) {
            let fields = String(decoding: output[position..<newline], as: UTF8.self).split(separator: " ").map(String.init)
            guard let length = fields.last.flatMap({ Int($0) }), length >= 0, newline + 1 + length <= output.count else { break }
            let body = Array(output[(newline + 1)..<(newline + 1 + length)])
            position = min(output.count, newline + 1 + length + 1)
            if fields.first == "HOME" {
                accountHome = String(decoding: body, as: UTF8.self)
                continue
            }
            guard fields.count == 4, fields[0] == "I" else { continue }
            if let instance = instance(folder: fields[1], flags: fields[2], record: body, accountHome: accountHome) { instances.append(instance) }
        }
        return instances
    }

    /// One folder as an instance: ready with a usable record, incomplete otherwise; a boot
    /// younger than a minute is left out (it is still running).
    static func instance(folder: String, flags: String, record: [UInt8], accountHome: String?) -> Instance? {
        let flagSet = Set(flags.split(separator: ",").map(String.init))
        let staging = folder.hasPrefix(".boot-")
        let id = staging ? String(folder.dropFirst(".boot-".count)) : folder
        guard SSHProvider.isValidID(id) else { return nil }
        // An empty record is what the list script prints for a missing file too.
        let parsed: InstanceRecordDocument.Parsed =
            record.isEmpty ? .damaged(problem: "instance.json is missing or empty", labels: [:]) : InstanceRecordDocument.parse(record, id: id)
        var labels: [String: String] = [:]
        var problem: String?
        var document: InstanceRecordDocument?
        switch parsed {
        case .record(let found):
            document = found
            labels = found.labels
        case .damaged(let why, let named):
            problem = why
            labels = named
        }
        let user = flagSet.contains("user")
        let home = user ? accountHome : accountHome.map { $0 + "/.runjob/instances/\(id)/home" }
        if staging {
            let age = flagSet.first { $0.hasPrefix("staging:") }.flatMap { Int($0.dropFirst("staging:".count)) } ?? 0
            guard age >= abandonedAfter else { return nil }
            return Instance(
                id: id, status: .incomplete, labels: labels, problem: "its boot was cut short before the instance was ready (nothing ran in it); destroy removes it",
                neverReady: true)
        }
        if let document, user || flagSet.contains("home") {
            return Instance(id: id, status: .ready, labels: document.labels, home: home, createdAt: document.createdAt)
        }
        return Instance(id: id, status: .incomplete, labels: labels, home: nil, problem: (problem ?? "its home folder is missing") + "; destroy removes it")
    }
}
