import Executor
import PM2Adapter
import Testing

@Suite("PM2 process manager declaration")
struct PM2ProcessManagerDescriptorTests {
    @Test("declares kind pm2; no option may hold a secret")
    func descriptor() {
        #expect(PM2ProcessManager.descriptor.kind == "pm2")
        #expect(PM2ProcessManager.descriptor.options.fields.allSatisfy { $0.secrets == .forbidden })
        #expect(PM2ProcessManager.descriptor.options.field("stop_grace") == nil)
    }
}
