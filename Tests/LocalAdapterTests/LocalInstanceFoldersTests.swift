import Executor
import Foundation
import TestSupport
import Testing

@testable import LocalAdapter

@Suite("Local instance folders")
struct LocalInstanceFoldersTests {
    @Test("a deployment's instances live in instances/<name>@<workspace>/; others, and folders of the old flat layout, in instances/")
    func layout() async throws {
        try await withLocalProvider { provider, folder in
            let state = folder.file("state")
            let deployed = try await provider.boot(
                BootRequest(machine: MachineSpec(name: "main"), labels: demo.merging(["runjob.machine": "main"]) { $1 }))
            #expect(deployed.home == "\(state)/instances/demo@ci/\(deployed.id)/home")
            let plain = try await provider.boot(BootRequest(machine: MachineSpec(name: "m"), labels: [:]))
            #expect(plain.home == "\(state)/instances/\(plain.id)/home")
            let odd = try await provider.boot(
                BootRequest(machine: MachineSpec(name: "m"), labels: ["runjob.name": "../x", "runjob.workspace": "ci"]))
            #expect(odd.home == "\(state)/instances/\(odd.id)/home")
            // Nothing of the boot is left beside the instance.
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(state)/instances/demo@ci") == [deployed.id])
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: "\(state)/instances/demo@ci/\(deployed.id)").sorted() == [
                    "home", "instance.json", "tmp",
                ])

            // An instance an earlier runjob made in the flat layout stays visible and usable.
            let old = "local-0ld0ld0ld0ld"
            for path in ["\(state)/instances/\(old)/home", "\(state)/instances/\(old)/tmp"] {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            }
            try LocalInstanceRecord(id: old, labels: demo.merging(["runjob.machine": "old"]) { $1 }, createdAt: 1)
                .write(to: "\(state)/instances/\(old)/instance.json")
            #expect(try await provider.list(labels: demo).map(\.id).sorted() == [deployed.id, old].sorted())
            #expect(try await provider.list(labels: demo).allSatisfy { $0.status == .ready })
            #expect(try await provider.get(old)?.labels["runjob.machine"] == "old")
            #expect(try await provider.exec(old, .shell("printf %s \"$HOME\""), stdin: nil).stdoutText == "\(state)/instances/\(old)/home")
            try await provider.destroy(old)
            #expect(!FileManager.default.fileExists(atPath: "\(state)/instances/\(old)"))
            #expect(try await provider.get(deployed.id)?.home == deployed.home)
            #expect(try await provider.list(labels: [:]).count == 3)
        }
    }

    @Test(
        "an instance whose instance.json does not parse is incomplete, with labels from runjob's record in its home; destroy stops its processes and removes it"
    )
    func damagedRecord() async throws {
        try await withLocalProvider { provider, _ in
            let labels = demo.merging(["runjob.machine": "main", "runjob.config": "c1", "runjob.run": "r1", "runjob.boot": "b1", "team": "x"]) { $1 }
            let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "main"), labels: labels))
            let home = try #require(instance.home)
            let folder = String(home.dropLast("/home".count))
            try FileManager.default.createDirectory(atPath: home + "/.runjob/state", withIntermediateDirectories: true)
            try Data(#"{"version":1,"name":"demo","workspace":"ci","machine":"main","config":"c1","run":"r1"}"#.utf8)
                .write(to: URL(fileURLWithPath: home + "/.runjob/state/instance.json"))
            _ = try await provider.exec(instance.id, .shell("setsid sleep 300 < /dev/null > /dev/null 2>&1 &"), stdin: nil)
            #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(instance.id)").count == 1)
            try Data("{not json".utf8).write(to: URL(fileURLWithPath: folder + "/instance.json"))

            let found = try await provider.list(labels: demo)
            #expect(found.count == 1)
            let damaged = try #require(found.first)
            #expect(damaged.id == instance.id)
            #expect(damaged.status == .incomplete)
            #expect(damaged.problem?.contains("instance.json is not valid JSON") == true, "\(damaged.problem ?? "")")
            #expect(damaged.labels == demo.merging(["runjob.machine": "main", "runjob.config": "c1", "runjob.run": "r1"]) { $1 })
            #expect(damaged.home == home)
            // What cannot be recovered stays absent, so it matches no query.
            #expect(try await provider.list(labels: demo.merging(["runjob.machine": "main"]) { $1 }).map(\.id) == [instance.id])
            #expect(try await provider.list(labels: demo.merging(["runjob.boot": "b1"]) { $1 }).isEmpty)
            #expect(try await provider.get(instance.id)?.status == .incomplete)

            try await provider.destroy(instance.id)
            #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(instance.id)") == [])
            #expect(!FileManager.default.fileExists(atPath: folder))
            #expect(try await provider.list(labels: demo).isEmpty)
        }
    }

    @Test("without a record anywhere only the folder's deployment is known: the instance is incomplete with name and workspace")
    func missingRecord() async throws {
        try await withLocalProvider { provider, _ in
            let instance = try await provider.boot(
                BootRequest(machine: MachineSpec(name: "main"), labels: demo.merging(["runjob.machine": "main"]) { $1 }))
            let folder = String(try #require(instance.home).dropLast("/home".count))
            try FileManager.default.removeItem(atPath: folder + "/instance.json")
            let found = try #require(try await provider.list(labels: demo).first)
            #expect(found.status == .incomplete)
            #expect(found.labels == demo)
            #expect(found.problem?.contains("instance.json is missing") == true)
            #expect(try await provider.list(labels: demo.merging(["runjob.machine": "main"]) { $1 }).isEmpty)
            try await provider.destroy(instance.id)
            #expect(try await provider.get(instance.id) == nil)
        }
    }

    @Test(
        "a boot cut short (its lock holder killed -9) is incomplete and destroy removes it; while a boot runs it is not listed and destroy refuses it"
    )
    func abandonedBoot() async throws {
        try await withLocalProvider { provider, folder in
            let parent = folder.file("state/instances/demo@ci")
            let id = "local-b00tb00tb00t"
            let staging = parent + "/.boot-" + id
            try FileManager.default.createDirectory(atPath: staging + "/home", withIntermediateDirectories: true)
            try LocalInstanceRecord(id: id, labels: demo.merging(["runjob.machine": "main"]) { $1 }, createdAt: 1).write(
                to: staging + "/instance.json")
            let lock = parent + "/.boot-" + id + ".lock"
            #expect(FileManager.default.createFile(atPath: lock, contents: nil))
            // Another process holds the boot lock, as a booting runjob does.
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/bin/bash")
            holder.arguments = ["-c", "exec 9> \"$0\" && flock -x 9 && exec sleep 300", lock]
            holder.standardOutput = FileHandle.nullDevice
            holder.standardError = FileHandle.nullDevice
            try withUnblockedSignals { try holder.run() }
            defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
            #expect(await eventually { LocalBootLock.isHeld(lock) })
            #expect(try await provider.list(labels: demo).isEmpty)
            #expect(try await provider.get(id)?.status == .booting)
            let busy = await #expect(throws: ProviderError.self) { try await provider.destroy(id) }
            #expect(busy?.code == ErrorCode.Provider.wrongState)
            // kill -9: the kernel drops the lock with its holder.
            kill(holder.processIdentifier, SIGKILL)
            #expect(await eventually { !LocalBootLock.isHeld(lock) })
            let found = try await provider.list(labels: demo)
            #expect(found.map(\.id) == [id])
            #expect(found.first?.status == .incomplete)
            #expect(found.first?.labels == demo.merging(["runjob.machine": "main"]) { $1 })
            #expect(found.first?.problem?.contains("boot was cut short") == true)
            try await provider.destroy(id)
            #expect(!FileManager.default.fileExists(atPath: staging))
            #expect(!FileManager.default.fileExists(atPath: lock))
            #expect(try await provider.get(id) == nil)
        }
    }

    @Test("a boot sweeps staging folders of dead boots in its deployment folder")
    func bootSweeps() async throws {
        try await withLocalProvider { provider, folder in
            let parent = folder.file("state/instances/demo@ci")
            let staging = parent + "/.boot-local-deaddeaddead"
            try FileManager.default.createDirectory(atPath: staging + "/tmp", withIntermediateDirectories: true)
            let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "main"), labels: demo))
            #expect(!FileManager.default.fileExists(atPath: staging))
            #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == [instance.id])
        }
    }

    @Test("an XDG_STATE_HOME that is a file: boot says which path is not a directory (no Foundation error text); list finds nothing")
    func stateIsAFile() async throws {
        let folder = try TemporaryDirectory(prefix: "runjob-local")
        defer { folder.remove() }
        let xdg = try folder.write("xdg", "a file")
        let state = try #require(LocalProvider.defaultStateDirectory(environment: ["XDG_STATE_HOME": xdg]))
        let provider = LocalProvider(stateDirectory: state)
        let error = await #expect(throws: ProviderError.self) {
            _ = try await provider.boot(BootRequest(machine: MachineSpec(name: "main"), labels: demo))
        }
        #expect(error?.code == ErrorCode.Provider.bootFailed)
        #expect(error?.message.contains("\(xdg) is not a directory") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("NSCocoaErrorDomain") == false)
        #expect(error?.message.contains("could not be completed") == false)
        #expect(try await provider.list(labels: demo).isEmpty)
        #expect(try await provider.get("local-aaaaaaaaaaaa") == nil)
    }

    @Test("a state folder that cannot be read makes list and get fail with provider.misconfigured and the system's reason")
    func unreadableState() async throws {
        let provider = LocalProvider(stateDirectory: "/tmp/" + String(repeating: "x", count: 5000))
        for call in ["list", "get"] {
            let error = await #expect(throws: ProviderError.self, "\(call)") {
                if call == "list" { _ = try await provider.list(labels: demo) } else { _ = try await provider.get("local-aaaaaaaaaaaa") }
            }
            #expect(error?.code == ErrorCode.Provider.misconfigured, "\(call)")
            #expect(error?.message.contains("File name too long") == true, "\(call): \(error?.message ?? "")")
        }
    }
}
