import Executor

extension LocalProvider {
    /// `provider: local` — instances are folders on this machine; needs no account; every
    /// path in a manifest must be under `~` (inside the instance).
    public static let descriptor = ProviderDescriptor(
        kind: "local",
        summary: "Instances are folders under the user's state directory on this machine (isolates files, not security); needs no account",
        providerOptions: OptionSchema([]),
        machineOptions: OptionSchema([]),
        pathsStayInInstance: true,
        make: { context in
            guard let directory = defaultStateDirectory(environment: context.environment) else {
                throw ProviderError(
                    ErrorCode.Provider.misconfigured, "the local provider needs HOME or XDG_STATE_HOME to know where to keep its instances")
            }
            return MadeProvider(provider: LocalProvider(stateDirectory: directory))
        })
}
