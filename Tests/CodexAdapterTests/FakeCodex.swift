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
    return try await runFakeAgent("codex", spec: spec, prompt: prompt, home: home, runDirectory: ".runjob/r1", extraEnv: extraEnv)
}
