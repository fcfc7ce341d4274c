import Foundation
import Executor

/// The Instant Platform API as `instant-platform.md` describes it, in memory: temporary
/// apps without authentication (`expires_ms` = creation + 14 days), permanent apps with a
/// personal access token, an app's admin token good for its own app only (another app's
/// gets the API's 400), success as 200 only and errors as `{type, message, hint}`.
/// Serve it with ``EmulatorServer``; `GET /_emulator/apps` lists every app (admin tokens
/// included, for canaries); `GET|POST|DELETE /_emulator/faults` arm faults exactly as in
/// the Morph emulator (``EmulatorFault``, ``FaultBook``) on the routes of ``routes``.
public actor InstantEmulator: EmulatorHandler {
    /// One app as the emulator keeps it.
    public struct App: Sendable {
        public var id: String
        public var title: String
        public var adminToken: String
        public var createdAt: String
        public var expiresMs: Int64?
        public var deleted = false
    }

    /// The personal access token the emulator accepts for `/superadmin`.
    public nonisolated let platformToken: String
    private var apps: [App] = []
    private var faults = FaultBook()
    /// Requests answered so far (`METHOD /path`), in order.
    public private(set) var requests: [String] = []

    /// An emulator accepting `platformToken` as the account's personal access token.
    public init(platformToken: String = "per_emulator_platform_token_0123456789") {
        self.platformToken = platformToken
    }

    /// Every app ever created, deleted ones flagged.
    public var allApps: [App] { apps }

    /// The route templates faults name.
    public static let routes = [
        "POST /dash/apps/ephemeral", "GET /dash/apps/ephemeral/{id}", "POST /superadmin/apps", "GET /superadmin/apps",
        "GET /superadmin/apps/{id}", "DELETE /superadmin/apps/{id}",
    ]

    /// Arms a fault (its route one of ``routes`` or `*`).
    public func inject(_ fault: EmulatorFault) { faults.inject(fault) }

    /// Removes every armed fault.
    public func clearFaults() { faults.clear() }

    /// The apps not deleted.
    public var liveApps: [App] { apps.filter { !$0.deleted } }

    public func handle(_ request: EmulatorRequest) async -> EmulatorReply {
        if request.path.hasPrefix("/_emulator/") { return control(request) }
        let template = Self.template(request)
        requests.append(template)
        return await EmulatorFault.apply(faults.take(route: template), route: template) { .response(route(request)) }
    }

    /// `METHOD /path` with an app id replaced by `{id}`.
    static func template(_ request: EmulatorRequest) -> String {
        var parts = request.path.split(separator: "/").map(String.init)
        if parts.count == 4, parts[0] == "dash" { parts[3] = "{id}" }
        if parts.count == 3, parts[0] == "superadmin" { parts[2] = "{id}" }
        return request.method + " /" + parts.joined(separator: "/")
    }

    private func route(_ request: EmulatorRequest) -> EmulatorResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        let bearer = request.headers.first { $0.name == "authorization" }?.value.replacingOccurrences(of: "Bearer ", with: "")
        let method = request.method
        if method == "POST", parts == ["dash", "apps", "ephemeral"] { return create(request, ephemeral: true) }
        if method == "GET", parts.count == 4, Array(parts.prefix(3)) == ["dash", "apps", "ephemeral"] {
            guard let app = apps.first(where: { $0.id == parts[3] && !$0.deleted && $0.expiresMs != nil }) else { return notFound() }
            return .json(200, answer(app))
        }
        if parts == ["superadmin", "apps"] {
            guard bearer == platformToken else { return errorResponse(401, "permission-denied", "unknown token") }
            if method == "POST" { return create(request, ephemeral: false) }
            let listed = apps.filter { !$0.deleted && $0.expiresMs == nil }.map { app -> JSONValue in
                .object([.init("id", .string(app.id)), .init("title", .string(app.title)), .init("created_at", .string(app.createdAt))])
            }
            return .json(200, .object([.init("apps", .array(listed))]))
        }
        guard method == "GET" || method == "DELETE", parts.count == 3, Array(parts.prefix(2)) == ["superadmin", "apps"] else {
            return errorResponse(404, "record-not-found", "no such route")
        }
        let knownToken = bearer == platformToken || apps.contains(where: { $0.adminToken == bearer })
        guard let index = apps.firstIndex(where: { $0.id == parts[2] && !$0.deleted }) else {
            return knownToken ? notFound() : errorResponse(401, "permission-denied", "unknown token")
        }
        let app = apps[index]
        if bearer != app.adminToken {
            if apps.contains(where: { $0.adminToken == bearer }) { return errorResponse(400, "permission-denied", "the admin token is for another app") }
            // The platform token reaches the account's permanent apps only.
            guard bearer == platformToken, app.expiresMs == nil else { return errorResponse(401, "permission-denied", "unknown token") }
        }
        if method == "DELETE" { apps[index].deleted = true }
        // A read answers the whole app, admin token included (as a create does).
        return .json(200, .object([.init("app", appJSON(app, withToken: method == "GET")), .init("deleted", .bool(method == "DELETE"))]))
    }

    private func create(_ request: EmulatorRequest, ephemeral: Bool) -> EmulatorResponse {
        guard let body = try? JSONValue.parse(request.body), case .object = body else { return errorResponse(400, "validation-failed", "the body is not JSON") }
        guard let title = body["title"]?.stringValue, !title.trimmingASCIIWhitespace().isEmpty else {
            return errorResponse(400, "validation-failed", "title must not be blank")
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let app = App(
            id: UUID().uuidString.lowercased(), title: title, adminToken: UUID().uuidString.lowercased(),
            createdAt: ISO8601DateFormatter().string(from: Date()), expiresMs: ephemeral ? now + 14 * 86_400_000 : nil)
        apps.append(app)
        return .json(200, answer(app))
    }

    private func answer(_ app: App) -> JSONValue {
        var members: [JSONValue.Member] = [.init("app", appJSON(app, withToken: true))]
        if let expires = app.expiresMs { members.append(.init("expires_ms", .int(Int(expires)))) }
        return .object(members)
    }

    private func appJSON(_ app: App, withToken: Bool) -> JSONValue {
        var members: [JSONValue.Member] = [
            .init("id", .string(app.id)), .init("title", .string(app.title)), .init("created_at", .string(app.createdAt)),
            .init("creator_id", .string("emulator-user")), .init("deletion_marked_at", app.deleted ? .string(app.createdAt) : .null),
        ]
        if withToken { members.append(.init("admin-token", .string(app.adminToken))) }
        return .object(members)
    }

    private func notFound() -> EmulatorResponse {
        .json(404, .object([.init("type", .string("record-not-found")), .init("message", .string("Record not found: app")),
                            .init("hint", .object([.init("record-type", .string("app"))]))]))
    }

    private func errorResponse(_ status: Int, _ type: String, _ message: String) -> EmulatorResponse {
        .json(status, .object([.init("type", .string(type)), .init("message", .string(message))]))
    }

    private func control(_ request: EmulatorRequest) -> EmulatorReply {
        switch (request.method, request.path) {
        case ("GET", "/_emulator/apps"):
            let listed = apps.map { app -> JSONValue in
                .object([
                    .init("id", .string(app.id)), .init("title", .string(app.title)), .init("admin_token", .string(app.adminToken)),
                    .init("ephemeral", .bool(app.expiresMs != nil)), .init("deleted", .bool(app.deleted)),
                ])
            }
            return .response(.json(200, .object([.init("data", .array(listed))])))
        case ("GET", "/_emulator/faults"):
            return .response(.json(200, .object([.init("faults", .array(faults.armed.map(\.json)))])))
        case ("POST", "/_emulator/faults"):
            if case .failure(let error) = faults.add(try? JSONValue.parse(request.body), templates: Self.routes) {
                return .response(errorResponse(422, "invalid-fault", error.message))
            }
            return .response(.json(200, .object([.init("faults", .array(faults.armed.map(\.json)))])))
        case ("DELETE", "/_emulator/faults"):
            faults.clear()
            return .response(.json(200, .object([.init("ok", .bool(true))])))
        default:
            return .response(.json(404, .object([.init("error", .string("not_found"))])))
        }
    }
}
