import Executor

/// The checks on `${auth:…}` that span blocks: the `auth:` settings, a value that hands
/// a login over reaching one machine at most, and a login that is not available here
/// (a warning, or an error with `--strict`).
struct LoginChecks {
    let reader: SchemaReader
    let registry: AdapterRegistry
    let root: YAMLNode
    let schema: ManifestSchema

    /// The logins the manifest uses, after reporting every problem with them.
    func run(profiles: [CredentialProfileSpec], sessions: [SessionSpec]) -> [LoginUse] {
        let settings = readSettings()
        var uses: [LoginUse] = []
        for login in registry.logins {
            let located = reader.loginReferences.filter { Self.login(of: $0.reference.source) == login.name }
            guard !located.isEmpty else { continue }
            // Each value once: a login may have one value and lack another (no refresh token for a handover).
            var reported = Set<SecretSource>()
            for reference in located where reference.reference.isMissing && reported.insert(reference.reference.source).inserted {
                reportUnavailable(login, at: reference)
            }
            let available = reported.isEmpty
            let handover = checkHandover(login, located: located, profiles: profiles, sessions: sessions)
            uses.append(
                LoginUse(
                    name: login.name, minValidityMilliseconds: settings[login.name] ?? login.defaultMinValidityMilliseconds,
                    handoverMachine: handover, isAvailable: available))
        }
        return uses
    }

    /// The login a source of kind `auth` belongs to (`claude` for `claude.handover`).
    static func login(of source: SecretSource) -> String {
        String(source.name.prefix { $0 != "." })
    }

    /// `auth: {NAME: {min_validity: …}}` by login name.
    private func readSettings() -> [String: Int] {
        guard let node = root["auth"] else { return [:] }
        let path = YAMLPath.root.appending("auth")
        guard case .object(let options)? = reader.read(node, as: .object(schema.logins), secrets: .forbidden, path: path) else { return [:] }
        var settings: [String: Int] = [:]
        for login in registry.logins {
            if let value = options.object(login.name)?.durationMilliseconds("min_validity") { settings[login.name] = value }
        }
        return settings
    }

    private func reportUnavailable(_ login: LoginSourceDescriptor, at located: SchemaReader.LocatedReference) {
        let detail = located.reference.missingDetail ?? "run `\(login.loginCommand)`"
        let message = "`${\(located.reference.source)}`: the \(login.name) login is not available here, and `apply` needs it: \(detail)"
        let diagnostic = ManifestDiagnostic(
            reader.strict ? .error : .warning, ErrorCode.Auth.notLoggedIn, message + (reader.strict ? " (--strict)" : ""),
            at: located.location, path: located.path)
        reader.append(diagnostic)
    }

    /// The machine a handover value reaches; an error at the reference when it reaches more than one.
    private func checkHandover(
        _ login: LoginSourceDescriptor, located: [SchemaReader.LocatedReference], profiles: [CredentialProfileSpec], sessions: [SessionSpec]
    ) -> String? {
        let handoverSources = Set(login.values.filter(\.handsOver).map { login.source($0.name) })
        let handovers = located.filter { handoverSources.contains($0.reference.source) }
        guard let first = handovers.first else { return nil }
        // Only where it lands on a machine runjob tracks: a credential profile or a session.
        // Anywhere else (the provider's options) it would leave this machine without a handover.
        for reference in handovers where !(reference.path.hasPrefix("credentials.") || reference.path.hasPrefix("sessions.")) {
            reader.append(
                ManifestDiagnostic(
                    .error, ErrorCode.Manifest.handoverMisplaced,
                    "`${\(reference.reference.source)}` carries the refresh token and may only go to one machine, in a credential profile or a session; not here",
                    at: reference.location, path: reference.path))
            return nil
        }
        func handsOver(_ secrets: [Secret]) -> Bool { secrets.contains { handoverSources.contains($0.source) } }
        let carryingProfiles = Set(profiles.filter { handsOver($0.secrets) }.map(\.name))
        var machines: [String] = []
        for session in sessions where handsOver(session.secrets) || session.credentials.contains(where: carryingProfiles.contains) {
            if !machines.contains(session.machine) { machines.append(session.machine) }
        }
        if machines.isEmpty {
            reader.append(
                ManifestDiagnostic(
                    .error, ErrorCode.Manifest.handoverMisplaced,
                    "`${\(first.reference.source)}` carries the refresh token, but no session takes it to a machine; use it in a profile a session uses, or remove it",
                    at: first.location, path: first.path))
            return nil
        }
        guard machines.count > 1 else { return machines.first }
        reader.append(
            ManifestDiagnostic(
                .error, ErrorCode.Manifest.handoverOnManyMachines,
                "`${\(first.reference.source)}` carries the refresh token, which only one machine may hold (a refresh on one rotates it away from "
                    + "the others), but it reaches \(machines.count) machines (\(machines.joined(separator: ", "))); use `${auth:\(login.name)}` "
                    + "(no refresh token) for the others",
                at: first.location, path: first.path))
        return nil
    }
}
