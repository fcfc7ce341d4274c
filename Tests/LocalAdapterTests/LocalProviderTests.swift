import Executor
import Foundation
import LocalAdapter
import TestSupport
import Testing

@Suite("Local provider")
struct LocalProviderTests {
    @Test("the state directory follows XDG_STATE_HOME, then HOME")
    func stateDirectory() {
        #expect(LocalProvider.defaultStateDirectory(environment: ["XDG_STATE_HOME": "/x", "HOME": "/h"]) == "/x/runjob")
        #expect(LocalProvider.defaultStateDirectory(environment: ["HOME": "/h"]) == "/h/.local/state/runjob")
        #expect(LocalProvider.defaultStateDirectory(environment: ["XDG_STATE_HOME": "relative"]) == nil)
        #expect(LocalProvider.defaultStateDirectory(environment: [:]) == nil)
    }

    @Test("boot, get and list by labels; an instance has its own home and tmp")
    func lifecycle() async throws {
        try await withLocalProvider { provider, _ in
            let a = try await provider.boot(BootRequest(machine: MachineSpec(name: "a"), labels: ["runjob.name": "x", "team": "one"]))
            let b = try await provider.boot(BootRequest(machine: MachineSpec(name: "b"), labels: ["runjob.name": "x", "team": "two"]))
            #expect(a.status == .ready)
            #expect(a.home?.hasSuffix("/instances/\(a.id)/home") == true)
            #expect(try await provider.get(a.id)?.labels == ["runjob.name": "x", "team": "one"])
            #expect(try await provider.get("local-doesnotexist") == nil)
            #expect(try await provider.get("../etc") == nil)
            #expect(try await provider.list(labels: ["runjob.name": "x"]).map(\.id).sorted() == [a.id, b.id].sorted())
            #expect(try await provider.list(labels: ["runjob.name": "x", "team": "two"]).map(\.id) == [b.id])
            #expect(try await provider.list(labels: ["team": "three"]).isEmpty)
        }
    }

    @Test("addLabels merges into instance.json; a missing instance or a bad id is an error")
    func addLabels() async throws {
        try await withLocalProvider { provider, _ in
            let a = try await provider.boot(BootRequest(machine: MachineSpec(name: "a"), labels: ["runjob.name": "x", "team": "one"]))
            try await provider.addLabels(a.id, ["runjob.resource.db": "app-1", "team": "two"])
            #expect(try await provider.get(a.id)?.labels == ["runjob.name": "x", "team": "two", "runjob.resource.db": "app-1"])
            await #expect(throws: ProviderError.self) { try await provider.addLabels("local-doesnotexist", ["a": "b"]) }
            await #expect(throws: ProviderError.self) { try await provider.addLabels("../etc", ["a": "b"]) }
        }
    }

    @Test("exec runs bash with HOME, a minimal PATH, the marker, stdin and the real exit code")
    func exec() async throws {
        try await withLocalProvider { provider, _ in
            let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "m"), labels: [:]))
            let script = "printf '%s|%s|%s|%s|' \"$HOME\" \"$PATH\" \"$RUNJOB_INSTANCE\" \"$PWD\"; cat; echo oops >&2; exit 7"
            let result = try await provider.exec(instance.id, .shell(script), stdin: Array("from stdin".utf8))
            #expect(result.exitCode == 7)
            #expect(result.stdoutText == "\(instance.home ?? "")|/usr/local/bin:/usr/bin:/bin|\(instance.id)|\(instance.home ?? "")|from stdin")
            #expect(result.stderrText == "oops\n")
            let argv = try await provider.exec(instance.id, CommandSpec(.argv(["printf", "%s", "a b"]), cwd: "/"), stdin: nil)
            #expect(argv.stdoutText == "a b")
            let killed = try await provider.exec(instance.id, .shell("kill -TERM $$"), stdin: nil)
            #expect(killed.exitCode == 143)
        }
    }

    @Test("exec on a missing instance is provider.not_found")
    func execMissing() async throws {
        try await withLocalProvider { provider, _ in
            await #expect {
                _ = try await provider.exec("local-aaaaaaaaaaaa", .shell("true"), stdin: nil)
            } throws: { error in
                (error as? ProviderError)?.code == ErrorCode.Provider.notFound
            }
        }
    }

    @Test("files are written atomically with modes and verified; readFile reads them back")
    func files() async throws {
        try await withLocalProvider { provider, _ in
            let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "m"), labels: [:]))
            let home = try #require(instance.home)
            let batch = FileBatch(
                label: "test", directories: [(home + "/d", .ownerOnlyDirectory)],
                files: [FileWrite(path: home + "/d/f", mode: .ownerOnly, content: Array("content\n\0binary".utf8))],
                verify: .argv(["test", "-s", home + "/d/f"]))
            try await provider.writeFiles(instance.id, batch)
            #expect(try await provider.readFile(instance.id, path: home + "/d/f") == Array("content\n\0binary".utf8))
            #expect(try await provider.readFile(instance.id, path: home + "/missing") == nil)
            let failing = FileBatch(label: "test", files: [], verify: .shell("echo nope >&2; exit 1"))
            await #expect {
                try await provider.writeFiles(instance.id, failing)
            } throws: { error in
                (error as? ProviderError)?.code == ErrorCode.Provider.verifyFailed && (error as? ProviderError)?.message.contains("nope") == true
            }
        }
    }

    @Test("a batch writes many files with their modes into awkward folders; an impossible folder is file-write error 90")
    func batchModesAndFolders() async throws {
        try await withLocalProvider { provider, _ in
            let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "m"), labels: [:]))
            let home = try #require(instance.home)
            let files = [
                FileWrite(path: home + "/a b/it's/one", mode: .ownerOnly, content: Array("1".utf8)),
                FileWrite(path: home + "/a b/it's/two", mode: .ownerWriteGroupRead, content: []),
                FileWrite(path: home + "/c\\d/three", mode: .ownerOnlyDirectory, content: [0, 10, 13, 92, 255]),
                FileWrite(path: "~/four", mode: .ownerOnly, content: Array(repeating: 65, count: 70_000)),
            ]
            try await provider.writeFiles(instance.id, FileBatch(label: "many", files: files))
            for file in files {
                let path = file.path.hasPrefix("~/") ? home + file.path.dropFirst(1) : file.path
                #expect(try await provider.readFile(instance.id, path: path) == file.content, "\(path)")
            }
            let modes = try await provider.exec(
                instance.id, .shell("cd ~ && stat -c %a \"a b/it's/one\" \"a b/it's/two\" 'c\\d/three' four"), stdin: nil)
            #expect(modes.stdoutText == "600\n640\n700\n600\n")
            let leftovers = try await provider.exec(instance.id, .shell("find ~ -name '.runjob-write.*' | wc -l"), stdin: nil)
            #expect(leftovers.stdoutText.trimmingASCIIWhitespace() == "0")
            _ = try await provider.exec(instance.id, .shell("touch ~/blocker"), stdin: nil)
            let blocked = await #expect(throws: ProviderError.self) {
                try await provider.writeFiles(
                    instance.id, FileBatch(label: "blocked", files: [FileWrite(path: home + "/blocker/x", mode: .ownerOnly, content: [1])]))
            }
            #expect(blocked?.code == ErrorCode.Provider.fileWriteFailed)
            #expect(blocked?.message.contains("cannot create") == true, "\(blocked?.message ?? "")")
        }
    }

    @Test("a batch's records land only after its check passed; the check may overwrite files (no noclobber)")
    func recordsAfterCheck() async throws {
        try await withLocalProvider { provider, _ in
            let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "m"), labels: [:]))
            let home = try #require(instance.home)
            let record = FileWrite(path: home + "/.runjob/state/c.json", mode: .ownerOnly, content: Array("{}".utf8))
            let file = FileWrite(path: home + "/existing", mode: .ownerOnly, content: Array("old".utf8))
            let passing = FileBatch(label: "ok", files: [file], verify: .shell("echo new > ~/existing"), records: [record])
            try await provider.writeFiles(instance.id, passing)
            #expect(try await provider.readFile(instance.id, path: home + "/existing") == Array("new\n".utf8))
            #expect(try await provider.readFile(instance.id, path: record.path) == record.content)
            let other = FileWrite(path: home + "/.runjob/state/d.json", mode: .ownerOnly, content: Array("{}".utf8))
            let failing = FileBatch(label: "bad", files: [file], verify: .shell("exit 1"), records: [other])
            await #expect(throws: ProviderError.self) { try await provider.writeFiles(instance.id, failing) }
            #expect(try await provider.readFile(instance.id, path: other.path) == nil)
            let payloads = try await provider.exec(instance.id, .shell("ls \"$TMPDIR\" | grep -c runjob-payload || true"), stdin: nil)
            #expect(payloads.stdoutText.trimmingASCIIWhitespace() == "0")
        }
    }

    @Test("records after a follow-up land only when it succeeds; `~/` paths are relative to the command's HOME")
    func recordsAfterFollowUp() async throws {
        try await withLocalProvider { provider, _ in
            let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "a"), labels: [:]))
            let home = try #require(instance.home)
            let record = FileWrite(path: "~/.runjob/state/r.json", mode: .ownerOnly, content: Array("{\"ok\":true}".utf8))
            let batch = FileBatch(label: "t", files: [FileWrite(path: "~/plain", mode: .ownerOnly, content: [1, 2, 3])])
            let (good, goodInput) = FileInstallScript.build(batch, then: "printf '%s' \"$HOME\"", recordsAfter: [record])
            let ok = try await provider.exec(instance.id, good, stdin: goodInput)
            #expect(ok.exitCode == 0, "\(ok.stderrText)")
            #expect(ok.stdoutText == home)
            #expect(try await provider.readFile(instance.id, path: home + "/plain") == [1, 2, 3])
            #expect(try await provider.readFile(instance.id, path: home + "/.runjob/state/r.json") == record.content)

            let other = FileWrite(path: "~/.runjob/state/never.json", mode: .ownerOnly, content: Array("x".utf8))
            let (bad, badInput) = FileInstallScript.build(batch, then: "echo 'launch failed' >&2; exit 95", recordsAfter: [other])
            let failed = try await provider.exec(instance.id, bad, stdin: badInput)
            #expect(failed.exitCode == 95)
            #expect(try await provider.readFile(instance.id, path: home + "/.runjob/state/never.json") == nil)
            let leftovers = try await provider.exec(instance.id, .shell("ls -A ~/.runjob/state | grep -c runjob-write || true"), stdin: nil)
            #expect(leftovers.stdoutText.trimmingASCIIWhitespace() == "0")
        }
    }

    @Test("destroy kills every process of the instance, detached ones too, and removes its folder")
    func destroy() async throws {
        try await withLocalProvider { provider, folder in
            let instance = try await provider.boot(BootRequest(machine: MachineSpec(name: "m"), labels: [:]))
            let started = folder.file("started")
            _ = try await provider.exec(
                instance.id, .shell("setsid sleep 300 < /dev/null > /dev/null 2>&1 & (sleep 300 &) ; touch \(started)"), stdin: nil)
            #expect(FileManager.default.fileExists(atPath: started))
            #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(instance.id)").count == 2)
            try await provider.destroy(instance.id)
            #expect(ProcessScan.pids(withEnvironment: "RUNJOB_INSTANCE=\(instance.id)") == [])
            #expect(try await provider.get(instance.id) == nil)
            try await provider.destroy(instance.id)
            await #expect(throws: ProviderError.self) { try await provider.destroy("../../etc") }
        }
    }
}
