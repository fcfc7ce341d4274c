import CodexAdapter
import Executor
import Foundation
import TestSupport

/// A `codex` agent session with the given options.
func codexSession(
    _ options: [OptionEntry] = [], name: String = "build", prompt: InterpolatedString? = "Build it.", env: [EnvVar] = [],
    cwd: RemotePath = .home("app")
) -> SessionSpec {
    SessionSpec(
        name: name, machine: "main", program: .agent(kind: "codex", options: AdapterOptions(options)), prompt: prompt, cwd: cwd, env: env)
}

/// A real-shaped ChatGPT login (`~/.codex/auth.json`, agent-clis.md §2.4).
let fakeAuthJSON = """
    {"auth_mode":"chatgpt","OPENAI_API_KEY":null,"tokens":{"id_token":"eyJ.test.id","access_token":"eyJ.test.access-0123456789",\
    "refresh_token":"rt-test-0123456789","account_id":"7c0e6a52-3f7e-4d0b-9d55-0f2b8e3a1c11"},"last_refresh":"2026-08-20T10:15:03.120Z"}
    """

/// What one run of the fake produced.
struct FakeRun {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
    /// The prompt's size in bytes (input tokens = ceil(n/4)).
    var promptBytes: Int
    /// The prompt's SHA-256, hex.
    var promptSHA: String
    /// The working directory it ran in.
    var cwd: String
}

/// Runs the fake `codex` with exactly the argv ``CodexAgent`` builds for the session (program
/// name swapped for the fake), the prompt on stdin, in a temporary HOME with an `auth.json`.
/// The working directory is not a git repository. Never touches the real HOME.
func runFakeCodex(prompt: String, options: [OptionEntry] = [], extraEnv: [String: String] = [:], auth: Bool = true) async throws -> FakeRun {
    let home = try TemporaryDirectory(prefix: "runjob-fake-codex")
    defer { home.remove() }
    if auth { try home.write(".codex/auth.json", fakeAuthJSON) }
    try home.write("app/README.md", "fixture\n")
    let spec = try CodexAgent().processSpec(
        for: codexSession(options, prompt: InterpolatedString(prompt)), context: AgentContext(home: home.path, runDirectory: home.file(".runjob/r1")))
    guard case .argv(let argv) = spec.program else { throw FakeError.notArgv }
    var environment = ["HOME": home.path, "PATH": "/usr/local/bin:/usr/bin:/bin"]
    for variable in spec.env { environment[variable.name] = variable.value.reveal() }
    environment.merge(extraEnv) { _, new in new }
    let fake = BuiltProducts.repositoryRoot + "/Tests/Support/fakes/codex"
    let result = try await CommandRunner.runDetached(
        "/usr/bin/env", ["python3", fake] + argv.dropFirst(), environment: environment, stdin: Array(prompt.utf8), directory: spec.cwd)
    return FakeRun(
        status: result.status, stdout: result.stdout, stderr: result.err, promptBytes: prompt.utf8.count, promptSHA: SHA256Hex.digest(prompt),
        cwd: spec.cwd)
}

enum FakeError: Error { case notArgv }

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
