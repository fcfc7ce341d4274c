@_exported import ClaudeAuthAdapter
@_exported import ClaudeCodeAdapter
@_exported import CodexAdapter
@_exported import CommandAdapter
@_exported import Executor
@_exported import InstantAdapter
@_exported import LocalAdapter
@_exported import Manifest
@_exported import MorphAdapter
@_exported import PM2Adapter
@_exported import Planner
@_exported import SSHAdapter
@_exported import ShellAdapter

/// The one list of every adapter: adding an adapter is its folder under
/// `Sources/Adapters/` plus one line here (and its line in Package.swift's list).
public enum Adapters {
    /// Every adapter's declaration (options, outputs, factory), in help order.
    public static let registry = AdapterRegistry(
        providers: [LocalProvider.descriptor, MorphProvider.descriptor, SSHProvider.descriptor],
        processManagers: [ShellProcessManager.descriptor, PM2ProcessManager.descriptor],
        agents: [ClaudeCodeAgent.descriptor, CodexAgent.descriptor, CommandAgent.descriptor],
        logins: [ClaudeLoginSource.descriptor],
        resources: [InstantResource.descriptor])
}
