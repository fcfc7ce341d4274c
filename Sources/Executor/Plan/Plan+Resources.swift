extension SessionSpec {
    /// The resource outputs its env and prompt refer to.
    public var outputs: [OutputReference] {
        env.flatMap(\.value.outputs) + (prompt?.outputs ?? [])
    }

    /// The session with every resource output bound to its value; an env variable whose
    /// resource has no value (an optional one that failed) is left out. Throws when the
    /// prompt needs a value that is missing.
    public func bound(to outputs: ResourceOutputs) throws(OrchestrationError) -> SessionSpec {
        guard !self.outputs.isEmpty else { return self }
        var session = self
        session.env = env.compactMap { variable in variable.value.bound(to: outputs).map { EnvVar(variable.name, $0) } }
        if let prompt {
            guard let value = prompt.bound(to: outputs) else {
                let missing = prompt.outputs.first { outputs.value(of: $0) == nil }?.description ?? "?"
                throw OrchestrationError(
                    ErrorCode.Orchestration.resourceMissing, "the prompt of session `\(name)` needs \(missing), which this run does not have",
                    context: [.init("session", name)])
            }
            session.prompt = value
        }
        return session
    }
}

extension CredentialProfileSpec {
    /// The resource outputs its file contents refer to.
    public var outputs: [OutputReference] { files.flatMap(\.content.outputs) }

    /// The profile with every resource output bound; throws when a value is missing
    /// (validation allows only non-optional resources in files, so that is a run that lost one).
    public func bound(to outputs: ResourceOutputs) throws(OrchestrationError) -> CredentialProfileSpec {
        guard !self.outputs.isEmpty else { return self }
        var profile = self
        for index in profile.files.indices {
            guard let content = profile.files[index].content.bound(to: outputs) else {
                let missing = files[index].content.outputs.first { outputs.value(of: $0) == nil }?.description ?? "?"
                throw OrchestrationError(
                    ErrorCode.Orchestration.resourceMissing, "credentials `\(name)` need \(missing), which this run does not have",
                    context: [.init("profile", name)])
            }
            profile.files[index].content = content
        }
        return profile
    }
}

/// Which resource outputs the steps of each machine use: its sessions' env and prompt, and
/// the files of the profiles those sessions install. The one rule for the planner's step
/// dependencies, validation's "unused resource" and the engine's labels.
public enum ResourceUse {
    /// The output references per machine name.
    public static func byMachine(sessions: [SessionSpec], profiles: [CredentialProfileSpec]) -> [String: [OutputReference]] {
        let files = Dictionary(profiles.map { ($0.name, $0.outputs) }, uniquingKeysWith: { first, _ in first })
        var used: [String: [OutputReference]] = [:]
        for session in sessions {
            let references = session.outputs + session.credentials.flatMap { files[$0] ?? [] }
            if !references.isEmpty { used[session.machine, default: []] += references }
        }
        return used
    }
}

extension Plan {
    /// What a credentials record compares: the profile's secrets digest and, when its files use
    /// resource outputs, those resources' ids (a new app re-installs the file).
    public func credentialsDigest(_ profile: CredentialProfileSpec, resourceIDs: [String: String] = [:]) -> String {
        let secrets = self.secrets.scopes["credentials:\(profile.name)"] ?? ""
        let used = Set(profile.outputs.map(\.resource)).sorted()
        guard !used.isEmpty else { return secrets }
        return SHA256Hex.digest(([secrets] + used.map { "\($0)=\(resourceIDs[$0] ?? "-")" }).joined(separator: "\n"))
    }

    /// The names of the resources the steps on `machine` use (its sessions, and the profiles
    /// installed there), in declaration order.
    public func resources(usedOn machine: String) -> [String] {
        guard !resources.isEmpty else { return [] }
        let used = Set(
            (ResourceUse.byMachine(sessions: sessions.filter { $0.machine == machine }, profiles: credentials)[machine] ?? []).map(\.resource))
        return resources.map(\.name).filter(used.contains)
    }

    /// The machines whose steps use resource `name`, in declaration order.
    public func machines(using name: String) -> [String] {
        machines.map(\.name).filter { resources(usedOn: $0).contains(name) }
    }
}
