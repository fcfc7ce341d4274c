import ClaudeCodeAdapter
import CodexAdapter
import CommandAdapter
import Executor
import LocalAdapter
import MorphAdapter
import PM2Adapter
import ShellAdapter

/// Builds the adapters a plan names. With `Adapters`, the only place that knows every adapter.
enum RuntimeFactory {
    /// The runtime for `plan`, or the error explaining why an adapter cannot be used here.
    /// `preview`: see ``provider(for:environment:preview:)``.
    static func runtime(for plan: Plan, environment: [String: String], preview: Bool = false) throws -> Runtime {
        let (provider, secrets) = try provider(for: plan, environment: environment, preview: preview)
        return Runtime(provider: provider, processManager: try processManager(for: plan), agents: agents(), secrets: secrets)
    }

    /// The provider a plan names, and the secrets it holds that are not in the manifest.
    /// A `preview` (a quick read-only look: `plan`, `status`, `logs` without `--follow`)
    /// gives up on an unreachable API after about 10 s instead of retrying for minutes.
    static func provider(for plan: Plan, environment: [String: String], preview: Bool = false) throws -> (any VMProvider, [Secret]) {
        switch plan.provider.kind {
        case LocalProvider.descriptor.kind:
            guard let directory = LocalProvider.defaultStateDirectory(environment: environment) else {
                throw ProviderError(
                    ErrorCode.Provider.misconfigured, "the local provider needs HOME or XDG_STATE_HOME to know where to keep its instances")
            }
            return (LocalProvider(stateDirectory: directory), [])
        case MorphProvider.descriptor.kind:
            var configuration = try MorphConfiguration.from(options: plan.provider.options, environment: environment)
            if preview {
                configuration.retryDeadline = min(configuration.retryDeadline, .seconds(10))
                configuration.requestTimeout = min(configuration.requestTimeout, .seconds(15))
            }
            return (MorphProvider(configuration: configuration), [configuration.apiKey])
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
        case PM2ProcessManager.descriptor.kind:
            return PM2ProcessManager(options: plan.processManager.options)
        default:
            throw ProcessError(
                ErrorCode.Process.unsupported, "the `\(plan.processManager.kind)` process manager cannot run sessions in this build yet")
        }
    }

    static func agents() -> [String: any Agent] {
        [
            CommandAgent.descriptor.kind: CommandAgent(), ClaudeCodeAgent.descriptor.kind: ClaudeCodeAgent(),
            CodexAgent.descriptor.kind: CodexAgent(),
        ]
    }
}
