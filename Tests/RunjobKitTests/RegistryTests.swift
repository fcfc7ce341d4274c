import RunjobKit
import TestSupport
import Testing

@Suite("The adapter registry: one list, factories instead of switches")
struct RegistryTests {
    func plan(_ text: String, env: [String: String] = [:]) throws -> Plan {
        Planner().plan(try ManifestLoader(registry: Adapters.registry, environment: .variablesOnly(env)).load(text: text, file: "job.yaml"))
    }

    @Test("every kind is listed once, and every adapter folder is in the list")
    func unique() throws {
        let kinds = Adapters.registry.providers.map(\.kind) + Adapters.registry.processManagers.map(\.kind) + Adapters.registry.agents.map(\.kind)
        #expect(Set(kinds).count == kinds.count, "\(kinds)")
        #expect(Adapters.registry.providers.map(\.kind) == ["local", "morph", "ssh"])
        #expect(Adapters.registry.processManagers.map(\.kind) == ["shell", "pm2"])
        #expect(Adapters.registry.agents.map(\.kind) == ["claude", "codex", "command"])
    }

    @Test("a local plan gets its provider, process manager and every agent from the factories")
    func localRuntime() throws {
        let folder = try TemporaryDirectory(prefix: "runjob-kit")
        defer { folder.remove() }
        let plan = try plan("version: 1\nname: kit\nprovider: local\nprocess_manager: pm2\nmachine: {}\nsessions:\n  s: { run: \"true\" }\n")
        let runtime = try Adapters.registry.runtime(for: plan, environment: ["XDG_STATE_HOME": folder.path])
        #expect(runtime.provider.kind == "local")
        #expect(runtime.processManager is PM2ProcessManager)
        #expect(Set(runtime.agents.keys) == ["claude", "codex", "command"])
        #expect(runtime.secrets.isEmpty)
    }

    @Test("Morph's factory reads its key and endpoint from the environment; the key becomes a runtime secret")
    func morphRuntime() throws {
        let plan = try plan(
            "version: 1\nname: kit\nprovider: { kind: morph, api_key: \"${env:K}\" }\nmachine: { snapshot: snapshot_kit00001 }\nsessions:\n  s: { run: \"true\" }\n",
            env: ["K": "morph-kit-key-0123456789"])
        let runtime = try Adapters.registry.runtime(for: plan, environment: ["MORPH_BASE_URL": "http://127.0.0.1:9/api"])
        #expect(runtime.provider.kind == "morph")
        #expect(runtime.secrets.map(\.source) == [.env("K")])
    }

    @Test("a factory's refusal comes back as its layer's error; a kind the registry lacks is unsupported")
    func failures() throws {
        let local = try plan("version: 1\nname: kit\nprovider: local\nmachine: {}\nsessions:\n  s: { run: \"true\" }\n")
        let misconfigured = #expect(throws: ProviderError.self) { try Adapters.registry.runtime(for: local, environment: [:]) }
        #expect(misconfigured?.code == ErrorCode.Provider.misconfigured)
        let narrow = AdapterRegistry(providers: [MorphProvider.descriptor], processManagers: Adapters.registry.processManagers, agents: [])
        let unsupported = #expect(throws: ProviderError.self) { try narrow.runtime(for: local, environment: ["HOME": "/tmp"]) }
        #expect(unsupported?.code == ErrorCode.Provider.unsupported)
    }
}
