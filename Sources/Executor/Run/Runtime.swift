/// The adapters a run uses: one provider, one process manager, the agents by kind,
/// and the credentials installer.
public struct Runtime: Sendable {
    /// Boots and reaches instances.
    public var provider: any VMProvider
    /// Keeps sessions running.
    public var processManager: any ProcessManager
    /// Agents by `agent:` kind.
    public var agents: [String: any Agent]
    /// Installs credential profiles.
    public var credentials: any CredentialsInstaller
    /// Secrets the adapters hold besides the manifest's (an API key read from the
    /// environment): every output of a run redacts them too.
    public var secrets: [Secret]
    /// Excludes concurrent changes to one deployment (apply and destroy take its lease).
    public var locking: any DeploymentLocking
    /// The adapter of each resource of the plan, by resource name.
    public var resources: [String: any ResourceProvider]

    /// Creates a runtime; leases default to lock files in the user's state folder.
    public init(
        provider: any VMProvider, processManager: any ProcessManager, agents: [String: any Agent],
        credentials: any CredentialsInstaller = DefaultCredentialsInstaller(), secrets: [Secret] = [],
        locking: any DeploymentLocking = FileDeploymentLocking.standard(), resources: [String: any ResourceProvider] = [:]
    ) {
        self.resources = resources
        self.provider = provider
        self.processManager = processManager
        self.agents = agents
        self.credentials = credentials
        self.secrets = secrets
        self.locking = locking
    }

    /// The lease key of `plan`'s deployment in `workspace` on this runtime's provider.
    public func leaseKey(for plan: Plan, workspace: String) -> LeaseKey {
        LeaseKey(scope: provider.leaseScope, name: plan.name, workspace: workspace)
    }
}

/// How a run behaves.
public struct RunOptions: Sendable {
    /// The workspace (`--workspace`): two CI jobs use two workspaces.
    public var workspace: String
    /// Steps running at the same time at most (`--parallelism`).
    public var parallelism: Int
    /// Keep instances this run booted when it fails or is interrupted (`--keep`).
    public var keep: Bool
    /// Follow every session to its end and report results (`--wait`).
    public var waitForSessions: Bool
    /// Replace instances booted for another config (`--replace`).
    public var replace: Bool
    /// How often to poll a session while waiting for it.
    public var pollInterval: Duration
    /// This run's id.
    public var runID: String
    /// The exact command that destroys this deployment (shown after an interrupt).
    public var destroyCommand: String
    /// Sessions to run again even when they finished successfully (`--rerun`).
    public var rerun: Set<String>
    /// How long to wait for the deployment's lease while another run changes it (`--lock-timeout`).
    public var lockTimeout: Duration

    /// Options with defaults: workspace `default`, parallelism 4, poll every second,
    /// wait up to a minute for the deployment's lease.
    public init(
        workspace: String = "default", parallelism: Int = 4, keep: Bool = false, waitForSessions: Bool = false, replace: Bool = false,
        pollInterval: Duration = .seconds(1), runID: String = RunClock.newRunID(), destroyCommand: String = "runjob destroy",
        rerun: Set<String> = [], lockTimeout: Duration = .seconds(60)
    ) {
        self.rerun = rerun
        self.lockTimeout = lockTimeout
        self.workspace = workspace
        self.parallelism = max(1, parallelism)
        self.keep = keep
        self.waitForSessions = waitForSessions
        self.replace = replace
        self.pollInterval = pollInterval
        self.runID = runID
        self.destroyCommand = destroyCommand
    }
}

/// How a run ended, for the caller's exit code.
public struct RunOutcome: Sendable {
    /// ok, failed or interrupted.
    public var status: RunFinished.Status
    /// Per-machine instance ids in use at the end (reused or booted and kept).
    public var instances: [String: String]
    /// Instances this run booted that still exist after cleanup.
    public var leftovers: [RunInterrupted.Leftover]
    /// When apply refused a changed config: what differs.
    public var configDifferences: [String]
    /// The first error, for the final message.
    public var firstError: (code: ErrorCode, message: String)?

    /// The process exit code: 0 ok, 1 failed, 130 interrupted.
    public var exitCode: Int32 {
        switch status {
        case .ok: 0
        case .failed: 1
        case .interrupted: 130
        }
    }
}
