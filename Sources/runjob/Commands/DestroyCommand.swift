import ArgumentParser
import Foundation
import RunjobKit

/// `runjob destroy FILE`
struct DestroyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy",
        abstract: "Remove the manifest's instances in the workspace, what runs on them, and their resources.",
        discussion: """
            Finds the instances by their labels (also machines no longer in the manifest).
            Resources (`resources:`, e.g. Instant apps) are deleted first, with what the
            instances' records hold; `keep: true` keeps one. When a resource cannot be
            deleted, the instances stay (they hold its record) and destroy exits 1.
            Asks for confirmation on a terminal; elsewhere --yes is required.

            Examples:
              runjob destroy job.yaml
              runjob destroy --workspace ci-42 --yes job.yaml
            """)

    @Argument(help: "The manifest (`-` reads stdin).")
    var file: String

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var log: LogOptions

    @Flag(name: [.short, .long], help: "Do not ask for confirmation.")
    var yes = false

    @Option(help: "How long to wait while another run changes the same deployment (seconds).")
    var lockTimeout: Double = 60

    func validate() throws {
        if lockTimeout < 0 { throw ValidationError("--lock-timeout must not be negative") }
    }

    func run() throws {
        let plan = try CommandSupport.loadPlan(file)
        let redactor = Redactor(secrets: plan.allSecrets)
        let runtime = try CommandSupport.runtime(for: plan, redactor: redactor, log: log)
        defer { AsyncBridge.run { await runtime.provider.release() } }
        let workspace = workspace.workspace
        let timeout = Duration.milliseconds(Int(lockTimeout * 1000))
        // The same lease as apply: a destroy never runs while an apply is booting into the workspace.
        let leased = AsyncBridge.run { () -> Result<DeploymentLease, any Error> in
            do {
                let holder = LeaseHolder.current(run: RunClock.newRunID(), command: "destroy")
                return .success(
                    try await runtime.locking.acquire(runtime.leaseKey(for: plan, workspace: workspace), holder: holder, timeout: timeout) { other in
                        Console.err("waiting up to \(timeout) for \(other?.description ?? "another run") to finish changing \(plan.name)\n")
                    })
            } catch { return .failure(error) }
        }
        let lease = try CommandSupport.unwrap(leased, redactor: redactor)
        defer { lease.release() }
        let listing = AsyncBridge.run { () -> Result<[Instance], any Error> in
            do {
                return .success(try await Teardown.instances(name: plan.name, workspace: workspace, provider: runtime.provider))
            } catch { return .failure(error) }
        }
        let instances = try CommandSupport.unwrap(listing, redactor: redactor)
        guard !instances.isEmpty else {
            Console.err("\(plan.name) (workspace \(workspace)): nothing to destroy\n")
            return
        }
        let resources = AsyncBridge.run { await Teardown.resources(of: instances, provider: runtime.provider, adapters: runtime.resources, makeReady: true) }
        for resource in resources {
            for secret in resource.values?.secrets(resource: resource.name) ?? [] { redactor.add(secret) }
        }
        var names = instances.map { "\($0.id) (\($0.labels[InstanceLabel.machine] ?? "?"))" }.joined(separator: ", ")
        if !resources.isEmpty { names += " and resource " + resources.map { "\($0.name) (\($0.id))" }.joined(separator: ", ") }
        if !yes {
            guard Console.isTerminal(fileDescriptor: 0) else {
                Console.err(
                    "error[\(ErrorCode.CLI.confirmationRequired)]: destroy needs --yes when stdin is not a terminal (it would remove \(names))\n")
                throw ExitCode(ExitCodes.usage)
            }
            Console.err(
                "Destroy \(instances.count) instance\(instances.count == 1 ? "" : "s") of \(plan.name) (workspace \(workspace)): \(names)? [y/N] "
            )
            let answer = readLine()?.trimmingASCIIWhitespace().lowercased()
            guard answer == "y" || answer == "yes" else {
                Console.err("nothing destroyed\n")
                return
            }
        }
        if !resources.isEmpty {
            let deleted = AsyncBridge.run { await Teardown.deleteResources(resources, plan: plan, adapters: runtime.resources) }
            var failed = false
            for result in deleted {
                let what = "resource \(result.resource.name) (\(result.resource.id))"
                if result.outcome == "left", let error = result.error {
                    Console.err("warning: left \(what): \(redactor.redact((error as? any RunjobError)?.message ?? "\(error)"))\n")
                } else if let error = result.error {
                    failed = true
                    Console.err("could not delete \(what):\n")
                    CommandSupport.report(error, redactor: redactor)
                } else {
                    switch result.outcome {
                    case "kept": Console.err("kept \(what) (keep: true)\n")
                    case "gone": Console.err("\(what) was already gone\n")
                    default: Console.err("deleted \(what)\n")
                    }
                }
            }
            if failed {
                Console.err("the instances stay: they hold the records needed to delete those resources; run destroy again once the service answers\n")
                throw ExitCode(ExitCodes.failure)
            }
        }
        let results = AsyncBridge.run { await Teardown.destroy(instances, provider: runtime.provider) }
        for result in results {
            let instance = result.instance
            if let error = result.error {
                Console.err("could not destroy \(instance.id):\n")
                CommandSupport.report(error, redactor: redactor)
            } else {
                Console.err("destroyed \(instance.id) (\(instance.labels[InstanceLabel.machine] ?? "?"))\n")
            }
        }
        if results.contains(where: { $0.error != nil }) { throw ExitCode(ExitCodes.failure) }
    }
}
