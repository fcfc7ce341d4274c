import Foundation
import MorphEmulator

// morph-emulator: the Morph emulator as a process for end-to-end tests and benchmarks.
//
//   morph-emulator [--api-key KEY] [--boot-delay-ms N] [--latency-ms N]
//                  [--boot-outcome ready|error] [--snapshots a,b] [--sandbox-root DIR]
//                  [--home-template DIR]   (copied into every new instance's home, like a snapshot)
//   morph-emulator --claude-oauth [--expires-in S] [--redirect-uri URI]
//                  (Claude's OAuth endpoints instead: GET /oauth/authorize answers the
//                  `code#state` the hosted page would show, POST /v1/oauth/token, and the
//                  /_emulator/settings|revoke|script|stats routes; see ClaudeOAuthEmulator)
//   morph-emulator --instant [--platform-token T]
//                  (the Instant Platform API instead; see InstantEmulator)
//
// Listens on 127.0.0.1 and a random port, prints {"port":N} as its first stdout
// line, and exits when stdin closes or on SIGTERM/SIGINT, deleting every sandbox.

func usage(_ message: String) -> Never {
    FileHandle.standardError.write(Data("morph-emulator: \(message)\n".utf8))
    exit(2)
}

var settings = MorphEmulator.Settings(apiKey: ProcessInfo.processInfo.environment["MORPH_API_KEY"] ?? "emulator-key")
var sandboxRoot: String?
var oauth: ClaudeOAuthEmulator.Settings?
var instantToken: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    func value() -> String {
        guard let next = arguments.next() else { usage("\(argument) needs a value") }
        return next
    }
    func number() -> Int {
        guard let number = Int(value()), number >= 0 else { usage("\(argument) needs a non-negative integer") }
        return number
    }
    switch argument {
    case "--api-key": settings.apiKey = value()
    case "--boot-delay-ms": settings.bootDelay = .milliseconds(number())
    case "--latency-ms": settings.latency = .milliseconds(number())
    case "--boot-outcome": settings.bootOutcome = value()
    case "--snapshots": settings.snapshots = Set(value().split(separator: ",").map(String.init))
    case "--sandbox-root": sandboxRoot = value()
    case "--home-template": settings.homeTemplate = value()
    case "--instant": instantToken = instantToken ?? "per_emulator_platform_token_0123456789"
    case "--platform-token": instantToken = value()
    case "--claude-oauth": oauth = oauth ?? ClaudeOAuthEmulator.Settings()
    case "--expires-in":
        oauth = oauth ?? ClaudeOAuthEmulator.Settings()
        oauth?.expiresIn = number()
    case "--redirect-uri":
        oauth = oauth ?? ClaudeOAuthEmulator.Settings()
        oauth?.redirectURI = value()
    case "-h", "--help":
        print(
            "usage: morph-emulator [--api-key KEY] [--boot-delay-ms N] [--latency-ms N] [--boot-outcome ready|error] [--snapshots a,b] [--sandbox-root DIR]"
        )
        exit(0)
    default: usage("unknown argument \(argument)")
    }
}

let ownsRoot = sandboxRoot == nil
let root = sandboxRoot ?? (NSTemporaryDirectory() + "morph-emulator-\(UUID().uuidString.prefix(8).lowercased())")
do {
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
} catch {
    usage("cannot create \(root): \(error.localizedDescription)")
}

let emulator = MorphEmulator(settings: settings, sandboxRoot: root)
let stop = DispatchSemaphore(value: 0)
signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
signal(SIGPIPE, SIG_IGN)
let sources = [SIGTERM, SIGINT].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler { stop.signal() }
    source.resume()
    return source
}
Thread.detachNewThread {
    var buffer = [UInt8](repeating: 0, count: 4096)
    while read(0, &buffer, buffer.count) > 0 {}
    stop.signal()
}

let server: EmulatorServer
do {
    if let instantToken {
        server = try await EmulatorServer.start(InstantEmulator(platformToken: instantToken))
    } else if let oauth {
        server = try await EmulatorServer.start(ClaudeOAuthEmulator(settings: oauth))
    } else {
        server = try await EmulatorServer.start(emulator)
    }
} catch {
    usage("cannot listen on 127.0.0.1: \(error)")
}
FileHandle.standardOutput.write(Data("{\"port\":\(server.port)}\n".utf8))
await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
    DispatchQueue.global().async {
        stop.wait()
        continuation.resume()
    }
}
await server.stop()
await emulator.shutdown()
if ownsRoot { try? FileManager.default.removeItem(atPath: root) }
_ = sources
exit(0)
