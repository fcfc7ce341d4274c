import Executor

/// A misbehaviour injected into matching requests, set through `POST /_emulator/faults`:
///
///     {"route": "POST /instance", "kind": "status", "status": 503, "phase": "after",
///      "count": 1, "skip": 0, "retry_after": 1, "latency_ms": 200}
///
/// `route` is a route template (``EmulatorRoute``) or `*`; the fault hits the
/// requests after the first `skip` matching ones, `count` times (0 = forever).
/// Phase `before`: the request is refused (not carried out). Phase `after`: it is
/// carried out, then the answer is lost or replaced.
public struct EmulatorFault: Sendable, Equatable {
    /// What goes wrong.
    public enum Kind: String, Sendable, CaseIterable {
        /// Extra delay, then the normal answer.
        case latency
        /// An error status with a JSON `detail` (and `Retry-After` when given).
        case status
        /// The connection is reset without an answer.
        case reset
        /// No answer, ever.
        case hang
        /// A 200 whose JSON body is cut off.
        case malformed
        /// An HTML error page (status default 502), like a proxy sends.
        case html
    }

    /// When the fault strikes.
    public enum Phase: String, Sendable, CaseIterable {
        /// Instead of carrying the request out.
        case before
        /// After carrying it out.
        case after
    }

    /// Route template (`GET /instance/{id}`) or `*`.
    public var route: String
    /// What goes wrong.
    public var kind: Kind
    /// Before or after carrying the request out.
    public var phase: Phase
    /// How many matching requests it hits (0: every one).
    public var count: Int
    /// How many matching requests pass untouched first.
    public var skip: Int
    /// Status for `status` and `html`.
    public var status: Int
    /// `Retry-After` seconds, for `status`.
    public var retryAfter: Int?
    /// Delay for `latency`.
    public var latencyMilliseconds: Int

    /// Creates a fault.
    public init(
        route: String, kind: Kind, phase: Phase = .before, count: Int = 1, skip: Int = 0, status: Int? = nil, retryAfter: Int? = nil,
        latencyMilliseconds: Int = 0
    ) {
        self.route = route
        self.kind = kind
        self.phase = phase
        self.count = count
        self.skip = skip
        self.status = status ?? (kind == .html ? 502 : 503)
        self.retryAfter = retryAfter
        self.latencyMilliseconds = latencyMilliseconds
    }

    /// The fault described by a control request body, or a message saying what is wrong with it.
    /// `templates`: the routes of the emulator it is for (the Morph emulator's by default).
    public static func parse(_ json: JSONValue, templates: [String] = EmulatorRoute.templates) -> Result<EmulatorFault, EmulatorFaultError> {
        guard let route = json["route"]?.stringValue, route == "*" || templates.contains(route) else {
            return .failure(EmulatorFaultError(message: "`route` must be `*` or one of: " + templates.joined(separator: ", ")))
        }
        guard let kindText = json["kind"]?.stringValue, let kind = Kind(rawValue: kindText) else {
            return .failure(EmulatorFaultError(message: "`kind` must be one of: " + Kind.allCases.map(\.rawValue).joined(separator: ", ")))
        }
        let phaseText = json["phase"]?.stringValue ?? "before"
        guard let phase = Phase(rawValue: phaseText) else { return .failure(EmulatorFaultError(message: "`phase` must be before or after")) }
        return .success(
            EmulatorFault(
                route: route, kind: kind, phase: phase, count: json["count"]?.intValue ?? 1, skip: json["skip"]?.intValue ?? 0,
                status: json["status"]?.intValue, retryAfter: json["retry_after"]?.intValue, latencyMilliseconds: json["latency_ms"]?.intValue ?? 0))
    }

    /// The JSON form (as `GET /_emulator/faults` lists it).
    public var json: JSONValue {
        var members: [JSONValue.Member] = [
            .init("route", .string(route)), .init("kind", .string(kind.rawValue)), .init("phase", .string(phase.rawValue)),
            .init("count", .int(count)), .init("skip", .int(skip)), .init("status", .int(status)), .init("latency_ms", .int(latencyMilliseconds)),
        ]
        if let retryAfter { members.append(.init("retry_after", .int(retryAfter))) }
        return .object(members)
    }

    /// The answer this fault gives instead of the real one (not for `latency`).
    func reply(route: String) -> EmulatorReply {
        switch kind {
        case .latency, .reset: return .reset
        case .hang: return .hang
        case .status:
            var response = EmulatorResponse.detail(status, "injected fault on \(route)")
            if let retryAfter { response.headers.append(("Retry-After", String(retryAfter))) }
            return .response(response)
        case .malformed:
            return .response(EmulatorResponse(status: 200, body: Array("{\"id\": \"morphvm_".utf8)))
        case .html:
            let page = "<html><head><title>\(status) Bad Gateway</title></head><body><h1>\(status)</h1><p>upstream error</p></body></html>"
            return .response(EmulatorResponse(status: status, contentType: "text/html", body: Array(page.utf8)))
        }
    }
}

/// Why a fault description was rejected.
public struct EmulatorFaultError: Error, Sendable {
    /// What is wrong.
    public var message: String
}

/// Route templates: how requests are named in faults and in the request log.
public enum EmulatorRoute {
    /// Every route the emulator serves.
    public static let templates = [
        "GET /image", "POST /instance", "GET /instance", "GET /instance/{id}", "DELETE /instance/{id}", "POST /instance/{id}/pause",
        "POST /instance/{id}/resume", "POST /instance/{id}/ttl", "POST /instance/{id}/metadata", "POST /instance/{id}/exec",
        "POST /instance/{id}/snapshot", "POST /instance/{id}/branch", "GET /snapshot", "GET /snapshot/{id}", "DELETE /snapshot/{id}",
    ]

    /// The template and the id of a request (`/instances/…` is accepted as an alias).
    public static func match(method: String, path: String) -> (template: String, id: String?)? {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if parts.first == "instances" { parts[0] = "instance" }
        guard let head = parts.first else { return nil }
        switch (method, parts.count) {
        case (_, 1):
            let template = "\(method) /\(head)"
            return templates.contains(template) ? (template, nil) : nil
        case (_, 2):
            let template = "\(method) /\(head)/{id}"
            return templates.contains(template) ? (template, parts[1]) : nil
        case ("POST", 3) where head == "instance":
            let template = "POST /instance/{id}/\(parts[2])"
            return templates.contains(template) ? (template, parts[1]) : nil
        default:
            return nil
        }
    }
}
