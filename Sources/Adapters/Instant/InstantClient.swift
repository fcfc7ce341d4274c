import AdapterKit
import AsyncHTTPClient
import Executor
import Foundation
import NIOCore
import NIOHTTP1

/// Talks to the Instant Platform API: creates temporary (ephemeral) and permanent apps,
/// reads, finds and deletes them. Success is HTTP 200 only; every other answer maps to a
/// `resource.*` code with the API's error `type`, never a token. A create whose answer
/// was lost is reported as ambiguous (``ResourceError/isAmbiguous``) and never repeated here.
public struct InstantClient: Sendable {
    /// The API's default base URL.
    public static let defaultBaseURL = "https://api.instantdb.com"
    /// The variable that overrides the base URL.
    public static let baseURLVariable = "INSTANT_API_URL"

    /// The base URL, without a trailing `/`.
    public let baseURL: String
    private let client: HTTPClient
    private let timeout: Duration

    /// A client for `baseURL` (trailing `/` trimmed); each request is given up after `timeout`.
    public init(baseURL: String = InstantClient.defaultBaseURL, client: HTTPClient = InstantClient.sharedClient, timeout: Duration = .seconds(30)) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.client = client
        self.timeout = timeout
    }

    /// The base URL from the `base_url` option, else `INSTANT_API_URL`, else the default;
    /// `resource.misconfigured` when it is not an http(s) URL.
    public static func baseURL(option: String?, environment: [String: String]) throws(ResourceError) -> String {
        let chosen = option ?? environment[baseURLVariable].flatMap { $0.isEmpty ? nil : $0 } ?? defaultBaseURL
        guard chosen.hasPrefix("https://") || chosen.hasPrefix("http://") else {
            throw ResourceError(ErrorCode.Resource.misconfigured, "the Instant base URL must be an http(s) URL", context: [.init("url", chosen)])
        }
        return chosen
    }

    /// The HTTP client every Instant client of the process shares (``AdapterHTTPClient``):
    /// redirects are not followed (they would carry a token elsewhere), a refused connection
    /// is reported at once.
    public static var sharedClient: HTTPClient { AdapterHTTPClient.shared }

    /// A temporary app (no account; deleted by the service after 14 days).
    public func createEphemeral(title: String, schema: JSONValue? = nil, perms: JSONValue? = nil) async throws(ResourceError) -> InstantApp {
        var body: [JSONValue.Member] = [.init("title", .string(title))]
        if let schema { body.append(.init("schema", schema)) }
        if let perms { body.append(.init("rules", .object([.init("code", perms)]))) }
        return try Self.created(try await send("POST", "/dash/apps/ephemeral", body: .object(body), token: nil, creates: true))
    }

    /// A permanent app in the account of the personal access token `token`.
    public func createPermanent(title: String, schema: JSONValue? = nil, perms: JSONValue? = nil, token: String) async throws(ResourceError)
        -> InstantApp
    {
        var body: [JSONValue.Member] = [.init("title", .string(title))]
        if let schema { body.append(.init("schema", schema)) }
        if let perms { body.append(.init("perms", perms)) }
        return try Self.created(try await send("POST", "/superadmin/apps", body: .object(body), token: token, creates: true))
    }

    /// The app in a create's 200 answer; an answer that does not validate is ambiguous (the
    /// app was created, but runjob cannot tell which).
    private static func created(_ answer: JSONValue) throws(ResourceError) -> InstantApp {
        do {
            return try InstantApp.from(answer: answer)
        } catch {
            var failure = error
            failure.isAmbiguous = true
            throw failure
        }
    }

    /// A temporary app by id (no token needed).
    public func ephemeralApp(id: String) async throws(ResourceError) -> InstantApp {
        try InstantApp.from(answer: try await send("GET", "/dash/apps/ephemeral/" + Self.segment(id), body: nil, token: nil))
    }

    /// A permanent app by id, with its admin token, asked with the platform token `token`.
    public func permanentApp(id: String, token: String) async throws(ResourceError) -> InstantApp {
        try InstantApp.from(answer: try await send("GET", "/superadmin/apps/" + Self.segment(id), body: nil, token: token))
    }

    /// The ids of the account's apps titled exactly `title`, except those marked for deletion
    /// (the list carries no admin tokens).
    public func appIDs(titled title: String, token: String) async throws(ResourceError) -> [String] {
        let answer = try await send("GET", "/superadmin/apps", body: nil, token: token)
        guard let apps = answer["apps"]?.arrayValue else {
            throw ResourceError(ErrorCode.Resource.invalidResponse, "the Instant API's app list has no `apps` array")
        }
        // An app marked for deletion is still listed until it is purged: never one to adopt.
        return apps.filter { $0["title"]?.stringValue == title && ($0["deletion_marked_at"] ?? .null) == .null }.compactMap { $0["id"]?.stringValue }
    }

    /// Whether app `id` exists, asked with `token` (the platform token, or the app's own admin token).
    public func exists(id: String, token: String) async throws(ResourceError) -> Bool {
        do {
            _ = try await send("GET", "/superadmin/apps/" + Self.segment(id), body: nil, token: token)
            return true
        } catch where error.code == ErrorCode.Resource.notFound {
            return false
        }
    }

    /// Deletes app `id` with `token` (the platform token, or the app's own admin token);
    /// `false` when it was already gone.
    @discardableResult
    public func delete(id: String, token: String) async throws(ResourceError) -> Bool {
        do {
            _ = try await send("DELETE", "/superadmin/apps/" + Self.segment(id), body: nil, token: token)
            return true
        } catch where error.code == ErrorCode.Resource.notFound {
            return false
        }
    }

    /// An app id as one path segment: anything but letters, digits and `-` is refused by
    /// encoding it, so an id can never reach another route.
    private static func segment(_ id: String) -> String {
        id.unicodeScalars.map { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-") ? String(scalar) : String(format: "%%%02X", scalar.value & 0xFF)
        }.joined()
    }

    private func send(_ method: String, _ path: String, body: JSONValue?, token: String?, creates: Bool = false) async throws(ResourceError)
        -> JSONValue
    {
        let route = method + " " + path
        let context = [ErrorContext("route", route)]
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "runjob")
        if let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.compactText.utf8))
        }
        let status: Int
        let bytes: [UInt8]
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout / .nanoseconds(1))))
            status = Int(response.status.code)
            bytes = Array(try await response.body.collect(upTo: 4 << 20).readableBytesView)
        } catch {
            // Only the error's type: some carry request details. A create may have happened.
            throw ResourceError(
                ErrorCode.Resource.unreachable,
                "no answer from the Instant API (\(type(of: error)))" + (creates ? "; the app may have been created" : ""), context: context,
                isAmbiguous: creates)
        }
        let json = try? JSONValue.parse(bytes)
        guard status == 200 else {
            var failure = Self.error(status: status, json: json, context: context)
            // A server error may come after the create was carried out (a proxy's 502, a crash while answering).
            if creates && status >= 500 { failure.isAmbiguous = true }
            throw failure
        }
        guard let json else {
            throw ResourceError(ErrorCode.Resource.invalidResponse, "the Instant API's answer is not JSON", context: context, isAmbiguous: creates)
        }
        return json
    }

    /// The `resource.*` error for a non-200 answer: the status and the API's error `type`
    /// (a word), never its free text, which could repeat what was sent.
    static func error(status: Int, json: JSONValue?, context: [ErrorContext]) -> ResourceError {
        let type = json?["type"]?.stringValue.map { String($0.filter { $0.isLetter || $0 == "-" || $0 == "_" }.prefix(64)) }
        let detail = "HTTP \(status)" + (type.map { ", \($0)" } ?? "")
        switch status {
        case 401, 403:
            return ResourceError(ErrorCode.Resource.authFailed, "the Instant API refused the token (\(detail))", context: context)
        case 404:
            return ResourceError(ErrorCode.Resource.notFound, "the Instant app does not exist (\(detail))", context: context)
        case 429:
            return ResourceError(ErrorCode.Resource.rateLimited, "the Instant API is rate limiting (\(detail))", context: context)
        case 500...:
            return ResourceError(ErrorCode.Resource.serverError, "the Instant API failed (\(detail))", context: context)
        case 400 where type == "permission-denied":
            // The API answers 400 when an admin token does not belong to the app.
            return ResourceError(ErrorCode.Resource.authFailed, "the token does not belong to this Instant app (\(detail))", context: context)
        case 400 where type == "record-not-found":
            return ResourceError(ErrorCode.Resource.notFound, "the Instant app does not exist (\(detail))", context: context)
        default:
            return ResourceError(ErrorCode.Resource.invalidRequest, "the Instant API refused the request (\(detail))", context: context)
        }
    }
}
