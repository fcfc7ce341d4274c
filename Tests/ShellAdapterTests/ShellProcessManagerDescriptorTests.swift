import Executor
import ShellAdapter
import Testing

@Suite("Shell process manager declaration")
struct ShellProcessManagerDescriptorTests {
    @Test("declares kind shell with a stop grace option")
    func descriptor() {
        #expect(ShellProcessManager.descriptor.kind == "shell")
        #expect(ShellProcessManager.descriptor.options.field("stop_grace") != nil)
        #expect(ShellProcessManager.descriptor.options.field("binary") == nil)
    }
}
