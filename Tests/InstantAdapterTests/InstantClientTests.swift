import Executor
import InstantAdapter
import MorphEmulator
import TestSupport
import Testing

/// The Instant emulator on loopback and a client for it.
private struct InstantRig {
    let emulator: InstantEmulator
    let server: EmulatorServer
    let client: InstantClient

    static func start() async throws -> InstantRig {
        let emulator = InstantEmulator()
        let server = try await EmulatorServer.start(emulator)
        return InstantRig(emulator: emulator, server: server, client: InstantClient(baseURL: server.baseURL + "/", timeout: .seconds(5)))
    }

    func stop() async { await server.stop() }
}

@Suite("Instant Platform client against the emulator: create, read, find, delete, errors", .serialized)
struct InstantClientTests {
    @Test("a temporary app: created without a token, 14 days to live, read back, deleted with its own admin token")
    func ephemeral() async throws {
        let rig = try await InstantRig.start()
        let app = try await rig.client.createEphemeral(title: "  review-db  ".trimmingASCIIWhitespace(), schema: .object([]), perms: .object([]))
        #expect(app.title == "review-db")
        #expect(!app.id.isEmpty && !app.adminToken.isEmpty)
        let days = Double((app.expiresAt ?? 0) - RunClock.nowMilliseconds()) / 86_400_000
        #expect(days > 13.9 && days <= 14)
        #expect(!app.description.contains(app.adminToken), "the app prints without its token")
        #expect(try await rig.client.ephemeralApp(id: app.id) == app)
        #expect(try await rig.client.delete(id: app.id, token: app.adminToken))
        #expect(try await rig.client.delete(id: app.id, token: app.adminToken) == false, "already gone")
        await rig.stop()
    }

    @Test("a permanent app needs the platform token; it is found by its title; another app's admin token is refused")
    func permanent() async throws {
        let rig = try await InstantRig.start()
        let token = rig.emulator.platformToken
        let wrong = await #expect(throws: ResourceError.self) { _ = try await rig.client.createPermanent(title: "x", token: "per_wrong_0123456789") }
        #expect(wrong?.code == ErrorCode.Resource.authFailed)
        #expect(wrong?.message.contains("per_wrong") == false)
        let app = try await rig.client.createPermanent(title: "db-ci-01abc", token: token)
        let other = try await rig.client.createEphemeral(title: "other")
        #expect(try await rig.client.appIDs(titled: "db-ci-01abc", token: token) == [app.id])
        #expect(try await rig.client.exists(id: app.id, token: token))
        #expect(try await rig.client.exists(id: app.id, token: app.adminToken))
        let foreign = await #expect(throws: ResourceError.self) { _ = try await rig.client.delete(id: app.id, token: other.adminToken) }
        #expect(foreign?.code == ErrorCode.Resource.authFailed, "the API's 400 for a token of another app")
        #expect(foreign.map { !$0.message.contains(other.adminToken) } == true)
        #expect(try await rig.client.delete(id: app.id, token: token))
        #expect(try await rig.client.exists(id: app.id, token: token) == false)
        #expect(try await rig.client.appIDs(titled: "db-ci-01abc", token: token) == [])
        await rig.stop()
    }

    @Test("non-200 answers map to resource.* codes; a lost or unreadable create answer is ambiguous; no token in any message")
    func failures() async throws {
        let rig = try await InstantRig.start()
        let blank = await #expect(throws: ResourceError.self) { _ = try await rig.client.createEphemeral(title: "   ") }
        #expect(blank?.code == ErrorCode.Resource.invalidRequest)
        #expect(blank?.message.contains("validation-failed") == true)
        let missing = await #expect(throws: ResourceError.self) { _ = try await rig.client.ephemeralApp(id: "00000000-0000-0000-0000-000000000000") }
        #expect(missing?.code == ErrorCode.Resource.notFound)
        // The Morph emulator's fault machinery: 429 and 503 before, a cut body and a lost answer after the create.
        for (kind, status, phase) in [(EmulatorFault.Kind.status, 429, EmulatorFault.Phase.before), (.status, 503, .before), (.malformed, 200, .after)] {
            await rig.emulator.inject(EmulatorFault(route: "POST /dash/apps/ephemeral", kind: kind, phase: phase, count: 1, skip: 0, status: status))
        }
        await rig.emulator.inject(EmulatorFault(route: "POST /superadmin/apps", kind: .reset, phase: .after))
        let limited = await #expect(throws: ResourceError.self) { _ = try await rig.client.createEphemeral(title: "a") }
        #expect(limited?.code == ErrorCode.Resource.rateLimited)
        let failed = await #expect(throws: ResourceError.self) { _ = try await rig.client.createEphemeral(title: "a") }
        #expect(failed?.code == ErrorCode.Resource.serverError && failed?.isAmbiguous == true, "a 5xx may come after the create was done")
        let garbled = await #expect(throws: ResourceError.self) { _ = try await rig.client.createEphemeral(title: "a") }
        #expect(garbled?.code == ErrorCode.Resource.invalidResponse && garbled?.isAmbiguous == true)
        let lost = await #expect(throws: ResourceError.self) { _ = try await rig.client.createPermanent(title: "lost-one", token: rig.emulator.platformToken) }
        #expect(lost?.code == ErrorCode.Resource.unreachable && lost?.isAmbiguous == true)
        // The lost create happened: the title finds it, so a caller adopts it instead of creating a second one.
        #expect(try await rig.client.appIDs(titled: "lost-one", token: rig.emulator.platformToken).count == 1)
        let tokens = await rig.emulator.allApps.map(\.adminToken)
        for error in [blank, missing, limited, failed, garbled, lost].compactMap({ $0 }) {
            for token in tokens + [rig.emulator.platformToken] { #expect(!error.message.contains(token)) }
        }
        await rig.stop()
        let closed = InstantClient(baseURL: rig.server.baseURL, timeout: .seconds(2))
        let unreachable = await #expect(throws: ResourceError.self) { _ = try await closed.createEphemeral(title: "a") }
        #expect(unreachable?.code == ErrorCode.Resource.unreachable && unreachable?.isAmbiguous == true)
    }

    @Test("faults are armed over HTTP as in the Morph emulator, on the Instant routes only")
    func faultControl() async throws {
        let rig = try await InstantRig.start()
        let port = rig.server.port
        let bad = try LoopbackHTTP.request(port: port, method: "POST", path: "/_emulator/faults", body: #"{"route":"POST /instance","kind":"reset"}"#)
        #expect(bad.status == 422)
        let armed = try LoopbackHTTP.request(
            port: port, method: "POST", path: "/_emulator/faults", body: #"{"route":"DELETE /superadmin/apps/{id}","kind":"status","status":502}"#)
        #expect(armed.status == 200)
        let app = try await rig.client.createEphemeral(title: "faulted")
        let failed = await #expect(throws: ResourceError.self) { _ = try await rig.client.delete(id: app.id, token: app.adminToken) }
        #expect(failed?.code == ErrorCode.Resource.serverError)
        #expect(try await rig.client.delete(id: app.id, token: app.adminToken), "the fault hit once")
        await rig.stop()
    }

    @Test("answers are validated: each of the four required fields, leniently otherwise")
    func validation() throws {
        let full: [JSONValue.Member] = [
            .init("id", .string("a1")), .init("title", .string("t")), .init("admin-token", .string("tok-0123456789")),
            .init("created_at", .string("2026-12-07T00:00:00Z")), .init("unknown", .int(1)), .init("org_id", .null),
        ]
        let app = try InstantApp.from(answer: .object([.init("app", .object(full)), .init("expires_ms", .int(5))]))
        #expect(app == InstantApp(id: "a1", title: "t", adminToken: "tok-0123456789", createdAt: "2026-12-07T00:00:00Z", expiresAt: 5))
        for field in ["id", "title", "admin-token", "created_at"] {
            let error = #expect(throws: ResourceError.self) {
                try InstantApp.from(answer: .object([.init("app", .object(full.filter { $0.key != field }))]))
            }
            #expect(error?.code == ErrorCode.Resource.invalidResponse && error?.message.contains("`\(field)`") == true)
            #expect(error?.message.contains("tok-0123456789") == false)
        }
        #expect(throws: ResourceError.self) { try InstantApp.from(answer: .object([])) }
    }

    @Test("titles are trimmed, generated when blank; base URLs come from the option, INSTANT_API_URL or the default")
    func titlesAndBaseURL() throws {
        #expect(InstantTitle.make("  review  ", resource: "db", workspace: "ci", bootToken: "01ABC") == "review")
        #expect(InstantTitle.make(nil, resource: "db", workspace: "ci", bootToken: "01ABC") == "db-ci-01abc")
        #expect(InstantTitle.make(" ", resource: "db", workspace: "ci", bootToken: "01ABC") == "db-ci-01abc")
        #expect(try InstantClient.baseURL(option: nil, environment: [:]) == InstantClient.defaultBaseURL)
        #expect(try InstantClient.baseURL(option: nil, environment: ["INSTANT_API_URL": "http://127.0.0.1:9"]) == "http://127.0.0.1:9")
        #expect(try InstantClient.baseURL(option: "https://x.example", environment: ["INSTANT_API_URL": "http://127.0.0.1:9"]) == "https://x.example")
        let bad = #expect(throws: ResourceError.self) { try InstantClient.baseURL(option: "ftp://x", environment: [:]) }
        #expect(bad?.code == ErrorCode.Resource.misconfigured)
        #expect(InstantClient(baseURL: "https://x.example//").baseURL == "https://x.example")
    }
}
