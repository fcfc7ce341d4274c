import Foundation
import TestSupport
import Testing

/// Runs the built `runjob` with a clean environment whose HOME is a temporary folder.
func runjob(_ arguments: [String], env: [String: String] = [:], stdin: String? = nil, home: TemporaryDirectory? = nil) async throws
    -> CommandResult
{
    let scratchHome = try home ?? TemporaryDirectory(prefix: "runjob-home")
    defer { if home == nil { scratchHome.remove() } }
    var environment = ["HOME": scratchHome.path, "XDG_STATE_HOME": scratchHome.file("state"), "NO_COLOR": "1"]
    environment.merge(env) { _, new in new }
    return try await CommandRunner.runDetached(
        BuiltProducts.runjob, arguments, environment: environment, stdin: stdin.map { Array($0.utf8) }, directory: BuiltProducts.repositoryRoot)
}

/// The path of a repository file.
func repo(_ relative: String) -> String { BuiltProducts.repositoryRoot + "/" + relative }

/// The example manifests.
func exampleManifests() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: repo("examples/manifests")).filter { $0.hasSuffix(".yaml") }.sorted().map {
        "examples/manifests/" + $0
    }
}
