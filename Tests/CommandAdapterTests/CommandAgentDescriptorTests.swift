import CommandAdapter
import Executor
import Testing

@Suite("Command agent declaration")
struct CommandAgentDescriptorTests {
    @Test("requires argv, not a prompt; argv may not hold secrets")
    func descriptor() {
        let descriptor = CommandAgent.descriptor
        #expect(descriptor.kind == "command")
        #expect(!descriptor.requiresPrompt)
        #expect(descriptor.sessionOptions.field("argv")?.required == true)
        #expect(descriptor.sessionOptions.field("argv")?.secrets == .command)
    }
}
