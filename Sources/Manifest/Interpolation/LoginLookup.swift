import Executor
import Synchronization

/// The stored logins one manifest read sees: each login is read once, however often
/// and from however many threads it is referenced, so every `${auth:…}` of a manifest
/// comes from the same login.
final class LoginLookup: Sendable {
    /// The login adapters manifests may name.
    let descriptors: [LoginSourceDescriptor]
    private let environment: ManifestEnvironment
    private let states = Mutex<[String: LoginState]>([:])

    init(descriptors: [LoginSourceDescriptor], environment: ManifestEnvironment) {
        self.descriptors = descriptors
        self.environment = environment
    }

    /// The login adapter named `name`.
    func descriptor(_ name: String) -> LoginSourceDescriptor? { descriptors.first { $0.name == name } }

    /// Every token of the logins read so far, usable or not (sorted by login), as secrets:
    /// outputs mask them even where only a document holding them (a credentials file) was used.
    var secrets: [Secret] {
        states.withLock { states in
            states.sorted { $0.key < $1.key }.flatMap { name, state in state.secrets.map { Secret(source: .auth(name), value: $0) } }
        }
    }

    /// The state of the login `descriptor`, read on first use.
    func state(of descriptor: LoginSourceDescriptor) -> LoginState {
        if let known = states.withLock({ $0[descriptor.name] }) { return known }
        let read = environment.readLogin(descriptor)
        return states.withLock { cache in
            if let known = cache[descriptor.name] { return known }
            cache[descriptor.name] = read
            return read
        }
    }
}
