import ClaudeCodeAdapter
import Executor
import Testing

@Suite("Claude Code agent declaration")
struct ClaudeCodeAgentDescriptorTests {
    @Test("requires a prompt, caps it at 10 MB, and knows the permission modes")
    func descriptor() {
        let descriptor = ClaudeCodeAgent.descriptor
        #expect(descriptor.kind == "claude")
        #expect(descriptor.requiresPrompt)
        #expect(descriptor.maxPromptBytes == 10_000_000)
        guard case .choice(let modes)? = descriptor.sessionOptions.field("permission_mode")?.type else {
            Issue.record("permission_mode is not a choice")
            return
        }
        #expect(modes.contains("bypassPermissions"))
        #expect(!modes.contains("yolo"))
    }
}
