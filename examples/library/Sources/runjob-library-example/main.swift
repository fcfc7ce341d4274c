// Boots a local machine with a credential profile, starts an ad-hoc command session that
// reads its prompt on stdin, waits for it, prints its redacted logs and destroys the
// machine: the seed's orchestrator actions, from Swift, without a manifest.
//
//   swift run --package-path examples/library
import Foundation
import RunjobKit

// Where the local provider keeps its instances: a fresh folder (removed at the end) unless you name one.
let named = ProcessInfo.processInfo.environment["RUNJOB_EXAMPLE_STATE"]
let state = named ?? FileManager.default.temporaryDirectory.appendingPathComponent("runjob-library-example-\(getpid())").path
defer { if named == nil { try? FileManager.default.removeItem(atPath: state) } }
var environment = ProcessInfo.processInfo.environment
environment["XDG_STATE_HOME"] = state

let host = OnDemandOrchestrator(name: "library-example", provider: ProviderSpec(kind: "local"), environment: environment)

// A credential profile: a token file, written 0600 (the token would come from your vault).
let token = Secret(source: .runtime("example token"), value: "example-token-\(UUID().uuidString)")
let profile = CredentialProfileSpec(
    name: "api", directories: [.init(path: .home(".api"), mode: .ownerOnlyDirectory)],
    files: [.init(path: .home(".api/token"), content: InterpolatedString(secret: token))])
let machine = MachineSpec(name: "main", info: .object(["purpose": .string("library example")]))

// An ad-hoc session: any CLI as argv, the prompt on its stdin.
let argv = ["bash", "-c", "echo \"prompt: $(cat)\"; echo \"token: $(cat ~/.api/token)\""]
let session = SessionSpec(
    name: "hello", machine: "main",
    program: .agent(kind: "command", options: AdapterOptions([OptionEntry("argv", .list(argv.map { .text(InterpolatedString($0)) }))])),
    prompt: "Say hello from the library example.", credentials: ["api"])

do {
    let prepared = try await host.bootAndPrepare(machine, profiles: [profile])
    print("booted \(prepared.instance)")
    let started = try await host.startSession(session, on: machine, profiles: [profile])
    print("started \(session.name) (pid \(started.pid.map(String.init) ?? "?"))")
    var finished: ProcessState?
    while finished == nil {
        finished = try await host.listProcesses(on: machine).first { $0.name == session.name && $0.isFinished }
        if finished == nil { try await Task.sleep(for: .milliseconds(100)) }
    }
    print("\(session.name) exited with \(finished?.exitCode.map(String.init) ?? "?")")
    print(String(decoding: try await host.logs(session: session.name, on: machine), as: UTF8.self), terminator: "")
    for result in try await host.destroy() { print("destroyed \(result.instance.id)\(result.error.map { ": \($0)" } ?? "")") }
} catch {
    print("error: \(error)")
    _ = try? await host.destroy()
    if named == nil { try? FileManager.default.removeItem(atPath: state) }
    exit(1)
}
