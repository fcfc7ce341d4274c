import AdapterKit
import AsyncHTTPClient
import Executor
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One HTTP exchange with the Morph API: what went out and what came back.
struct MorphResponse: Sendable {
    var status: Int
    var body: [UInt8]
    var retryAfter: Duration?

    var json: JSONValue? { try? JSONValue.parse(body) }
}

/// Why a request got no usable answer, and whether the request may have been carried out.
enum MorphTransportFailure: Error, Sendable {
    /// The connection was never established (refused, connect timeout): nothing was sent.
    case notSent(String)
    /// The host name does not resolve: nothing was sent, and retrying will not help.
    case unresolvable(String)
    /// Sent, but no (complete) answer came back: the server may have carried it out.
    case ambiguous(String)
    /// The per-request timeout passed.
    case timedOut(String)
}

/// The HTTP layer of the Morph provider: bearer auth, JSON bodies, timeouts,
/// retries with exponential backoff and jitter (honouring `Retry-After`) for
/// idempotent calls, and status → `provider.*` error mapping. Never puts the key,
/// headers or bodies into errors: only the route and the instance.
struct MorphHTTP: Sendable {
    /// What boot does after a start request that may or may not have started an instance.
    enum BootRetry: Sendable {
        /// Look the boot token up first; send the start again only when no instance carries it.
        case lookUpFirst
        /// Send the start again without looking (unsafe: can start two instances; tests use it
        /// to show that the fault matrix catches double boots).
        case blind
    }

    let configuration: MorphConfiguration
    let client: HTTPClient
    var bootRetry: BootRetry = .lookUpFirst
    let logger: Logger

    init(configuration: MorphConfiguration, client: HTTPClient, logger: Logger = .silent) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
    }

    /// Logs one exchange at `debug`: method, path (no query, headers or body), the status or
    /// why there was none, the duration, and the command label.
    private func logExchange(_ method: HTTPMethod, _ path: String, label: String?, since begin: ContinuousClock.Instant, outcome: String) {
        guard logger.logLevel <= .debug else { return }
        var metadata: Logger.Metadata = ["method": .string(method.rawValue), "path": .string(path), "outcome": .string(outcome)]
        metadata["ms"] = .stringConvertible(Int((ContinuousClock.now - begin) / .milliseconds(1)))
        if let label { metadata["label"] = .string(label) }
        logger.debug("http", metadata: metadata)
    }

    /// One attempt; `label` (a command label such as `credentials:claude`, never a
    /// secret) goes out as `X-Runjob-Command` so request logs can tell steps apart.
    /// Throws ``MorphTransportFailure`` when no complete answer came back within the
    /// timeout (which covers the body too). Error texts never carry headers or values.
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil, timeout: Duration? = nil, label: String? = nil
    ) async throws -> MorphResponse {
        let begin = ContinuousClock.now
        do {
            let response = try await sendOnce(method, path, query: query, body: body, timeout: timeout, label: label)
            logExchange(method, path, label: label, since: begin, outcome: String(response.status))
            return response
        } catch {
            let outcome =
                switch error as? MorphTransportFailure {
                case .notSent?: "not sent"
                case .unresolvable?: "host not found"
                case .ambiguous?: "no complete answer"
                case .timedOut?: "timed out"
                case nil: error is CancellationError ? "cancelled" : "failed"
                }
            logExchange(method, path, label: label, since: begin, outcome: outcome)
            throw error
        }
    }

    private func sendOnce(
        _ method: HTTPMethod, _ path: String, query: [(String, String)], body: JSONValue?, timeout: Duration?, label: String?
    ) async throws -> MorphResponse {
        var url = configuration.baseURL + path
        if !query.isEmpty {
            url += "?" + PercentEncoding.query(query)
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        guard let key = configuration.apiKey.reveal() else {
            throw ProviderError(ErrorCode.Provider.misconfigured, "the Morph API key is not available")
        }
        guard MorphConfiguration.isUsableKey(key) else {
            throw ProviderError(
                ErrorCode.Provider.misconfigured, "the Morph API key contains spaces or control characters (a trailing newline from a file?)")
        }
        request.headers.add(name: "Authorization", value: "Bearer " + key)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "runjob")
        if let label, label.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { request.headers.add(name: "X-Runjob-Command", value: label) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.compactText.utf8))
        }
        let limit = timeout ?? configuration.requestTimeout
        let clock = ContinuousClock()
        let end = clock.now + limit
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(limit.nanoseconds)))
            // The client's deadline stops at the response head: the body gets what is left.
            let body = try await Self.within(max(end - clock.now, .milliseconds(1))) {
                Array(try await response.body.collect(upTo: 64 << 20).readableBytesView)
            }
            var retryAfter: Duration?
            if let value = response.headers.first(name: "Retry-After"), let seconds = Double(value.trimmingASCIIWhitespace()), seconds >= 0 {
                retryAfter = .milliseconds(Int(min(seconds, 3600) * 1000))
            }
            return MorphResponse(status: Int(response.status.code), body: body, retryAfter: retryAfter)
        } catch let error as HTTPClientError {
            // Only the error's name: some carry header values (the key) as associated values.
            let name = Self.safeName(error)
            switch error {
            case .invalidURL, .emptyHost, .emptyScheme:
                throw MorphTransportFailure.unresolvable(name)
            case .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
                throw MorphTransportFailure.notSent(name)
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                throw MorphTransportFailure.timedOut(name)
            default:
                throw MorphTransportFailure.ambiguous(name)
            }
        } catch let failure as MorphTransportFailure {
            throw failure
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let text = String(describing: error)
            if text.contains("UnknownHost") || text.contains("DNS error") || text.contains("dnsAError") {
                throw MorphTransportFailure.unresolvable(text)
            }
            // Connection refused or never established: the request never left.
            if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("NIOConnectionError")
                || error is ChannelError && text.contains("connectTimeout")
            {
                throw MorphTransportFailure.notSent(text)
            }
            throw MorphTransportFailure.ambiguous(text)
        }
    }

    /// Sends an idempotent request, retrying connection failures and timeouts, 429, 502,
    /// 503, 504 (and `alsoRetry`) with backoff and jitter within the retry deadline;
    /// with `retryUnreadable`, a 2xx whose body is not JSON is asked again too.
    /// Returns the last response (the caller maps a non-2xx to its error).
    func idempotent(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil, instance: String? = nil, route: String,
        alsoRetry: Set<Int> = [], retryUnreadable: Bool = false, timeout: Duration? = nil
    ) async throws -> MorphResponse {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.retryDeadline
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try await send(method, path, query: query, body: body, timeout: timeout)
                let unreadable = retryUnreadable && (200..<300).contains(response.status) && !response.body.isEmpty && response.json == nil
                if Self.retryStatuses.contains(response.status) || alsoRetry.contains(response.status) || unreadable, clock.now < deadline {
                    try await Self.pause(attempt: attempt, retryAfter: response.retryAfter, deadline: deadline)
                    continue
                }
                return response
            } catch let failure as MorphTransportFailure {
                if case .unresolvable = failure { throw Self.error(failure, route: route, instance: instance) }
                guard clock.now < deadline else { throw Self.error(failure, route: route, instance: instance) }
                try await Self.pause(attempt: attempt, retryAfter: nil, deadline: deadline)
            }
        }
    }

    /// `HTTPClientError.name` without associated values.
    static func safeName(_ error: HTTPClientError) -> String {
        let text = String(describing: error)
        return String(text.prefix { $0 != "(" && $0 != ":" })
    }

    /// The value of `body`, or ``MorphTransportFailure/timedOut(_:)`` after `limit`.
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw MorphTransportFailure.timedOut("the answer did not complete in time")
            }
            return value
        }
    }

    /// Sleeps before retry `attempt`: the backoff (or `Retry-After`), never past `deadline`.
    static func pause(attempt: Int, retryAfter: Duration?, deadline: ContinuousClock.Instant) async throws {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return }
        try await Task.sleep(for: min(max(backoff(attempt: attempt, retryAfter: retryAfter), .milliseconds(20)), remaining))
    }

    /// Statuses an idempotent call is sent again for.
    static let retryStatuses: Set<Int> = [429, 502, 503, 504]

    /// Exponential backoff (0.25 s doubling, at most 8 s) with full jitter; `Retry-After` wins when given.
    static func backoff(attempt: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return min(retryAfter, .seconds(60)) }
        let cap = min(8000.0, 250.0 * pow(2, Double(min(attempt - 1, 10))))
        return .milliseconds(Int(Double.random(in: cap / 2...cap)))
    }

    /// The `provider.*` error for a transport failure.
    static func error(_ failure: MorphTransportFailure, route: String, instance: String?) -> ProviderError {
        var context = [ErrorContext("route", route)]
        if let instance { context.insert(ErrorContext("instance", instance), at: 0) }
        switch failure {
        case .unresolvable:
            return ProviderError(
                ErrorCode.Provider.unreachable, "cannot resolve the Morph API host (offline, or a typo in MORPH_BASE_URL / base_url?)",
                context: context)
        case .notSent(let detail):
            let reason = detail.contains("Connection refused") ? "connection refused" : Self.short(detail)
            return ProviderError(ErrorCode.Provider.unreachable, "cannot reach the Morph API (\(reason))", context: context, isRetryable: true)
        case .ambiguous(let detail):
            return ProviderError(
                ErrorCode.Provider.unreachable, "the connection to the Morph API broke before an answer came (\(Self.short(detail)))",
                context: context,
                isRetryable: false)
        case .timedOut:
            return ProviderError(ErrorCode.Provider.timeout, "the Morph API did not answer in time", context: context)
        }
    }

    /// The `provider.*` error for a non-2xx answer (the body is never copied, only a JSON `detail` string, shortened).
    static func error(status: Int, response: MorphResponse, route: String, instance: String?) -> ProviderError {
        var context = [ErrorContext("route", route), ErrorContext("status", String(status))]
        if let instance { context.insert(ErrorContext("instance", instance), at: 0) }
        let detail = response.json?["detail"]?.stringValue.map { ": " + short($0) } ?? ""
        switch status {
        case 400, 422: return ProviderError(ErrorCode.Provider.invalidRequest, "the Morph API rejected the request\(detail)", context: context)
        case 401, 403:
            return ProviderError(ErrorCode.Provider.authFailed, "the Morph API refused the key (check MORPH_API_KEY)\(detail)", context: context)
        case 402: return ProviderError(ErrorCode.Provider.quotaExceeded, "Morph refused for billing or quota reasons\(detail)", context: context)
        case 404: return ProviderError(ErrorCode.Provider.notFound, "not found on Morph (deleted, or expired by its TTL?)\(detail)", context: context)
        case 409, 412: return ProviderError(ErrorCode.Provider.wrongState, "the instance is in the wrong state for this\(detail)", context: context)
        case 429:
            return ProviderError(ErrorCode.Provider.rateLimited, "the Morph API kept rate-limiting the request", context: context, isRetryable: true)
        case 500...599:
            return ProviderError(
                ErrorCode.Provider.serverError, "the Morph API failed (HTTP \(status))\(detail)", context: context, isRetryable: true)
        default:
            return ProviderError(ErrorCode.Provider.invalidResponse, "unexpected HTTP \(status) from the Morph API", context: context)
        }
    }

    static func short(_ text: String) -> String {
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return line.count > 160 ? String(line.prefix(157)) + "…" : line
    }
}

extension Duration {
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
