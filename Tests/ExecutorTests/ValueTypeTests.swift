import Foundation
import TestSupport
import Testing

@testable import Executor

@Suite("Paths, modes, step ids, shell quoting")
struct ValueTypeTests {
    @Test("remote paths parse, resolve and reject")
    func remotePaths() throws {
        #expect(try RemotePath.parse("~").get() == .home(""))
        #expect(try RemotePath.parse("~/a/b/").get() == .home("a/b"))
        #expect(try RemotePath.parse("/srv//").get() == .absolute("/srv"))
        #expect(try RemotePath.parse("/").get() == .absolute("/"))
        #expect(RemotePath.parse("a/b") == .failure(.relative))
        #expect(RemotePath.parse("~bob") != .success(.home("")))
        #expect(RemotePath.home("x/y").resolved(home: "/root") == "/root/x/y")
        #expect(RemotePath.home("").resolved(home: "/root/") == "/root")
        #expect(RemotePath.home("a/b").parent == .home("a"))
        #expect(RemotePath.absolute("/a").parent == .absolute("/"))
        #expect(RemotePath.expandArgument("~/f", home: "/h") == "/h/f")
        #expect(RemotePath.expandArgument("a~/f", home: "/h") == "a~/f")
    }

    @Test("file modes read octal digits")
    func modes() {
        #expect(FileMode(octal: "0600")?.rawValue == 0o600)
        #expect(FileMode(octal: "600")?.rawValue == 0o600)
        #expect(FileMode(octal: "0o755")?.description == "0755")
        #expect(FileMode(octal: "0800") == nil)
        #expect(FileMode(octal: "17777") == nil)
        #expect(FileMode(octal: "") == nil)
        #expect(FileMode(rawValue: 0o10000) == nil)
    }

    @Test("step ids print and parse")
    func stepIDs() {
        #expect(StepID.credentials("claude", on: "main").description == "credentials:claude@main")
        #expect(StepID("credentials:claude@main") == .credentials("claude", on: "main"))
        #expect(StepID("machine-info:main") == .machineInfo("main"))
        #expect(StepID("bogus:x") == nil)
        #expect(StepID("credentials:nomachine") == nil)
    }

    @Test("quoted words survive real bash unchanged")
    func quotingWithBash() throws {
        let words = [
            "plain", "", "with space", "it's", "$HOME", "`id`", "a\"b", "back\\slash", "new\nline", "é漢", "*", "~", "-x", "a=b", "!bang", "tab\there",
        ]
        let script = "printf '%s\\0' " + ShellQuoting.join(words)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try withUnblockedSignals { try process.run() }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let parsed = data.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
        #expect(parsed == words)
        #expect(ShellQuoting.quote("simple-word_1.2") == "simple-word_1.2")
        #expect(ShellQuoting.quotePath(.home("a b")) == "\"$HOME\"/'a b'")
    }

    @Test("rendered commands cd loudly, export and exec")
    func renderedScript() {
        let command = CommandSpec(.argv(["echo", "a b"]), cwd: "/tmp/x y", env: [("A", "1 2")])
        #expect(ShellScript.render(command) == "cd -- '/tmp/x y' || exit 97\nexport A='1 2'\nexec echo 'a b'")
    }
}

@Suite("Remote path dots")
struct RemotePathDotTests {
    @Test("`.` and `..` in a ~ path are resolved; climbing above ~ is leavesHome; absolute paths keep theirs")
    func dots() throws {
        #expect(try RemotePath.parse("~/a/../b").get() == .home("b"))
        #expect(try RemotePath.parse("~/./a/./b/.").get() == .home("a/b"))
        #expect(try RemotePath.parse("~/a/..").get() == .home(""))
        #expect(try RemotePath.parse("~/.claude/.credentials.json").get() == .home(".claude/.credentials.json"))
        #expect(try RemotePath.parse("~/..x/y").get() == .home("..x/y"))
        #expect(RemotePath.parse("~/..") == .failure(.leavesHome))
        #expect(RemotePath.parse("~/a/../../b") == .failure(.leavesHome))
        #expect(try RemotePath.parse("/srv/../etc").get() == .absolute("/srv/../etc"))
    }
}
