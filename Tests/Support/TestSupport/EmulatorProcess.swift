import Executor
import Foundation

/// The Morph emulator running as its own process (`morph-emulator`), as the CLI
/// tests and benchmarks use it: started with a pipe on stdin (closing it stops the
/// emulator), its port read from the first stdout line, steered over HTTP.
public final class EmulatorProcess: @unchecked Sendable {
    /// The process.
    public let process: Process
    /// The port on 127.0.0.1.
    public let port: Int
    private let input: Pipe

    /// Starts `morph-emulator` with `arguments` and waits for its port.
    public init(arguments: [String], executable: String = BuiltProducts.directory + "/morph-emulator") throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "TMPDIR": NSTemporaryDirectory()]
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let launching = process
        try withUnblockedSignals { try launching.run() }
        var line: [UInt8] = []
        while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") { line.append(byte) }
        guard let port = (try? JSONValue.parse(line))?["port"]?.intValue else {
            process.terminate()
            throw EmulatorProcessError(message: "morph-emulator did not print its port: \(String(decoding: line, as: UTF8.self))")
        }
        self.port = port
    }

    /// The base URL to give runjob (`MORPH_BASE_URL`): loopback only.
    public var baseURL: String { "http://127.0.0.1:\(port)/api" }

    /// Calls a control route (`GET instances`) and returns the parsed JSON answer.
    public func control(_ method: String, _ route: String, body: String? = nil) throws -> JSONValue {
        let answer = try LoopbackHTTP.request(port: port, method: method, path: "/_emulator/" + route, body: body)
        return answer.body.isEmpty ? .null : try JSONValue.parse(answer.body)
    }

    /// Every instance the emulator ever started (deleted ones flagged `deleted`).
    public func instances() throws -> [JSONValue] {
        try control("GET", "instances")["data"]?.arrayValue ?? []
    }

    /// Closes stdin (the emulator deletes its sandboxes and exits) and waits.
    public func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }
}

/// Why the emulator could not be used.
public struct EmulatorProcessError: Error, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// An error with `message`.
    public init(message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// A minimal blocking HTTP/1.1 client for 127.0.0.1 (control routes in tests).
public enum LoopbackHTTP {
    /// Sends one request with `Connection: close` and returns the status and body.
    public static func request(port: Int, method: String, path: String, body: String? = nil) throws -> (status: Int, body: [UInt8]) {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw EmulatorProcessError(message: "socket() failed") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw EmulatorProcessError(message: "cannot connect to 127.0.0.1:\(port)") }
        let payload = Array((body ?? "").utf8)
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(payload.count)\r\n"
        if body != nil { text += "Content-Type: application/json\r\n" }
        let request = Array((text + "\r\n").utf8) + payload
        var sent = 0
        while sent < request.count {
            let written = request[sent...].withUnsafeBytes { send(socketFD, $0.baseAddress, $0.count, 0) }
            guard written > 0 else { throw EmulatorProcessError(message: "send failed") }
            sent += written
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socketFD, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        let separator = Array("\r\n\r\n".utf8)
        guard let split = response.indices.dropLast(3).first(where: { Array(response[$0..<($0 + 4)]) == separator }) else {
            throw EmulatorProcessError(message: "no HTTP answer from 127.0.0.1:\(port)")
        }
        let head = String(decoding: response[..<split], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, Array(response[(split + 4)...]))
    }
}
