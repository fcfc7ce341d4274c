import Executor
import LocalAdapter
import Testing

@Suite("Local provider declaration")
struct LocalProviderDescriptorTests {
    @Test("declares kind local and takes no options")
    func descriptor() {
        #expect(LocalProvider.descriptor.kind == "local")
        #expect(LocalProvider.descriptor.providerOptions.fields.isEmpty)
        #expect(LocalProvider.descriptor.machineOptions.field("snapshot") == nil)
    }
}
