import Executor
import MorphAdapter
import Testing

@Suite("Morph provider declaration")
struct MorphProviderDescriptorTests {
    @Test("requires a snapshot, lets only the API key be secret")
    func descriptor() {
        let descriptor = MorphProvider.descriptor
        #expect(descriptor.kind == "morph")
        #expect(descriptor.machineOptions.field("snapshot")?.required == true)
        #expect(descriptor.providerOptions.fields.filter { $0.secrets == .allowed }.map(\.name) == ["api_key"])
        #expect(descriptor.providerOptions.field("nonexistent") == nil)
    }
}
