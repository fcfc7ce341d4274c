import AdapterKit
import AsyncHTTPClient
import Executor
import Foundation
import NIOCore
import NIOHTTP1

/// Talks to the token endpoint: exchanges an authorization code, refreshes a login.
/// JSON bodies; errors map the status and the OAuth `error` field to `auth.*` codes and
/// never carry the request body, a token, the code or the verifier.
public struct ClaudeTokenClient: Sendable {
    /// Where the endpoint is.
    public let endpoints: ClaudeOAuthEndpoints
    private let client: HTTPClient
    private let timeout: Duration

    /// A client for `endpoints` (default HTTP client: ``sharedClient``), each request given
    /// up after `timeout`.
    public init(endpoints: ClaudeOAuthEndpoints, client: HTTPClient = ClaudeTokenClient.sharedClient, timeout: Duration = .seconds(30)) {
        self.endpoints = endpoints
        self.client = client
        self.timeout = timeout
    }

    /// The HTTP client every token client of the process shares (``AdapterHTTPClient``): a
    /// refused connection is reported at once (not retried until the deadline), connecting
    /// gives up after 10 s, and redirects are not followed (they would carry a code or a token elsewhere).
    public static var sharedClient: HTTPClient { AdapterHTTPClient.shared }

    /// The login for an approved `code` of `attempt`, received at `now` (milliseconds).
    public func exchange(code: String, attempt: PKCE, nowMilliseconds now: Int64) async throws(AuthError) -> ClaudeLogin {
        let body: [JSONValue.Member] = [
            .init("grant_type", .string("authorization_code")), .init("code", .string(code)), .init("state", .string(attempt.state)),
            .init("client_id", .string(ClaudeOAuthEndpoints.clientID)), .init("redirect_uri", .string(endpoints.redirectURI)),
            .init("code_verifier", .string(attempt.verifier)),
        ]
        return try ClaudeLogin.fromTokenResponse(try await post(.object(body)), nowMilliseconds: now)
    }

    /// A new login from `login`'s refresh token (which stops working: store the answer
    /// before using it). Keeps the subscription type the server does not repeat.
    public func refresh(_ login: ClaudeLogin, nowMilliseconds now: Int64) async throws(AuthError) -> ClaudeLogin {
        guard let token = login.refreshToken else {
            throw AuthError(
                ErrorCode.Auth.cannotRefresh,
                "the stored login has no refresh token (imported without it), so its token cannot be renewed; run `runjob auth claude login`, "
                    + "or `runjob auth claude import --with-refresh-token`")
        }
        let body: [JSONValue.Member] = [
            .init("grant_type", .string("refresh_token")), .init("refresh_token", .string(token)),
            .init("client_id", .string(ClaudeOAuthEndpoints.clientID)),
        ]
        var fresh = try ClaudeLogin.fromTokenResponse(try await post(.object(body)), nowMilliseconds: now, previousRefreshToken: token)
        if fresh.scopes.isEmpty { fresh.scopes = login.scopes }
        fresh.subscriptionType = fresh.subscriptionType ?? login.subscriptionType
        fresh.account = fresh.account ?? login.account
        fresh.preset = login.preset
        fresh.tokenURL = login.tokenURL
        return fresh
    }

    private func post(_ body: JSONValue) async throws(AuthError) -> JSONValue {
        let context = [ErrorContext("url", endpoints.tokenURL)]
        var request = HTTPClientRequest(url: endpoints.tokenURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "runjob")
        request.body = .bytes(ByteBuffer(bytes: body.compactText.utf8))
        let status: Int
        let bytes: [UInt8]
        let retryAfter: String?
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout / .nanoseconds(1))))
            status = Int(response.status.code)
            retryAfter = response.headers.first(name: "Retry-After")
            bytes = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        } catch {
            // Only the error's type: some carry request details.
            throw AuthError(ErrorCode.Auth.unreachable, "no answer from the token endpoint (\(type(of: error)))", context: context)
        }
        let json = try? JSONValue.parse(bytes)
        let oauthError = json?["error"]?.stringValue.map { $0.filter { $0.isLetter || $0 == "_" } }
        switch status {
        case 200..<300:
            guard let json else { throw AuthError(ErrorCode.Auth.invalidResponse, "the token endpoint's answer is not JSON", context: context) }
            return json
        case 429:
            throw AuthError(
                ErrorCode.Auth.rateLimited, "the token endpoint is rate limiting" + (retryAfter.map { "; retry after \($0) s" } ?? ""), context: context)
        case 500...:
            throw AuthError(ErrorCode.Auth.serverError, "the token endpoint failed (HTTP \(status))", context: context)
        default:
            if oauthError == "invalid_grant" {
                throw AuthError(
                    ErrorCode.Auth.invalidGrant, "the login is no longer valid (invalid_grant); run `runjob auth claude login` again", context: context)
            }
            throw AuthError(
                ErrorCode.Auth.rejected, "the token endpoint refused the request (HTTP \(status)\(oauthError.map { ", \($0)" } ?? ""))",
                context: context)
        }
    }
}
