import CommandAdapter
import Executor
import Testing

@Suite("Command agent")
struct CommandAgentTests {
    @Test("argv with ~ expanded, the prompt as the stdin input file, cwd resolved")
    func spec() throws {
        let session = SessionSpec(
            name: "my_tool", machine: "m",
            program: .agent(
                kind: "command", options: AdapterOptions([OptionEntry("argv", .list([.text("aider"), .text("--file"), .text("~/notes")]))])),
            prompt: "Do it.", cwd: .home("app"))
        let spec = try CommandAgent().processSpec(for: session, context: AgentContext(home: "/home/u", runDirectory: "/home/u/.runjob/r"))
        #expect(spec.name == "my-tool")
        #expect(spec.program == .argv(["aider", "--file", "/home/u/notes"]))
        #expect(spec.cwd == "/home/u/app")
        #expect(spec.stdin == .file("my-tool.prompt"))
        #expect(spec.inputFiles == [.init(name: "my-tool.prompt", content: "Do it.")])
    }

    @Test("without argv there is no command")
    func missingArgv() {
        let session = SessionSpec(name: "x", machine: "m", program: .agent(kind: "command", options: AdapterOptions()))
        #expect(throws: AgentError.self) { try CommandAgent().processSpec(for: session, context: AgentContext(home: "/h", runDirectory: "/h/r")) }
    }
}
