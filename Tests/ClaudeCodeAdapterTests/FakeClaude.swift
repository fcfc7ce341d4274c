import ClaudeCodeAdapter
import Executor
import Foundation
import TestSupport

/// A `claude` agent session with the given options.
func claudeSession(
    _ options: [OptionEntry] = [], name: String = "review", prompt: InterpolatedString? = "Review the code.", env: [EnvVar] = [],
    cwd: RemotePath = .home("app")
) -> SessionSpec {
    SessionSpec(
        name: name, machine: "main", program: .agent(kind: "claude", options: AdapterOptions(options)), prompt: prompt, cwd: cwd, env: env)
}

/// A real-shaped OAuth credentials file (`~/.claude/.credentials.json`, claude-oauth.md), far from expiry.
let fakeCredentialsJSON = """
    {"claudeAiOauth":{"accessToken":"sk-ant-oat01-test-access-0123456789","refreshToken":"sk-ant-ort01-test-refresh-0123456789",\
    "expiresAt":4102444800000,"scopes":["user:inference","user:profile"],"subscriptionType":"max"}}
    """

/// What one run of the fake produced.
struct FakeRun {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
    /// The prompt's size in bytes (the fake's numbers derive from it).
    var promptBytes: Int
    /// The prompt's SHA-256, hex.
    var promptSHA: String
    /// The working directory it ran in.
    var cwd: String
}

/// Runs the fake `claude` with exactly the argv ``ClaudeCodeAgent`` builds for the session
/// (program name swapped for the fake), the prompt on stdin, in a temporary HOME that holds a
/// credentials file, with the spec's env plus `extraEnv`. Never touches the real HOME.
func runFakeClaude(
    prompt: String, options: [OptionEntry] = [], extraEnv: [String: String] = [:], credentials: Bool = true, dropSpecEnv: Bool = false
) async throws -> FakeRun {
    let home = try TemporaryDirectory(prefix: "runjob-fake-claude")
    defer { home.remove() }
    if credentials { try home.write(".claude/.credentials.json", fakeCredentialsJSON) }
    try FileManager.default.createDirectory(atPath: home.file("app"), withIntermediateDirectories: true)
    try home.write("app/README.md", "fixture\n")
    let runDirectory = home.file(".runjob/r1")
    let spec = try ClaudeCodeAgent().processSpec(
        for: claudeSession(options, prompt: InterpolatedString(prompt)), context: AgentContext(home: home.path, runDirectory: runDirectory))
    guard case .argv(let argv) = spec.program else { throw FakeError.notArgv }
    for input in spec.inputFiles { try home.write(".runjob/r1/" + input.name, input.content.reveal() ?? "") }
    var environment = ["HOME": home.path, "PATH": "/usr/local/bin:/usr/bin:/bin"]
    if !dropSpecEnv { for variable in spec.env { environment[variable.name] = variable.value.reveal() } }
    environment.merge(extraEnv) { _, new in new }
    let fake = BuiltProducts.repositoryRoot + "/Tests/Support/fakes/claude"
    let result = try await CommandRunner.runDetached(
        "/usr/bin/env", ["python3", fake] + argv.dropFirst(), environment: environment, stdin: Array(prompt.utf8), directory: spec.cwd)
    return FakeRun(
        status: result.status, stdout: result.stdout, stderr: result.err, promptBytes: prompt.utf8.count, promptSHA: SHA256Hex.digest(prompt),
        cwd: spec.cwd)
}

enum FakeError: Error { case notArgv }

/// The fake's deterministic cost for a prompt of `bytes` bytes: round(0.0001·n, 4).
func fakeCost(_ bytes: Int) -> Double { Double(bytes) / 10_000 }

/// The parsed JSON lines of an output (test helper; skips what does not parse).
func jsonLines(_ bytes: [UInt8]) -> [JSONValue] {
    bytes.split(separator: 0x0A).compactMap { try? JSONValue.parse(Array($0)) }
}

/// Whether `text` is a UUID in its canonical 8-4-4-4-12 hex form.
func isUUID(_ text: String?) -> Bool {
    guard let text else { return false }
    let groups = text.split(separator: "-", omittingEmptySubsequences: false)
    return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
}
