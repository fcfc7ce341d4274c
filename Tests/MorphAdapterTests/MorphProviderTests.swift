import Executor
import Foundation
import MorphEmulator
import TestSupport
import Testing

@testable import MorphAdapter

@Suite("Morph provider against the emulator")
struct MorphProviderTests {
    @Test("boot sends labels as metadata and the TTL, waits for ready, and get/list find the instance")
    func bootGetList() async throws {
        try await withMorphRig(bootDelay: .milliseconds(200)) { rig in
            let request = bootRequest(machine(ttl: 600, action: "pause"), labels: ["runjob.name": "demo", "team": "a b/c"])
            let started = ContinuousClock.now
            let instance = try await rig.provider.boot(request)
            let elapsed = ContinuousClock.now - started
            #expect(instance.status == .ready)
            #expect(instance.id.hasPrefix("morphvm_"))
            #expect(instance.labels == request.labels)
            let stored = try #require(await rig.emulator.allInstances().first)
            #expect(stored["ttl"]?["ttl_seconds"] == .int(600))
            #expect(stored["ttl"]?["ttl_action"] == .string("pause"))
            #expect(stored["refs"]?["snapshot_id"] == .string("snapshot_test0001"))
            // It polled while pending, at the 20 ms interval: never more often than the interval allows.
            let polls = await rig.requests("GET /instance/{id}").count
            #expect(polls >= 1 && Double(polls) <= elapsed / .milliseconds(20) + 2, "polls: \(polls) in \(elapsed)")
            #expect(try await rig.provider.get(instance.id)?.status == .ready)
            let other = try await rig.provider.boot(bootRequest(labels: ["runjob.name": "demo", "team": "other"]))
            #expect(try await rig.provider.list(labels: ["runjob.name": "demo"]).map(\.id).sorted() == [instance.id, other.id].sorted())
            #expect(try await rig.provider.list(labels: ["runjob.name": "demo", "team": "a b/c"]).map(\.id) == [instance.id])
            #expect(try await rig.provider.list(labels: ["runjob.name": "nobody"]).isEmpty)
        }
    }

    @Test("addLabels merges into the instance's metadata (Morph replaces the whole map); an unknown instance is an error")
    func addLabels() async throws {
        try await withMorphRig { rig in
            let instance = try await rig.provider.boot(bootRequest(labels: ["runjob.name": "demo", "team": "a"]))
            try await rig.provider.addLabels(instance.id, ["runjob.resource.db": "app-1", "team": "b"])
            let labels = try #require(try await rig.provider.get(instance.id)?.labels)
            #expect(labels.filter { $0.key != "runjob.boot" } == ["runjob.name": "demo", "team": "b", "runjob.resource.db": "app-1"], "\(labels)")
            #expect(labels["runjob.boot"] == instance.labels["runjob.boot"], "the others stay")
            #expect(try await rig.provider.list(labels: ["runjob.resource.db": "app-1"]).map(\.id) == [instance.id])
            await #expect(throws: ProviderError.self) { try await rig.provider.addLabels("morphvm_zzzzzzzz", ["a": "b"]) }
        }
    }

    @Test("get of an unknown or deleted instance is nil; destroy twice succeeds")
    func getMissingAndDestroyTwice() async throws {
        try await withMorphRig { rig in
            #expect(try await rig.provider.get("morphvm_zzzzzzzz") == nil)
            let instance = try await rig.provider.boot(bootRequest())
            try await rig.provider.destroy(instance.id)
            try await rig.provider.destroy(instance.id)
            #expect(try await rig.provider.get(instance.id) == nil)
            #expect(await rig.liveInstances().isEmpty)
        }
    }

    @Test("an instance that ends in `error` fails the boot, is deleted, and the error says so")
    func bootError() async throws {
        try await withMorphRig(bootDelay: .milliseconds(50)) { rig in
            await rig.emulator.update { $0.bootOutcome = "error" }
            let error = await #expect(throws: ProviderError.self) { try await rig.provider.boot(bootRequest()) }
            #expect(error?.code == ErrorCode.Provider.bootFailed)
            #expect(error?.message.contains("runjob deleted the instance morphvm_") == true, "\(error?.message ?? "")")
            #expect(await rig.liveInstances().isEmpty)
        }
    }

    @Test("a boot that outlasts boot_timeout fails with provider.timeout and deletes the instance")
    func bootTimeout() async throws {
        try await withMorphRig(bootDelay: .seconds(30), configure: { $0.bootTimeout = .milliseconds(300) }) { rig in
            let error = await #expect(throws: ProviderError.self) { try await rig.provider.boot(bootRequest()) }
            #expect(error?.code == ErrorCode.Provider.timeout)
            #expect(error?.message.contains("deleted the instance") == true)
            #expect(await rig.liveInstances().isEmpty)
        }
    }

    @Test("an instance deleted while booting fails the wait as gone")
    func goneWhileBooting() async throws {
        try await withMorphRig(bootDelay: .seconds(30)) { rig in
            let boot = Task { try await rig.provider.boot(bootRequest()) }
            let started = ContinuousClock.now
            while await rig.emulator.allInstances().isEmpty, ContinuousClock.now - started < .seconds(20) {
                try await Task.sleep(for: .milliseconds(10))
            }
            let id = try #require(await rig.emulator.allInstances().first?["id"]?.stringValue)
            _ = await rig.emulator.handle(
                EmulatorRequest(method: "DELETE", target: "/instance/\(id)", headers: [("Authorization", "Bearer \(rig.key)")]))
            let error = await #expect(throws: ProviderError.self) { try await boot.value }
            #expect(error?.code == ErrorCode.Provider.notFound)
        }
    }

    @Test("a missing snapshot, a wrong key and bad input map to provider.* codes without the key")
    func errorMapping() async throws {
        try await withMorphRig { rig in
            await rig.emulator.update { $0.snapshots = ["snapshot_known001"] }
            let missing = await #expect(throws: ProviderError.self) {
                try await rig.provider.boot(bootRequest(machine(snapshot: "snapshot_nope0001")))
            }
            #expect(missing?.code == ErrorCode.Provider.notFound)
            #expect(missing?.context.contains(ErrorContext("route", "POST /instance")) == true)
            var wrong = rig.provider.configuration
            wrong.apiKey = Secret(source: .env("MORPH_API_KEY"), value: "wrong-key-0123456789")
            let refused = await #expect(throws: ProviderError.self) { try await MorphProvider(configuration: wrong).list(labels: [:]) }
            #expect(refused?.code == ErrorCode.Provider.authFailed)
            #expect(refused?.description.contains("wrong-key") == false)
            let invalid = await #expect(throws: ProviderError.self) {
                try await rig.provider.boot(bootRequest(machine(snapshot: "snapshot_known001", ttl: -5)))
            }
            #expect(invalid?.code == ErrorCode.Provider.invalidRequest)
            #expect(await rig.liveInstances().isEmpty)
        }
    }

    @Test("exec returns exit code and output; HOME is the sandbox, never the real home")
    func exec() async throws {
        try await withMorphRig { rig in
            let instance = try await rig.provider.boot(bootRequest())
            let result = try await rig.provider.exec(instance.id, .shell("printf '%s' \"$HOME\"; echo oops >&2; exit 7"), stdin: nil)
            #expect(result.exitCode == 7)
            #expect(result.stdoutText.hasPrefix(rig.folder.path))
            #expect(result.stdoutText != ProcessInfo.processInfo.environment["HOME"])
            #expect(result.stderrText == "oops\n")
            let argv = try await rig.provider.exec(instance.id, .argv(["printf", "[%s]", "a b", "$HOME", "it's"]), stdin: nil)
            #expect(argv.stdoutText == "[a b][$HOME][it's]")
        }
    }

    @Test("stdin travels inline when small and in counted chunks when large, byte for byte")
    func stdinInlineAndChunked() async throws {
        try await withMorphRig(configure: { $0.maxInlinePayload = 4096 }) { rig in
            let instance = try await rig.provider.boot(bootRequest())
            let small: [UInt8] = Array("hello\u{0}\n\"'$(x)".utf8)
            let echoed = try await rig.provider.exec(instance.id, .shell("od -An -c | tr -s ' '"), stdin: small)
            let direct = try await CommandRunner.runDetached("/bin/bash", ["-c", "od -An -c | tr -s ' '"], stdin: small)
            #expect(echoed.stdoutText == direct.out)
            let before = await rig.requests("POST /instance/{id}/exec").count
            var large = [UInt8](repeating: 0, count: 20_000)
            for index in large.indices { large[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }
            let digest = try await rig.provider.exec(instance.id, .shell("sha256sum | cut -c1-64"), stdin: large)
            #expect(digest.stdoutText.trimmingASCIIWhitespace() == SHA256Hex.digest(large))
            let execs = await rig.requests("POST /instance/{id}/exec")
            // 20 000 bytes → 26 668 base64 bytes → 7 chunks of at most 4096.
            #expect(execs.count - before == 7)
            #expect(execs.dropFirst(before).allSatisfy { $0.bodyBytes < 4096 + 1024 })
            let leftovers = try await rig.provider.exec(instance.id, .shell("ls \"${TMPDIR:-/tmp}\" | grep -c runjob-stdin || true"), stdin: nil)
            #expect(leftovers.stdoutText.trimmingASCIIWhitespace() == "0")
            // A small payload with a script too long for one command line goes through a file too.
            let longScript = "# " + String(repeating: "x", count: 125_000) + "\nwc -c"
            let counted = try await rig.provider.exec(instance.id, .shell(longScript), stdin: small)
            #expect(counted.exitCode == 0, "\(counted.stderrText)")
            #expect(counted.stdoutText.trimmingASCIIWhitespace() == String(small.count))
        }
    }

    @Test("files are written atomically with modes and checksums, read back, and missing files read as nil")
    func filesRoundTrip() async throws {
        try await withMorphRig { rig in
            let instance = try await rig.provider.boot(bootRequest())
            let home = try await rig.provider.exec(instance.id, .shell("printf %s \"$HOME\""), stdin: nil).stdoutText
            let secret = Array("token-\u{1}-é-\n".utf8) + [0, 255]
            try await rig.provider.writeFiles(
                instance.id,
                FileBatch(
                    label: "credentials:test", directories: [(home + "/.cred", .init(rawValue: 0o700))],
                    files: [FileWrite(path: home + "/.cred/token", mode: .ownerOnly, content: secret)]))
            #expect(try await rig.provider.readFile(instance.id, path: home + "/.cred/token") == secret)
            let modes = try await rig.provider.exec(instance.id, .shell("stat -c %a ~/.cred ~/.cred/token"), stdin: nil)
            #expect(modes.stdoutText == "700\n600\n")
            #expect(try await rig.provider.readFile(instance.id, path: home + "/.cred/missing") == nil)
            let directory = await #expect(throws: ProviderError.self) { try await rig.provider.readFile(instance.id, path: home + "/.cred") }
            #expect(directory?.code == ErrorCode.Provider.fileReadFailed)
        }
    }

    @Test("pause and resume; exec on a paused instance is provider.wrong_state")
    func pauseResume() async throws {
        try await withMorphRig(bootDelay: .milliseconds(50)) { rig in
            let instance = try await rig.provider.boot(bootRequest())
            #expect(try await rig.provider.pause(instance.id).status == .stopped)
            let refused = await #expect(throws: ProviderError.self) { try await rig.provider.exec(instance.id, .shell("true"), stdin: nil) }
            #expect(refused?.code == ErrorCode.Provider.wrongState)
            #expect(try await rig.provider.resume(instance.id).status == .ready)
            #expect(try await rig.provider.exec(instance.id, .shell("true"), stdin: nil).exitCode == 0)
        }
    }

    @Test("GETs are retried on 503 honouring Retry-After; a changing exec is not retried")
    func retries() async throws {
        try await withMorphRig { rig in
            let instance = try await rig.provider.boot(bootRequest())
            await rig.emulator.inject(EmulatorFault(route: "GET /instance/{id}", kind: .status, count: 2, status: 503, retryAfter: 0))
            #expect(try await rig.provider.get(instance.id)?.id == instance.id)
            #expect(await rig.requests("GET /instance/{id}").count == 3)
            await rig.emulator.inject(EmulatorFault(route: "POST /instance/{id}/exec", kind: .status, phase: .after, count: 1, status: 502))
            let lost = await #expect(throws: ProviderError.self) { try await rig.provider.exec(instance.id, .shell("echo x >> ~/count"), stdin: nil) }
            #expect(lost?.code == ErrorCode.Provider.serverError)
            let count = try await rig.provider.exec(instance.id, CommandSpec(.shell("wc -l < ~/count"), readOnly: true), stdin: nil)
            #expect(count.stdoutText.trimmingASCIIWhitespace() == "1")
            await rig.emulator.inject(EmulatorFault(route: "POST /instance/{id}/exec", kind: .reset, count: 1))
            let readOnly = try await rig.provider.exec(instance.id, CommandSpec(.shell("cat ~/count"), readOnly: true), stdin: nil)
            #expect(readOnly.stdoutText == "x\n")
        }
    }

    @Test("an ambiguous start is looked up by its boot token instead of started twice; blind retry double-boots")
    func ambiguousStart() async throws {
        try await withMorphRig { rig in
            await rig.emulator.inject(EmulatorFault(route: "POST /instance", kind: .status, phase: .after, count: 1, status: 502))
            let instance = try await rig.provider.boot(bootRequest())
            #expect(await rig.requests("POST /instance").count == 1)
            #expect(await rig.liveInstances().count == 1)
            #expect(await rig.doubleBoots().isEmpty)
            try await rig.provider.destroy(instance.id)
            await rig.emulator.inject(EmulatorFault(route: "POST /instance", kind: .status, phase: .after, count: 1, status: 502))
            _ = try await rig.provider.blindlyRetryingBoot().boot(bootRequest())
            #expect(await rig.doubleBoots().count == 1)
        }
    }

    @Test("configuration: key and base URL from the manifest win over the environment; no key is an actionable error")
    func configuration() throws {
        let fromEnv = try MorphConfiguration.from(
            options: AdapterOptions(), environment: ["MORPH_API_KEY": "env-key", "MORPH_BASE_URL": "http://127.0.0.1:9/api/"])
        #expect(fromEnv.apiKey.reveal() == "env-key")
        #expect(fromEnv.baseURL == "http://127.0.0.1:9/api")
        let fromManifest = try MorphConfiguration.from(
            options: AdapterOptions([OptionEntry("base_url", .text("http://127.0.0.1:8/api")), OptionEntry("poll_interval", .duration(100))]),
            environment: ["MORPH_API_KEY": "env-key", "MORPH_BASE_URL": "http://127.0.0.1:9/api"])
        #expect(fromManifest.baseURL == "http://127.0.0.1:8/api")
        #expect(fromManifest.pollInterval == .milliseconds(100))
        #expect(
            try MorphConfiguration.from(options: AdapterOptions(), environment: ["MORPH_API_KEY": "k"]).baseURL == MorphConfiguration.defaultBaseURL)
        let missing = #expect(throws: ProviderError.self) { try MorphConfiguration.from(options: AdapterOptions(), environment: [:]) }
        #expect(missing?.code == ErrorCode.Provider.misconfigured)
        #expect(missing?.message.contains("MORPH_API_KEY") == true)
        // A key read from a file keeps its newline: trimmed. A key with inner control characters is refused, unprinted.
        #expect(try MorphConfiguration.from(options: AdapterOptions(), environment: ["MORPH_API_KEY": "key-123\n"]).apiKey.reveal() == "key-123")
        let broken = #expect(throws: ProviderError.self) {
            try MorphConfiguration.from(options: AdapterOptions(), environment: ["MORPH_API_KEY": "key-abc\u{1B}def-0123456789"])
        }
        #expect(broken?.code == ErrorCode.Provider.misconfigured)
        #expect(broken?.description.contains("key-abc") == false)
        // The manifest's `api_key: ${env:MORPH_API_KEY}` with the variable unset: say which source to set.
        let unset = InterpolatedString(parts: [.secret(Secret(unresolved: .env("MORPH_API_KEY")))])
        let unresolved = #expect(throws: ProviderError.self) {
            try MorphConfiguration.from(options: AdapterOptions([OptionEntry("api_key", .text(unset))]), environment: [:])
        }
        #expect(unresolved?.code == ErrorCode.Provider.misconfigured)
        #expect(unresolved?.message.hasPrefix("the Morph API key comes from env:MORPH_API_KEY, which is not available here: set it") == true)
    }
}
