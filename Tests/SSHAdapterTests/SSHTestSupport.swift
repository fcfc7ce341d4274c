import Executor
import Foundation
import TestSupport

@testable import SSHAdapter

/// The labels of the deployment `demo` in workspace `ci`.
let demo = ["runjob.name": "demo", "runjob.workspace": "ci"]

/// A provider for `servers` (machine `box1` on the first, `box2` on the second, …) with a
/// client configuration of their own; releases it and stops the servers afterwards.
struct SSHRig {
    let servers: [SSHServer]
    let provider: SSHProvider
    let configFile: String

    /// Machine `boxN` (its endpoint is server N's alias).
    static func machine(_ index: Int) -> MachineSpec { MachineSpec(name: "box\(index)") }
}

/// Starts `count` sshd servers and a provider for them; `home` is every machine's mode.
func withSSH(
    servers count: Int = 1, home: SSHHomeMode = .instance, retryDeadline: Duration = .seconds(5), tweak: (inout SSHConfiguration) -> Void = { _ in },
    _ body: (SSHRig) async throws -> Void
) async throws {
    let servers = try (1...count).map { try SSHServer(alias: "box\($0)") }
    defer { for server in servers { server.stop() } }
    let configFile = servers[0].directory.file("ssh_config")
    try Data(SSHServer.clientConfig(servers).utf8).write(to: URL(fileURLWithPath: configFile))
    var configuration = SSHConfiguration()
    configuration.configFile = configFile
    configuration.retryDeadline = retryDeadline
    configuration.environment = ["PATH": "/usr/bin:/bin", "HOME": servers[0].directory.path]
    configuration.program = "/usr/bin/ssh"
    for (index, server) in servers.enumerated() {
        configuration.machines["box\(index + 1)"] = (SSHEndpoint(host: server.alias, options: []), home)
    }
    tweak(&configuration)
    let provider = SSHProvider(configuration: configuration)
    let rig = SSHRig(servers: servers, provider: provider, configFile: configFile)
    do {
        try await body(rig)
    } catch {
        await cleanUp(rig)
        throw error
    }
    await cleanUp(rig)
}

private func cleanUp(_ rig: SSHRig) async {
    for instance in (try? await rig.provider.list(labels: [:])) ?? [] { try? await rig.provider.destroy(instance.id) }
    await rig.provider.release()
}

