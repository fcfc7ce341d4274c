import ClaudeCodeAdapter
import CodexAdapter
import CommandAdapter
import Executor
import LocalAdapter
import MorphAdapter
import PM2Adapter
import ShellAdapter

/// The one place that knows every adapter.
enum Adapters {
    /// Every adapter's declaration, in help order.
    static let registry = AdapterRegistry(
        providers: [LocalProvider.descriptor, MorphProvider.descriptor],
        processManagers: [ShellProcessManager.descriptor, PM2ProcessManager.descriptor],
        agents: [ClaudeCodeAgent.descriptor, CodexAgent.descriptor, CommandAgent.descriptor])
}
