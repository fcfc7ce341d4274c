import Executor

/// One HTTP request as the emulator sees it.
public struct EmulatorRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The path without the query (`/instance/morphvm_ab12cd34`).
    public var path: String
    /// The decoded query parameters, in order.
    public var query: [(name: String, value: String)]
    /// Header names (lowercased) and values.
    public var headers: [(name: String, value: String)]
    /// The body bytes.
    public var body: [UInt8]

    /// A request from its method, target (`/path?query`), headers and body.
    public init(method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = EmulatorHTTP.percentDecode(String(parts.first ?? ""))
        self.query = parts.count > 1 ? EmulatorHTTP.parseQuery(String(parts[1])) : []
        self.headers = headers.map { ($0.name.lowercased(), $0.value) }
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }

    /// The first value of query parameter `name`.
    public func parameter(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}

/// What the emulator does with a request: answer it, or misbehave.
public enum EmulatorReply: Sendable {
    /// A complete answer.
    case response(EmulatorResponse)
    /// Close the connection abruptly (TCP reset) without answering.
    case reset
    /// Never answer; keep the connection open.
    case hang
}

/// An HTTP answer.
public struct EmulatorResponse: Sendable {
    /// Status code.
    public var status: Int
    /// Extra headers (Content-Type and Content-Length are added by the server).
    public var headers: [(name: String, value: String)]
    /// Content type.
    public var contentType: String
    /// Body bytes.
    public var body: [UInt8]

    /// An answer with a raw body.
    public init(status: Int, contentType: String = "application/json", headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.contentType = contentType
        self.body = body
    }

    /// A JSON answer.
    public static func json(_ status: Int, _ value: JSONValue) -> EmulatorResponse {
        EmulatorResponse(status: status, body: Array(value.compactText.utf8))
    }

    /// `{"detail": message}` with `status`.
    public static func detail(_ status: Int, _ message: String) -> EmulatorResponse {
        json(status, .object(["detail": .string(message)]))
    }

    /// A FastAPI-style 422 with one validation entry.
    public static func validation(_ location: [String], _ message: String, type: String = "value_error") -> EmulatorResponse {
        json(
            422,
            .object([
                "detail": .array([.object(["loc": .array(location.map { .string($0) }), "msg": .string(message), "type": .string(type)])])
            ]))
    }

    /// 204 without a body.
    public static let noContent = EmulatorResponse(status: 204, body: [])
}

/// URL helpers of the emulator.
public enum EmulatorHTTP {
    /// `%XX` decoded; `+` stays `+` in paths (see ``parseQuery(_:)`` for queries).
    public static func percentDecode(_ text: String, plusIsSpace: Bool = false) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else if plusIsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `a=1&b=%5Bx%5D` as decoded pairs (brackets may arrive encoded or literal).
    public static func parseQuery(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecode(String(parts[0]), plusIsSpace: true)
            let value = parts.count > 1 ? percentDecode(String(parts[1]), plusIsSpace: true) : ""
            return (name, value)
        }
    }
}
