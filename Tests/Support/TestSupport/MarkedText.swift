/// Text with position markers (`1️⃣`, `2️⃣`, …) at the places a test expects
/// findings, as swift-format's rule tests do. The markers are removed; their
/// 1-based line and column (in Unicode scalars, as libyaml counts) are kept.
public struct MarkedText: Sendable {
    /// The text without markers.
    public let text: String
    /// Marker → (line, column).
    public let markers: [String: (line: Int, column: Int)]

    /// The markers recognised, in order.
    public static let markerSymbols = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟"]

    /// Reads `marked`, removing and locating every marker.
    public init(_ marked: String) {
        var out = ""
        var found: [String: (line: Int, column: Int)] = [:]
        var line = 1
        var column = 1
        var rest = Substring(marked)
        outer: while !rest.isEmpty {
            for symbol in Self.markerSymbols where rest.hasPrefix(symbol) {
                found[symbol] = (line, column)
                rest = rest.dropFirst(symbol.count)
                continue outer
            }
            let character = rest.removeFirst()
            out.append(character)
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        text = out
        markers = found
    }

    /// The position of `marker`; fails loudly when the test text lacks it.
    public func position(_ marker: String) -> (line: Int, column: Int) {
        guard let position = markers[marker] else {
            preconditionFailure("marker \(marker) is not in the test text")
        }
        return position
    }
}
