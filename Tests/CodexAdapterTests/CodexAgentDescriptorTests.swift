import CodexAdapter
import Executor
import Testing

@Suite("Codex agent declaration")
struct CodexAgentDescriptorTests {
    @Test("requires a prompt and offers the three sandbox modes")
    func descriptor() {
        let descriptor = CodexAgent.descriptor
        #expect(descriptor.kind == "codex")
        #expect(descriptor.requiresPrompt)
        guard case .choice(let modes)? = descriptor.sessionOptions.field("sandbox")?.type else {
            Issue.record("sandbox is not a choice")
            return
        }
        #expect(modes == ["read-only", "workspace-write", "danger-full-access"])
    }
}
