import Executor
import Foundation
import Testing
import TestSupport

@testable import SSHAdapter

@Suite("SSH provider against a real sshd", .enabled(if: SSHServer.isAvailable), .serialized)
struct SSHProviderTests {
    @Test("boot makes a folder with its record; exec streams stdin, sees the instance home and marker; destroy leaves nothing")
    func lifecycle() async throws {
        try await withSSH { rig in
            let server = rig.servers[0]
            let instance = try await rig.provider.boot(BootRequest(machine: SSHRig.machine(1), labels: demo))
            #expect(SSHProvider.isValidID(instance.id))
            #expect(instance.status == .ready)
            #expect(instance.home == server.home + "/.runjob/instances/\(instance.id)/home")
            let record = try String(contentsOfFile: server.home + "/.runjob/instances/\(instance.id)/instance.json", encoding: .utf8)
            #expect(record.contains("\"runjob.workspace\": \"ci\""))

            let input = Array("line one\nline two with 'quotes' and $HOME\n".utf8)
            let result = try await rig.provider.exec(
                instance.id, CommandSpec(.shell("cat; printf 'home=%s\\nmarker=%s\\n' \"$HOME\" \"$RUNJOB_INSTANCE\"; echo oops >&2; exit 7")), stdin: input)
            #expect(result.exitCode == 7)
            #expect(result.stdoutText == "line one\nline two with 'quotes' and $HOME\nhome=\(instance.home ?? "")\nmarker=\(instance.id)\n")
            #expect(result.stderrText == "oops\n")

            let listed = try await rig.provider.list(labels: demo)
            #expect(listed.map(\.id) == [instance.id])
            #expect(try await rig.provider.list(labels: ["runjob.name": "other"]).isEmpty)
            #expect(try await rig.provider.get(instance.id)?.labels == demo)

            try await rig.provider.writeFiles(
                instance.id, FileBatch(label: "t", files: [FileWrite(path: (instance.home ?? "") + "/a/b.txt", mode: .ownerOnly, content: Array("hi".utf8))]))
            #expect(try await rig.provider.readFile(instance.id, path: (instance.home ?? "") + "/a/b.txt") == Array("hi".utf8))
            #expect(try await rig.provider.readFile(instance.id, path: (instance.home ?? "") + "/missing") == nil)

            try await rig.provider.addLabels(instance.id, ["runjob.resource.db": "app-1"])
            #expect(try await rig.provider.get(instance.id)?.labels["runjob.resource.db"] == "app-1")

            try await rig.provider.destroy(instance.id)
            #expect(FileScan.tree(server.home).isEmpty)
            #expect(try await rig.provider.get(instance.id) == nil)
            try await rig.provider.destroy(instance.id)  // twice: fine
        }
    }

    @Test("exec on a missing instance is provider.not_found; a bad id is provider.invalid_request")
    func missing() async throws {
        try await withSSH { rig in
            let instance = try await rig.provider.boot(BootRequest(machine: SSHRig.machine(1), labels: demo))
            try await rig.provider.destroy(instance.id)
            await #expect(throws: ProviderError.self) { _ = try await rig.provider.exec(instance.id, CommandSpec(.shell("true")), stdin: nil) }
            do {
                _ = try await rig.provider.exec(instance.id, CommandSpec(.shell("true")), stdin: nil)
            } catch let error as ProviderError {
                #expect(error.code == ErrorCode.Provider.notFound)
            }
            do {
                _ = try await rig.provider.exec("../x", CommandSpec(.shell("true")), stdin: nil)
                Issue.record("no error")
            } catch let error as ProviderError {
                #expect(error.code == ErrorCode.Provider.invalidRequest)
            }
        }
    }
}
