import AdapterKit
import Executor

/// The `instant` resource: an Instant app per resource, temporary (`ephemeral: true`, the
/// default: no account, deleted by the service after 14 days) or permanent (in the account
/// of a personal access token).
public struct InstantResource: ResourceProvider {
    /// `instant`.
    public let kind = "instant"
    /// Everything but the admin token.
    public var plainOutputs: Set<String> { [Self.appIDOutput, Self.titleOutput, Self.expiresOutput] }
    private let client: InstantClient
    private let ephemeral: Bool
    private let token: InterpolatedString?
    private let title: String?
    private let schema: JSONValue?
    private let perms: JSONValue?

    /// The adapter for one resource with these options.
    public init(client: InstantClient, ephemeral: Bool, token: InterpolatedString?, title: String?, schema: JSONValue?, perms: JSONValue?) {
        self.client = client
        self.ephemeral = ephemeral
        self.token = token
        self.title = title
        self.schema = schema
        self.perms = perms
    }

    /// Creates the app. A permanent app is first looked up by its generated title (the same
    /// for one resource of one deployment and config: an app whose create answer was lost in
    /// an earlier apply is adopted), and after a create whose outcome is unknown it is looked
    /// up again, so one resource never gets two. A temporary app cannot be listed: that error
    /// says it may be orphaned, and the service deletes it after 14 days.
    public func create(_ request: ResourceRequest) async throws -> ResourceValues {
        let title = InstantTitle.make(title, resource: request.resource, workspace: request.workspace, bootToken: request.token)
        if ephemeral {
            let created = await outcome { () async throws(ResourceError) in try await client.createEphemeral(title: title, schema: schema, perms: perms) }
            switch created {
            case .success(let app): return values(app)
            case .failure(let error) where error.isAmbiguous:
                throw ResourceError(
                    error.code,
                    "\(error.message); the temporary app `\(title)` may have been created all the same: it cannot be looked up, and the service deletes it after 14 days",
                    context: error.context + [.init("resource", request.resource)])
            case .failure(let error): throw error
            }
        }
        let token = try platformToken()
        if self.title == nil, let id = try await client.appIDs(titled: title, token: token).sorted().first {
            var found = values(try await client.permanentApp(id: id, token: token))
            found.adopted = true
            return found
        }
        let created = await outcome { () async throws(ResourceError) in
            try await client.createPermanent(title: title, schema: schema, perms: perms, token: token)
        }
        switch created {
        case .success(let app): return values(app)
        case .failure(let error) where error.isAmbiguous:
            // The create may have happened (no answer, a server error, an answer that does not
            // validate): find it by its title, unique to this creation, before anything else.
            let found = try await client.appIDs(titled: title, token: token).sorted()
            // A generated title is this resource's own; a title the user chose may also name
            // another app of the account: adopt only the one app that has it.
            if let id = found.first, self.title == nil || found.count == 1 {
                return values(try await client.permanentApp(id: id, token: token))
            }
            if found.count > 1 {
                throw ResourceError(
                    error.code,
                    "\(error.message); \(found.count) apps are titled `\(title)`, so runjob cannot tell which one it made: give the resource a title of its own",
                    context: error.context + [.init("resource", request.resource)], isAmbiguous: true)
            }
            // The list says it did not happen: create once more (a second lost answer is adopted the same way next time).
            return values(try await client.createPermanent(title: title, schema: schema, perms: perms, token: token))
        case .failure(let error): throw error
        }
    }

    /// Whether the app still exists (a read).
    public func exists(_ values: ResourceValues) async throws -> Bool {
        guard ephemeral else { return try await client.exists(id: values.id, token: try platformToken()) }
        let read = await outcome { () async throws(ResourceError) in try await client.ephemeralApp(id: values.id) }
        switch read {
        case .success: return true
        case .failure(let error) where error.code == ErrorCode.Resource.notFound: return false
        case .failure(let error): throw error
        }
    }

    /// The result of a client call, as a value (keeps typed throws out of `do`/`catch`).
    private func outcome(_ body: () async throws(ResourceError) -> InstantApp) async -> Result<InstantApp, ResourceError> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }

    /// Deletes the app: a permanent one with the platform token, a temporary one with its own admin token.
    /// A temporary app whose admin token is unknown (its record is gone) cannot be deleted:
    /// `resource.record_missing`, and the service deletes it within 14 days.
    public func delete(_ values: ResourceValues) async throws -> Bool {
        if !ephemeral { return try await client.delete(id: values.id, token: try platformToken()) }
        guard let adminToken = values.value(Self.adminTokenOutput) else {
            throw ResourceError(
                ErrorCode.Resource.recordMissing,
                "the temporary Instant app \(values.id) cannot be deleted without its admin token (its record is gone); the service deletes it within 14 days")
        }
        return try await client.delete(id: values.id, token: adminToken)
    }

    private func platformToken() throws(ResourceError) -> String {
        guard let value = token?.reveal(), !value.isEmpty else {
            throw ResourceError(
                ErrorCode.Resource.misconfigured, "a permanent Instant app needs `token:` (a personal access token, e.g. ${env:INSTANT_PLATFORM_TOKEN})")
        }
        return value
    }

    private func values(_ app: InstantApp) -> ResourceValues {
        var outputs = [Self.appIDOutput: app.id, Self.adminTokenOutput: app.adminToken, Self.titleOutput: app.title]
        if let expires = app.expiresAt { outputs[Self.expiresOutput] = String(expires) }
        return ResourceValues(kind: kind, id: app.id, outputs: outputs, secret: Set(outputs.keys).subtracting(plainOutputs))
    }

    /// `app_id`.
    public static let appIDOutput = "app_id"
    /// `admin_token` (secret).
    public static let adminTokenOutput = "admin_token"
    /// `title`.
    public static let titleOutput = "title"
    /// `expires_ms` (temporary apps).
    public static let expiresOutput = "expires_ms"
}
