import Foundation
import RunjobKit

/// Reads what the user pastes: from a terminal without echo (the code is a secret and
/// must not stay on screen or in the scrollback), otherwise one line from stdin.
enum PasteReader {
    /// The first non-empty line, trimmed; `nil` at end of input.
    static func read(prompt: String, interactive: Bool) -> String? {
        guard interactive else { return firstLine() }
        Console.err(prompt)
        var saved = termios()
        let hasTerminal = tcgetattr(0, &saved) == 0
        if hasTerminal {
            // Ctrl-C while echo is off must not leave the terminal silent.
            let restore = saved
            EarlyInterrupts.process.forward { _ in
                var original = restore
                tcsetattr(0, TCSANOW, &original)
                _exit(ExitCodes.interrupted)
            }
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(0, TCSAFLUSH, &silent)
        }
        defer {
            if hasTerminal { tcsetattr(0, TCSAFLUSH, &saved) }
            Console.err("\n")
        }
        return firstLine()
    }

    private static func firstLine() -> String? {
        while let line = Swift.readLine(strippingNewline: true) {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { return trimmed }
        }
        return nil
    }
}

/// Opens a URL in the user's browser when there is one; failures are silent (the URL is printed anyway).
enum Browser {
    static func open(_ url: String, environment: [String: String]) {
        #if os(macOS)
            let opener = "/usr/bin/open"
        #else
            guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil,
                let opener = (environment["PATH"] ?? "").split(separator: ":").map({ "\($0)/xdg-open" }).first(where: {
                    FileManager.default.isExecutableFile(atPath: $0)
                })
            else { return }
        #endif
        let process = Process()
        process.executableURL = URL(fileURLWithPath: opener)
        process.arguments = [url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }
}

/// How login expiry times are shown: local time and relative.
enum LoginTime {
    /// `2026-12-07 20:11 +0000`.
    static func local(_ milliseconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss Z"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// `in 7h 59m`, `2m ago`.
    static func relative(_ milliseconds: Int64, now: Int64 = RunClock.nowMilliseconds()) -> String {
        let seconds = (milliseconds - now) / 1000
        let magnitude = abs(seconds)
        let text: String
        if magnitude >= 86400 {
            text = "\(magnitude / 86400)d \(magnitude % 86400 / 3600)h"
        } else if magnitude >= 3600 {
            text = "\(magnitude / 3600)h \(magnitude % 3600 / 60)m"
        } else if magnitude >= 60 {
            text = "\(magnitude / 60)m"
        } else {
            text = "\(magnitude)s"
        }
        return seconds >= 0 ? "in " + text : text + " ago"
    }

    /// `valid until 2026-12-07 20:11:00 +0000 (in 7h 59m)` or `expired at … (2m ago)`.
    static func validity(_ expiresAt: Int64, now: Int64 = RunClock.nowMilliseconds()) -> String {
        (expiresAt > now ? "valid until " : "expired at ") + local(expiresAt) + " (" + relative(expiresAt, now: now) + ")"
    }
}
