import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What an emulator served by ``EmulatorServer`` does with each request (the Morph API,
/// the Claude OAuth token endpoint, …): the server is the same for all of them.
public protocol EmulatorHandler: Sendable {
    /// The reply to `request`: an answer, a reset or a hang.
    func handle(_ request: EmulatorRequest) async -> EmulatorReply
}

extension MorphEmulator: EmulatorHandler {}

/// Serves an ``EmulatorHandler`` (a ``MorphEmulator``, …) over HTTP/1.1 on 127.0.0.1 and a random port.
/// Connections are served one request at a time; a `reset` fault closes the
/// socket with a TCP reset, a `hang` fault leaves the connection open and unanswered.
public final class EmulatorServer: Sendable {
    /// The port the server listens on.
    public let port: Int
    /// The emulator behind the server.
    public let handler: any EmulatorHandler
    private let listener: any Channel
    private let connections: Mutex<[ObjectIdentifier: any Channel]>
    private let serving: Mutex<Task<Void, Never>?>

    private init(port: Int, handler: any EmulatorHandler, listener: any Channel) {
        self.port = port
        self.handler = handler
        self.listener = listener
        self.connections = Mutex([:])
        self.serving = Mutex(nil)
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts serving `handler`; returns once the port is bound.
    public static func start(_ handler: any EmulatorHandler) async throws -> EmulatorServer {
        let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        guard let port = bound.channel.localAddress?.port else {
            try? await bound.channel.close()
            throw EmulatorFaultError(message: "the emulator's socket has no port")
        }
        let server = EmulatorServer(port: port, handler: handler, listener: bound.channel)
        let task = Task<Void, Never> {
            await withDiscardingTaskGroup { group in
                _ = try? await bound.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await server.serve(connection) }
                    }
                }
            }
        }
        server.serving.withLock { $0 = task }
        return server
    }

    /// Stops listening, closes every connection (hung ones too) and waits for the serving task.
    public func stop() async {
        try? await listener.close()
        let open = connections.withLock { Array($0.values) }
        for channel in open { try? await channel.close() }
        let task = serving.withLock { $0 }
        task?.cancel()
        await task?.value
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        let key = ObjectIdentifier(connection.channel)
        connections.withLock { $0[key] = connection.channel }
        defer { _ = connections.withLock { $0.removeValue(forKey: key) } }
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            var hung = false
            for try await part in inbound {
                if hung { continue }
                switch part {
                case .head(let received):
                    head = received
                    body = []
                case .body(let buffer):
                    body += buffer.readableBytesView
                case .end:
                    guard let received = head else { continue }
                    let request = EmulatorRequest(
                        method: received.method.rawValue, target: received.uri, headers: received.headers.map { ($0.name, $0.value) }, body: body)
                    switch await handler.handle(request) {
                    case .response(let response):
                        try await write(response, to: outbound, keepAlive: received.isKeepAlive)
                        if !received.isKeepAlive { return }
                    case .reset:
                        if let socket = connection.channel as? any SocketOptionProvider {
                            try? await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
                        }
                        try? await connection.channel.close()
                        return
                    case .hang:
                        hung = true
                    }
                }
            }
        }
    }

    private func write(_ response: EmulatorResponse, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, keepAlive: Bool) async throws
    {
        var headers = HTTPHeaders()
        if response.status != 204 {
            headers.add(name: "Content-Type", value: response.contentType)
            headers.add(name: "Content-Length", value: String(response.body.count))
        }
        for header in response.headers { headers.add(name: header.name, value: header.value) }
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        try await outbound.write(.head(head))
        if response.status != 204 && !response.body.isEmpty {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
        }
        try await outbound.write(.end(nil))
    }
}
