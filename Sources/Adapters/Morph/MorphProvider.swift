import AdapterKit
import AsyncHTTPClient
import Executor
import Logging
import NIOHTTP1

/// VMs on Morph Cloud, driven over Morph's HTTP API.
///
/// Instances are found again by their metadata labels (`runjob.*`), so status,
/// logs, destroy and re-apply work from any machine without local state. Idempotent
/// calls are retried (backoff with jitter, `Retry-After`) within
/// ``MorphConfiguration/retryDeadline``; boot is never retried blindly and exec is
/// retried only when the request certainly never left this machine.
public struct MorphProvider: VMProvider {
    /// `morph`.
    public let kind = "morph"
    /// Where and how the API is reached.
    public let configuration: MorphConfiguration
    var http: MorphHTTP

    /// A provider for `configuration`, using `client` for HTTP (default: ``sharedClient``);
    /// each API request is logged to `logger` at `debug` (method, path, status, duration).
    public init(configuration: MorphConfiguration, client: HTTPClient = MorphProvider.sharedClient, logger: Logger = .silent) {
        self.configuration = configuration
        self.http = MorphHTTP(configuration: configuration, client: client, logger: logger)
    }

    /// The HTTP client every Morph provider of the process shares (``AdapterHTTPClient``): a
    /// failed connection is reported at once (runjob decides about retries itself), no
    /// redirects are followed (they would carry the key elsewhere), connecting times out after 10 s.
    public static var sharedClient: HTTPClient { AdapterHTTPClient.shared }

    /// The instance, or `nil` when Morph answers 404 (deleted, or expired by its TTL).
    public func get(_ id: String) async throws -> Instance? {
        let route = "GET /instance/{id}"
        let response = try await http.idempotent(.GET, Self.instancePath(id), instance: id, route: route, retryUnreadable: true)
        if response.status == 404 { return nil }
        return try decodeInstance(response, route: route, instance: id)
    }

    /// Every instance whose metadata has all of `labels` (Morph filters; checked again here).
    public func list(labels: [String: String]) async throws -> [Instance] {
        let route = "GET /instance"
        let query = labels.sorted { $0.key < $1.key }.map { ("metadata[\($0.key)]", $0.value) }
        let response = try await http.idempotent(.GET, "/instance", query: query, route: route, retryUnreadable: true)
        try check(response, route: route, instance: nil)
        guard let json = response.json, let instances = MorphInstanceJSON.list(json) else {
            throw ProviderError(
                ErrorCode.Provider.invalidResponse, "the Morph API sent an instance list runjob cannot read", context: [.init("route", route)])
        }
        return instances.filter { instance in labels.allSatisfy { instance.labels[$0.key] == $0.value } }
    }

    /// Deletes the instance (Morph's "stop"); an instance that is already gone counts as destroyed.
    ///
    /// Deleting twice is harmless and a forgotten VM costs money, so besides the usual
    /// retries destroy also retries 500 and a 2xx with an unreadable body (a later
    /// attempt answers 404 when the first one did delete it).
    public func destroy(_ id: String) async throws {
        let route = "DELETE /instance/{id}"
        let response = try await http.idempotent(
            .DELETE, Self.instancePath(id), instance: id, route: route, alsoRetry: [500], retryUnreadable: true)
        if response.status == 404 { return }
        try check(response, route: route, instance: id)
    }

    /// Adds labels (Morph metadata). Morph replaces the whole map, so the current one is read
    /// and merged first; sending the same map twice is harmless, so it is retried like a GET.
    public func addLabels(_ id: String, _ labels: [String: String]) async throws {
        let route = "POST /instance/{id}/metadata"
        guard let current = try await get(id) else { throw gone(id, route: route) }
        let merged = current.labels.merging(labels) { $1 }
        let body = JSONValue.object(merged.sorted { $0.key < $1.key }.map { .init($0.key, .string($0.value)) })
        let response = try await http.idempotent(.POST, Self.instancePath(id) + "/metadata", body: body, instance: id, route: route)
        _ = try decodeInstance(response, route: route, instance: id)
    }

    /// Pauses the instance (memory and disk kept); returns it as Morph reports it afterwards.
    public func pause(_ id: String) async throws -> Instance {
        let route = "POST /instance/{id}/pause"
        let response = try await http.idempotent(.POST, Self.instancePath(id) + "/pause", instance: id, route: route)
        _ = try decodeInstance(response, route: route, instance: id)
        guard let instance = try await get(id) else { throw gone(id, route: route) }
        return instance
    }

    /// Resumes a paused instance and waits until it is ready again.
    public func resume(_ id: String) async throws -> Instance {
        let route = "POST /instance/{id}/resume"
        let response = try await http.idempotent(.POST, Self.instancePath(id) + "/resume", instance: id, route: route)
        var resumed: Instance
        if response.status == 409, let current = try await get(id), current.status == .booting || current.status == .ready {
            resumed = current  // an earlier attempt whose answer was lost did resume it
        } else {
            resumed = try decodeInstance(response, route: route, instance: id)
        }
        return try await waitUntilReady(resumed, deadline: ContinuousClock().now + configuration.bootTimeout)
    }

    /// The same provider with boot retrying blindly: a deliberately broken variant for tests.
    func blindlyRetryingBoot() -> MorphProvider {
        var copy = self
        copy.http.bootRetry = .blind
        return copy
    }

    // MARK: Helpers

    /// `/instance/<id>` with the id percent-encoded (ids come from lists and labels, never trusted as paths).
    static func instancePath(_ id: String) -> String {
        "/instance/" + PercentEncoding.encode(id)
    }

    /// Throws the mapped `provider.*` error unless the answer is a 2xx.
    func check(_ response: MorphResponse, route: String, instance: String?) throws {
        guard (200..<300).contains(response.status) else {
            throw MorphHTTP.error(status: response.status, response: response, route: route, instance: instance)
        }
    }

    /// The instance in a 2xx answer, or the mapped error.
    func decodeInstance(_ response: MorphResponse, route: String, instance: String?) throws -> Instance {
        try check(response, route: route, instance: instance)
        guard let json = response.json, let decoded = MorphInstanceJSON.instance(json) else {
            var context = [ErrorContext("route", route)]
            if let instance { context.insert(.init("instance", instance), at: 0) }
            throw ProviderError(ErrorCode.Provider.invalidResponse, "the Morph API sent an instance runjob cannot read", context: context)
        }
        return decoded
    }

    func gone(_ id: String, route: String) -> ProviderError {
        ProviderError(
            ErrorCode.Provider.notFound, "the instance is gone (deleted, or expired by its TTL)",
            context: [.init("instance", id), .init("route", route)])
    }
}
