import CommandAdapter
import Executor
import LocalAdapter
import ShellAdapter

/// Builds the adapters a plan names. With `Adapters`, the only place that knows every adapter.
enum RuntimeFactory {
    /// The runtime for `plan`, or the error explaining why an adapter cannot be used here.
    static func runtime(for plan: Plan, environment: [String: String]) throws -> Runtime {
        Runtime(provider: try provider(for: plan, environment: environment), processManager: try processManager(for: plan), agents: agents())
    }

    static func provider(for plan: Plan, environment: [String: String]) throws -> any VMProvider {
        switch plan.provider.kind {
        case LocalProvider.descriptor.kind:
            guard let directory = LocalProvider.defaultStateDirectory(environment: environment) else {
                throw ProviderError(
                    ErrorCode.Provider.misconfigured, "the local provider needs HOME or XDG_STATE_HOME to know where to keep its instances")
            }
            return LocalProvider(stateDirectory: directory)
        default:
            throw ProviderError(
                ErrorCode.Provider.unsupported, "the `\(plan.provider.kind)` provider is declared but cannot run jobs in this build yet",
                context: [.init("provider", plan.provider.kind)])
        }
    }

    static func processManager(for plan: Plan) throws -> any ProcessManager {
        switch plan.processManager.kind {
        case ShellProcessManager.descriptor.kind:
            return ShellProcessManager(options: plan.processManager.options)
        default:
            throw ProcessError(
                ErrorCode.Process.unsupported, "the `\(plan.processManager.kind)` process manager cannot run sessions in this build yet")
        }
    }

    static func agents() -> [String: any Agent] {
        [CommandAgent.descriptor.kind: CommandAgent()]
    }
}
