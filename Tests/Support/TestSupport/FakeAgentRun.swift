import Executor

/// What one run of a fake agent CLI (`Tests/Support/fakes/claude`, `codex`) produced.
public struct FakeRun: Sendable {
    public var status: Int32
    public var stdout: [UInt8]
    public var stderr: String
    /// The prompt's size in bytes (the fakes' numbers derive from it).
    public var promptBytes: Int
    /// The prompt's SHA-256, hex.
    public var promptSHA: String
    /// The working directory it ran in.
    public var cwd: String
}

/// Thrown when an agent built something other than an argv program.
public enum FakeAgentError: Error { case notArgv }

/// Runs the fake agent CLI `fake` (a file name in `Tests/Support/fakes`) with the argv the
/// adapter built for `spec` (its program name swapped for the fake), the prompt on stdin,
/// `HOME` set to `home`, a minimal PATH, the spec's env (unless `specEnv` is false) plus
/// `extraEnv`, in the spec's working directory. The spec's input files land in `runDirectory`
/// (relative to `home`).
public func runFakeAgent(
    _ fake: String, spec: ProcessSpec, prompt: String, home: TemporaryDirectory, runDirectory: String,
    extraEnv: [String: String] = [:], specEnv: Bool = true
) async throws -> FakeRun {
    guard case .argv(let argv) = spec.program else { throw FakeAgentError.notArgv }
    for input in spec.inputFiles { try home.write(runDirectory + "/" + input.name, input.content.reveal() ?? "") }
    var environment = ["HOME": home.path, "PATH": "/usr/local/bin:/usr/bin:/bin"]
    if specEnv { for variable in spec.env { environment[variable.name] = variable.value.reveal() } }
    environment.merge(extraEnv) { _, new in new }
    let program = BuiltProducts.repositoryRoot + "/Tests/Support/fakes/" + fake
    let result = try await CommandRunner.runDetached(
        "/usr/bin/env", ["python3", program] + argv.dropFirst(), environment: environment, stdin: Array(prompt.utf8), directory: spec.cwd)
    return FakeRun(
        status: result.status, stdout: result.stdout, stderr: result.err, promptBytes: prompt.utf8.count, promptSHA: SHA256Hex.digest(prompt),
        cwd: spec.cwd)
}

/// The parsed JSON lines of an output (skips what does not parse).
public func jsonLines(_ bytes: [UInt8]) -> [JSONValue] {
    bytes.split(separator: 0x0A).compactMap { try? JSONValue.parse(Array($0)) }
}

/// Whether `text` is a UUID in its canonical 8-4-4-4-12 hex form.
public func isUUID(_ text: String?) -> Bool {
    guard let text else { return false }
    let groups = text.split(separator: "-", omittingEmptySubsequences: false)
    return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
}
