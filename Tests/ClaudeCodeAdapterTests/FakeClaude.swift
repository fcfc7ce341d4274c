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
    let spec = try ClaudeCodeAgent().processSpec(
        for: claudeSession(options, prompt: InterpolatedString(prompt)), context: AgentContext(home: home.path, runDirectory: home.file(".runjob/r1"))
    )
    return try await runFakeAgent(
        "claude", spec: spec, prompt: prompt, home: home, runDirectory: ".runjob/r1", extraEnv: extraEnv, specEnv: !dropSpecEnv)
}

/// The fake's deterministic cost for a prompt of `bytes` bytes: round(0.0001·n, 4).
func fakeCost(_ bytes: Int) -> Double { Double(bytes) / 10_000 }
