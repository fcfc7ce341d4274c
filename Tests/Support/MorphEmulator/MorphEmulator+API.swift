import Executor
import Foundation
import LocalAdapter

extension MorphEmulator {
    /// The Morph API routes (the request is authorised already).
    func api(_ request: EmulatorRequest, _ matched: (template: String, id: String?)?) async -> EmulatorResponse {
        guard let matched else { return .detail(404, "Not Found") }
        let body: JSONValue?
        if request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            body = nil  // the SDK sends `Content-Type: application/json` with empty bodies
        } else if let parsed = try? JSONValue.parse(request.body) {
            body = parsed
        } else {
            return .validation(["body"], "JSON decode error", type: "json_invalid")
        }
        let id = matched.id ?? ""
        switch matched.template {
        case "GET /image":
            let image = JSONValue.object([
                "id": .string("morphvm-minimal"), "object": .string("image"), "name": .string("morphvm-minimal"),
                "description": .string("Minimal Linux image"), "disk_size": .int(4_294_967_296), "created": .int(1_735_689_600),
            ])
            return .json(200, .object(["object": .string("list"), "data": .array([image])]))
        case "POST /instance": return await start(request, body)
        case "GET /instance": return listInstances(request)
        case "GET /instance/{id}": return withInstance(id) { instance in .json(200, instance.read(at: clock.now)) }
        case "DELETE /instance/{id}": return await delete(id)
        case "POST /instance/{id}/pause": return pause(id)
        case "POST /instance/{id}/resume": return resume(id)
        case "POST /instance/{id}/ttl": return setTTL(id, body)
        case "POST /instance/{id}/metadata": return setMetadata(id, body)
        case "POST /instance/{id}/exec": return await exec(id, body)
        case "POST /instance/{id}/snapshot": return snapshot(id, body)
        case "POST /instance/{id}/branch": return await branch(id, request, body)
        case "GET /snapshot": return listSnapshots(request)
        case "GET /snapshot/{id}":
            guard let snapshot = snapshotJSON(id) else { return .detail(404, "Snapshot \(id) not found") }
            return .json(200, snapshot)
        case "DELETE /snapshot/{id}":
            guard snapshotJSON(id) != nil else { return .detail(404, "Snapshot \(id) not found") }
            snapshots[id] = nil
            return .noContent
        default:
            return .detail(404, "Not Found")
        }
    }

    // MARK: Instances

    private func start(_ request: EmulatorRequest, _ body: JSONValue?) async -> EmulatorResponse {
        guard let snapshotID = request.parameter("snapshot_id") ?? body?["snapshot_id"]?.stringValue else {
            return .validation(["query", "snapshot_id"], "Field required", type: "missing")
        }
        guard snapshotExists(snapshotID) else { return .detail(404, "Snapshot \(snapshotID) not found") }
        var metadata: [String: String] = [:]
        switch body?["metadata"] {
        case nil, .null?: break
        case .object(let members)?:
            for member in members {
                guard let value = member.value.stringValue else {
                    return .validation(["body", "metadata", member.key], "Input should be a valid string")
                }
                metadata[member.key] = value
            }
        default: return .validation(["body", "metadata"], "Input should be a valid dictionary")
        }
        var ttlSeconds: Int?
        switch body?["ttl_seconds"] {
        case nil, .null?: break
        case let value?:
            guard let seconds = value.intValue, seconds > 0 else {
                return .validation(["body", "ttl_seconds"], "Input should be a positive integer")
            }
            ttlSeconds = seconds
        }
        let action = body?["ttl_action"]?.stringValue ?? "stop"
        guard action == "stop" || action == "pause" else { return .validation(["body", "ttl_action"], "Input should be 'stop' or 'pause'") }
        guard let instance = await newInstance(snapshotID: snapshotID, metadata: metadata, ttlSeconds: ttlSeconds, ttlAction: action) else {
            return .detail(500, "cannot create the instance sandbox")
        }
        return .json(200, instance.json(at: clock.now))
    }

    /// A new pending instance with its sandbox.
    func newInstance(snapshotID: String, metadata: [String: String], ttlSeconds: Int?, ttlAction: String) async -> EmulatorInstance? {
        guard let sandbox = try? await sandboxes.boot(BootRequest(machine: MachineSpec(name: "emulated"), labels: [:])) else { return nil }
        if let template = settings.homeTemplate, let home = sandbox.home {
            let manager = FileManager.default
            for item in (try? manager.contentsOfDirectory(atPath: template)) ?? [] {
                try? manager.copyItem(atPath: template + "/" + item, toPath: home + "/" + item)
            }
        }
        let id = Self.newID(prefix: "morphvm_")
        let now = clock.now
        let phase: EmulatorInstance.Phase =
            settings.bootDelay > .zero
            ? .pending(until: now + settings.bootDelay, outcome: settings.bootOutcome) : (settings.bootOutcome == "error" ? .error : .ready)
        var instance = EmulatorInstance(
            id: id, snapshotID: snapshotID, created: unixNow(), phase: phase, metadata: metadata, ttlSeconds: ttlSeconds, ttlAction: ttlAction,
            internalIP: "10.0.\(order.count / 250).\(order.count % 250 + 2)", sandbox: sandbox.id, sandboxHome: sandbox.home ?? "")
        instance.restartTTL(now: now, unixNow: unixNow())
        instances[id] = instance
        order.append(id)
        return instance
    }

    private func listInstances(_ request: EmulatorRequest) -> EmulatorResponse {
        let filters = Self.metadataFilters(request)
        let now = clock.now
        let data = order.compactMap { id -> JSONValue? in
            guard var instance = instances[id], instance.deletedAt == nil else { return nil }
            guard filters.allSatisfy({ instance.metadata[$0.key] == $0.value }) else { return nil }
            let shown = instance.read(at: now)
            instances[id] = instance
            return shown
        }
        return .json(200, .object(["object": .string("list"), "data": .array(data)]))
    }

    /// `metadata[k]=v` filters (brackets encoded or literal: the query is decoded already).
    static func metadataFilters(_ request: EmulatorRequest) -> [(key: String, value: String)] {
        request.query.compactMap { parameter in
            guard parameter.name.hasPrefix("metadata["), parameter.name.hasSuffix("]") else { return nil }
            return (String(parameter.name.dropFirst(9).dropLast()), parameter.value)
        }
    }

    /// Runs `body` with the live instance `id` (its changes are kept), or answers 404.
    private func withInstance(_ id: String, _ body: (inout EmulatorInstance) -> EmulatorResponse) -> EmulatorResponse {
        guard var instance = instances[id], instance.deletedAt == nil else { return .detail(404, "Instance \(id) not found") }
        instance.settle(at: clock.now)
        let response = body(&instance)
        instances[id] = instance
        return response
    }

    private func delete(_ id: String) async -> EmulatorResponse {
        guard let instance = instances[id], instance.deletedAt == nil else { return .detail(404, "Instance \(id) not found") }
        instances[id]?.deletedAt = unixNow()
        instances[id]?.deletedBy = "api"
        try? await sandboxes.destroy(instance.sandbox)
        return .noContent
    }

    private func pause(_ id: String) -> EmulatorResponse {
        withInstance(id) { instance in
            switch instance.phase {
            case .ready:
                instance.phase = .paused
                return .json(200, instance.json(at: clock.now))
            case .paused: return .json(200, instance.json(at: clock.now))
            default: return .detail(409, "Instance \(id) is \(instance.status(at: clock.now)); only a ready instance can be paused")
            }
        }
    }

    private func resume(_ id: String) -> EmulatorResponse {
        withInstance(id) { instance in
            guard case .paused = instance.phase else {
                return .detail(409, "Instance \(id) is \(instance.status(at: clock.now)); only a paused instance can be resumed")
            }
            let now = clock.now
            instance.phase = settings.bootDelay > .zero ? .pending(until: now + settings.bootDelay, outcome: "ready") : .ready
            instance.restartTTL(now: now, unixNow: unixNow())
            return .json(200, instance.json(at: now))
        }
    }

    private func setTTL(_ id: String, _ body: JSONValue?) -> EmulatorResponse {
        withInstance(id) { instance in
            guard let body, let value = body["ttl_seconds"] else { return .validation(["body", "ttl_seconds"], "Field required", type: "missing") }
            if case .null = value {
                instance.ttlSeconds = nil
            } else if let seconds = value.intValue, seconds > 0 {
                instance.ttlSeconds = seconds
            } else {
                return .validation(["body", "ttl_seconds"], "Input should be a positive integer")
            }
            if let action = body["ttl_action"]?.stringValue {
                guard action == "stop" || action == "pause" else { return .validation(["body", "ttl_action"], "Input should be 'stop' or 'pause'") }
                instance.ttlAction = action
            }
            instance.restartTTL(now: clock.now, unixNow: unixNow())
            return .json(200, instance.json(at: clock.now))
        }
    }

    private func setMetadata(_ id: String, _ body: JSONValue?) -> EmulatorResponse {
        withInstance(id) { instance in
            guard case .object(let members)? = body else { return .validation(["body"], "Input should be a valid dictionary") }
            var metadata: [String: String] = [:]
            for member in members {
                guard let value = member.value.stringValue else { return .validation(["body", member.key], "Input should be a valid string") }
                metadata[member.key] = value
            }
            instance.metadata = metadata
            return .json(200, instance.json(at: clock.now))
        }
    }

    private func exec(_ id: String, _ body: JSONValue?) async -> EmulatorResponse {
        guard var instance = instances[id], instance.deletedAt == nil else { return .detail(404, "Instance \(id) not found") }
        instance.settle(at: clock.now)
        instances[id] = instance
        guard case .ready = instance.phase else {
            return .detail(409, "Instance \(id) is \(instance.status(at: clock.now)); exec needs a ready instance")
        }
        guard let items = body?["command"]?.arrayValue, !items.isEmpty else {
            return .validation(["body", "command"], "Input should be a non-empty list of strings")
        }
        let words = items.compactMap(\.stringValue)
        guard words.count == items.count else { return .validation(["body", "command"], "Input should be a list of strings") }
        // One element is a whole shell line; several are argv (quoted, not joined raw).
        let command = words.count == 1 ? CommandSpec(.shell(words[0])) : CommandSpec(.argv(words))
        let outcome: Result<ExecResult, any Error>
        do {
            outcome = .success(try await sandboxes.exec(instance.sandbox, command, stdin: nil))
        } catch {
            outcome = .failure(error)
        }
        // A real VM takes everything with it when deleted: whatever this exec started after a
        // delete swept the sandbox (the delete came while it ran) goes now.
        if instances[id]?.deletedAt != nil { try? await sandboxes.destroy(instance.sandbox) }
        switch outcome {
        case .success(let result):
            return .json(
                200, .object(["stdout": .string(result.stdoutText), "stderr": .string(result.stderrText), "exit_code": .int(Int(result.exitCode))]))
        case .failure(let error):
            return .detail(500, "exec failed: \(error)")
        }
    }

    // MARK: Snapshots

    func snapshotExists(_ id: String) -> Bool {
        if snapshots[id] != nil { return true }
        if let declared = settings.snapshots { return declared.contains(id) }
        return Self.isWellFormedSnapshotID(id)
    }

    /// `snapshot_` and 1–64 lowercase letters, digits, `-` or `_`.
    static func isWellFormedSnapshotID(_ id: String) -> Bool {
        guard id.hasPrefix("snapshot_") else { return false }
        let rest = id.utf8.dropFirst(9)
        return (1...64).contains(rest.count)
            && rest.allSatisfy { ASCII.isLowercase($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    func snapshotJSON(_ id: String) -> JSONValue? {
        if let stored = snapshots[id] { return stored }
        guard snapshotExists(id) else { return nil }
        return Self.snapshotObject(id: id, created: 1_735_689_600, metadata: [:], digest: nil)
    }

    static func snapshotObject(id: String, created: Int, metadata: [String: String], digest: String?) -> JSONValue {
        .object([
            "id": .string(id), "object": .string("snapshot"), "created": .int(created), "status": .string("ready"),
            "spec": .object(["vcpus": .int(1), "memory": .int(4096), "disk_size": .int(16384)]),
            "refs": .object(["image_id": .string("morphvm-minimal")]), "digest": digest.map { .string($0) } ?? .null,
            "metadata": .object(metadata.sorted { $0.key < $1.key }.map { .init($0.key, .string($0.value)) }),
        ])
    }

    private func snapshot(_ id: String, _ body: JSONValue?) -> EmulatorResponse {
        withInstance(id) { _ in
            let snapshotID = Self.newID(prefix: "snapshot_")
            var metadata: [String: String] = [:]
            for member in body?["metadata"]?.objectValue ?? [] { metadata[member.key] = member.value.stringValue ?? "" }
            let object = Self.snapshotObject(id: snapshotID, created: unixNow(), metadata: metadata, digest: body?["digest"]?.stringValue)
            snapshots[snapshotID] = object
            return .json(200, object)
        }
    }

    private func branch(_ id: String, _ request: EmulatorRequest, _ body: JSONValue?) async -> EmulatorResponse {
        guard let source = instances[id], source.deletedAt == nil else { return .detail(404, "Instance \(id) not found") }
        let count = request.parameter("count").flatMap(Int.init) ?? 1
        guard (1...32).contains(count) else { return .validation(["query", "count"], "Input should be between 1 and 32") }
        let snapshotID = Self.newID(prefix: "snapshot_")
        let object = Self.snapshotObject(id: snapshotID, created: unixNow(), metadata: [:], digest: nil)
        snapshots[snapshotID] = object
        var created: [JSONValue] = []
        for _ in 0..<count {
            var metadata: [String: String] = [:]
            for member in body?["instance_metadata"]?.objectValue ?? [] { metadata[member.key] = member.value.stringValue ?? "" }
            guard let instance = await newInstance(snapshotID: snapshotID, metadata: metadata, ttlSeconds: nil, ttlAction: "stop") else {
                return .detail(500, "cannot create the instance sandbox")
            }
            created.append(instance.json(at: clock.now))
        }
        return .json(200, .object(["snapshot": object, "instances": .array(created)]))
    }

    private func listSnapshots(_ request: EmulatorRequest) -> EmulatorResponse {
        let filters = Self.metadataFilters(request)
        let digest = request.parameter("digest")
        let data = snapshots.keys.sorted().compactMap { key -> JSONValue? in
            guard let object = snapshots[key] else { return nil }
            if let digest, object["digest"]?.stringValue != digest { return nil }
            guard filters.allSatisfy({ object["metadata"]?[$0.key]?.stringValue == $0.value }) else { return nil }
            return object
        }
        return .json(200, .object(["object": .string("list"), "data": .array(data)]))
    }

    /// `prefix` and 8 lowercase letters or digits.
    static func newID(prefix: String) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return prefix + String((0..<8).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
}
