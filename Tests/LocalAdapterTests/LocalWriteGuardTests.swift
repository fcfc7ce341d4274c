import Executor
import Foundation
import LocalAdapter
import TestSupport
import Testing

@Suite("Local writes stay inside the instance")
struct LocalWriteGuardTests {
    @Test("a write through a link a session planted, to an absolute path outside, or with `..` is provider.path_outside_instance and writes nothing")
    func refused() async throws {
        try await withLocalInstance { provider, instance, home, folder in
            let outside = folder.file("outside")
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            let planted = try await provider.exec(
                instance.id, .shell("ln -s \(outside) ~/.claude && ln -s \(outside)/target ~/token && ln -s ~/nowhere/x ~/dangling"), stdin: nil)
            #expect(planted.exitCode == 0, "\(planted.stderrText)")
            let attempts: [(String, FileBatch)] = [
                (
                    "file through a linked folder",
                    FileBatch(label: "c", files: [FileWrite(path: "~/.claude/.credentials.json", mode: .ownerOnly, content: [1])])
                ),
                ("absolute path", FileBatch(label: "c", files: [FileWrite(path: outside + "/direct", mode: .ownerOnly, content: [1])])),
                ("linked file", FileBatch(label: "c", files: [FileWrite(path: home + "/token", mode: .ownerOnly, content: [1])])),
                ("folder", FileBatch(label: "c", directories: [(home + "/.claude/sub", .ownerOnlyDirectory)], files: [])),
                ("record", FileBatch(label: "c", files: [], records: [FileWrite(path: "~/.claude/r.json", mode: .ownerOnly, content: [1])])),
                ("dots", FileBatch(label: "c", files: [FileWrite(path: home + "/a/../../../x", mode: .ownerOnly, content: [1])])),
                ("dangling link", FileBatch(label: "c", files: [FileWrite(path: home + "/dangling/f", mode: .ownerOnly, content: [1])])),
            ]
            for (name, batch) in attempts {
                let error = await #expect(throws: ProviderError.self, "\(name)") { try await provider.writeFiles(instance.id, batch) }
                #expect(error?.code == ErrorCode.Provider.pathOutsideInstance, "\(name): \(error?.message ?? "")")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == [])
        }
    }

    @Test("links that stay inside the instance are followed as usual")
    func linksInside() async throws {
        try await withLocalInstance { provider, instance, home, _ in
            _ = try await provider.exec(instance.id, .shell("mkdir ~/real && ln -s ~/real ~/alias && ln -s real ~/relative"), stdin: nil)
            try await provider.writeFiles(
                instance.id,
                FileBatch(
                    label: "c", directories: [(home + "/alias/d", .ownerOnlyDirectory)],
                    files: [
                        FileWrite(path: "~/alias/f", mode: .ownerOnly, content: [1]),
                        FileWrite(path: home + "/relative/g", mode: .ownerOnly, content: [2]),
                    ]))
            #expect(try await provider.readFile(instance.id, path: home + "/real/f") == [1])
            #expect(try await provider.readFile(instance.id, path: home + "/real/g") == [2])
            #expect(FileManager.default.fileExists(atPath: home + "/real/d"))
        }
    }

    @Test("readFile refuses a FIFO instead of waiting on it")
    func fifo() async throws {
        try await withLocalInstance { provider, instance, home, _ in
            _ = try await provider.exec(instance.id, .shell("mkfifo ~/pipe"), stdin: nil)
            let error = await #expect(throws: ProviderError.self) { _ = try await provider.readFile(instance.id, path: home + "/pipe") }
            #expect(error?.code == ErrorCode.Provider.fileReadFailed)
            #expect(error?.message.contains("not a regular file") == true, "\(error?.message ?? "")")
        }
    }
}
