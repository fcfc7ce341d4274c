import Foundation

/// Writes to stdout and stderr, unbuffered per call, and knows whether stderr is
/// a terminal that may get colour (never with `NO_COLOR` or `TERM=dumb`).
struct Console: Sendable {
    /// Writes bytes to stdout.
    static func out(_ bytes: [UInt8]) {
        write(bytes, to: STDOUT_FILENO)
    }

    /// Writes raw bytes to stdout.
    static func out(_ bytes: UnsafeRawBufferPointer) {
        write(bytes, to: STDOUT_FILENO)
    }

    /// Writes text to stdout.
    static func out(_ text: String) {
        write(Array(text.utf8), to: STDOUT_FILENO)
    }

    /// Writes text to stderr.
    static func err(_ text: String) {
        write(Array(text.utf8), to: STDERR_FILENO)
    }

    /// Writes every byte to the descriptor (retrying short writes and EINTR); a closed
    /// pipe ends the write quietly.
    private static func write(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { write($0, to: descriptor) }
    }

    private static func write(_ buffer: UnsafeRawBufferPointer, to descriptor: Int32) {
        guard var pointer = buffer.baseAddress else { return }
        var remaining = buffer.count
        while remaining > 0 {
            let written = Foundation.write(descriptor, pointer, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            pointer += written
            remaining -= written
        }
    }

    /// Ends the process at once, skipping the deallocation of large values still in
    /// scope (all output is written unbuffered, so nothing is lost).
    static func exitNow(_ code: Int32) -> Never {
        Foundation.exit(code)
    }

    /// Whether the descriptor is a terminal.
    static func isTerminal(fileDescriptor: Int32) -> Bool {
        isatty(fileDescriptor) == 1
    }

    /// Whether the given stream (1 stdout, 2 stderr) should be coloured.
    static func useColor(fileDescriptor: Int32) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        if environment["NO_COLOR"] != nil { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(fileDescriptor) == 1
    }
}
