// Redaction cost: 10 MB of log text against one secret, 10 000 secrets, and a 114 KB
// secret prompt (every long line of it a pattern of its own), in one piece and as a
// stream of 64 KiB chunks. Floor (issue [5]): 10 000 secrets ≤ 3× one secret.
//
//   swift run -c release runjob-bench [ROUNDS]
import Executor
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wall-clock milliseconds of `body`.
func milliseconds(_ body: () -> Void) -> Double {
    var start = timespec()
    var end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    body()
    clock_gettime(CLOCK_MONOTONIC, &end)
    return Double(end.tv_sec - start.tv_sec) * 1000 + Double(end.tv_nsec - start.tv_nsec) / 1_000_000
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// A deterministic generator of letters and digits.
struct Letters {
    var state: UInt64
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
    mutating func word(_ length: Int) -> String {
        var bytes: [UInt8] = []
        for _ in 0..<length {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            bytes.append(Self.alphabet[Int(state >> 33) % Self.alphabet.count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

let rounds = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 7 : 7
var letters = Letters(state: 42)

// 10 MB of log text: prose, JSON events and base64 lines, with one real secret now and then.
let secret = "sk-live-" + letters.word(32)
var lines: [String] = []
var size = 0
var index = 0
while size < 10_000_000 {
    let line: String
    switch index % 4 {
    case 0: line = "2026-12-07T11:47:14Z info worker \(index): processed \(letters.word(8)) files in \(index % 97) ms, nothing to report"
    case 1: line = #"{"type":"assistant","message":{"content":[{"type":"text","text":"Looking at \#(letters.word(12)) now"}]},"n":\#(index)}"#
    case 2: line = letters.word(76)
    default: line = index % 4000 == 3 ? "token in use: \(secret)" : "    at Module.\(letters.word(10)) (src/\(letters.word(6)).ts:\(index % 500):12)"
    }
    lines.append(line)
    size += line.utf8.count + 1
    index += 1
}
let logText = Array((lines.joined(separator: "\n") + "\n").utf8)
// 10 MB of base64 (76 columns): the hardest text for base64 forms of secrets.
var encodedLines: [String] = []
var encodedSize = 0
while encodedSize < 10_000_000 {
    let line = String(decoding: Base64.encode(Array(letters.word(57).utf8)).prefix(76), as: UTF8.self)
    encodedLines.append(line)
    encodedSize += line.utf8.count + 1
}
let base64Text = Array((encodedLines.joined(separator: "\n") + "\n").utf8)

// A 114 KB prompt: 1 900 lines of prose-like words.
var promptLines: [String] = []
while promptLines.joined(separator: "\n").utf8.count < 114_000 {
    promptLines.append((0..<8).map { _ in letters.word(6) }.joined(separator: " "))
}
let prompt = promptLines.joined(separator: "\n")

let one = Redactor(secrets: [Secret(source: .env("TOKEN"), value: secret)])
let many = Redactor()
many.add(value: secret)
for _ in 1..<10_000 { many.add(value: "tok-" + letters.word(28)) }
let promptRedactor = Redactor()
promptRedactor.add(value: secret)
promptRedactor.add(value: prompt)

func redactWhole(_ redactor: Redactor, _ text: [UInt8]) -> Int { redactor.redact(bytes: text).count }

func redactStream(_ redactor: Redactor, _ text: [UInt8]) -> Int {
    var stream = StreamRedactor(redactor: redactor)
    var written = 0
    var position = 0
    while position < text.count {
        let end = min(text.count, position + 65_536)
        written += stream.feed(Array(text[position..<end])).count
        position = end
    }
    return written + stream.finish().count
}

var results: [String: Double] = [:]
for (textName, text) in [("log text", logText), ("base64 text", base64Text)] {
    print("\(textName): \(text.count) bytes, median of \(rounds) rounds")
    for (name, redactor) in [("1 secret", one), ("10 000 secrets", many), ("114 KB secret prompt", promptRedactor)] {
        var firstOutput = 0
        let build = milliseconds { firstOutput = redactWhole(redactor, text) }  // the first call builds the matcher
        var whole: [Double] = []
        var stream: [Double] = []
        for _ in 0..<rounds {
            whole.append(milliseconds { precondition(redactWhole(redactor, text) == firstOutput) })
            stream.append(milliseconds { precondition(redactStream(redactor, text) == firstOutput) })
        }
        results[textName + " " + name] = median(whole)
        let line = "  \(name):" + String(repeating: " ", count: max(1, 22 - name.count))
        print(
            line + "whole \(String(format: "%7.1f", median(whole))) ms · stream \(String(format: "%7.1f", median(stream))) ms"
                + " · first call \(String(format: "%7.1f", build)) ms")
    }
}
var ratio = 0.0
for textName in ["log text", "base64 text"] {
    let one = results[textName + " 1 secret"] ?? 1
    let many = (results[textName + " 10 000 secrets"] ?? 0) / one
    let prompt = (results[textName + " 114 KB secret prompt"] ?? 0) / one
    ratio = max(ratio, many)
    print("\(textName): 10 000 secrets / 1 secret \(String(format: "%.2f", many))x (floor <= 3x) · 114 KB prompt / 1 secret \(String(format: "%.2f", prompt))x")
}
exit(ratio <= 3 ? 0 : 1)
