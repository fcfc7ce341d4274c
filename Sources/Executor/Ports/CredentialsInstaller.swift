/// Where credentials are installed: an instance, reached through its provider.
public struct InstanceTarget: Sendable {
    /// The provider.
    public var provider: any VMProvider
    /// The instance id.
    public var instance: String
    /// The instance's home directory.
    public var home: String

    /// Creates a target.
    public init(provider: any VMProvider, instance: String, home: String) {
        self.provider = provider
        self.instance = instance
        self.home = home
    }
}

/// Installs a credential profile on an instance: directories with modes, files
/// written atomically and verified, then the profile's check.
public protocol CredentialsInstaller: Sendable {
    /// Installs `profile`; `extraFiles` ride along in the same round trip (runjob's state
    /// record) and land only once the profile's check passed.
    func install(_ profile: CredentialProfileSpec, on target: InstanceTarget, extraFiles: [FileWrite]) async throws
}

/// The default installer: one ``FileBatch`` (so one provider round trip) per profile.
public struct DefaultCredentialsInstaller: CredentialsInstaller {
    /// An installer.
    public init() {}

    /// Installs `profile` in one ``VMProvider/writeFiles(_:_:)`` call.
    public func install(_ profile: CredentialProfileSpec, on target: InstanceTarget, extraFiles: [FileWrite] = []) async throws {
        var files: [FileWrite] = []
        for file in profile.files {
            guard let content = file.content.reveal() else {
                throw CredentialsError(
                    ErrorCode.Credentials.unresolvedSecret,
                    "the content of \(file.path) comes from \(file.content.unresolvedSources.map(\.description).joined(separator: ", ")), which is not available here",
                    context: [.init("profile", profile.name), .init("instance", target.instance)])
            }
            files.append(FileWrite(path: file.path.resolved(home: target.home), mode: file.mode, content: Array(content.utf8)))
        }
        let verify = profile.verify.map { CommandSpec.from($0, home: target.home, label: "verify:\(profile.name)") }
        let batch = FileBatch(
            label: "credentials:\(profile.name)",
            directories: profile.directories.map { ($0.path.resolved(home: target.home), $0.mode) },
            files: files, verify: verify, records: extraFiles)
        do {
            try await target.provider.writeFiles(target.instance, batch)
        } catch let error as ProviderError {
            let code: ErrorCode =
                switch error.code {
                case ErrorCode.Provider.verifyFailed: ErrorCode.Credentials.verifyFailed
                case ErrorCode.Provider.fileChecksumMismatch: ErrorCode.Credentials.contentMismatch
                default: ErrorCode.Credentials.writeFailed
                }
            throw CredentialsError(code, error.message, context: [.init("profile", profile.name)] + error.context)
        }
    }
}

extension CommandSpec {
    /// A runnable command from a manifest command: `~/` in arguments becomes the instance home.
    public static func from(_ template: CommandTemplate, home: String, cwd: String? = nil, label: String? = nil) -> CommandSpec {
        switch template {
        case .argv(let arguments):
            return CommandSpec(.argv(arguments.map { RemotePath.expandArgument($0, home: home) }), cwd: cwd, label: label)
        case .shell(let script):
            return CommandSpec(.shell(script), cwd: cwd, label: label)
        }
    }
}
