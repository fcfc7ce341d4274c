import Executor
import LocalAdapter
import Testing

@Suite("Local provider declaration")
struct LocalProviderDescriptorTests {
    @Test("declares kind local, takes no options, and keeps every path inside the instance")
    func descriptor() {
        #expect(LocalProvider.descriptor.pathsStayInInstance)
        #expect(LocalProvider.descriptor.kind == "local")
        #expect(LocalProvider.descriptor.providerOptions.fields.isEmpty)
        #expect(LocalProvider.descriptor.machineOptions.field("snapshot") == nil)
    }
}
