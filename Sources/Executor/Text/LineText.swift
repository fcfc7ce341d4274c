/// Small text helpers for one-line summaries.
public enum LineText {
    /// The first non-blank line of `text`, at most `limit` characters (with `…` when cut),
    /// and how many further non-blank lines there are.
    public static func firstLine(_ text: String, limit: Int = 100) -> (line: String, more: Int) {
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { String($0).trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
        guard let first = lines.first else { return ("", 0) }
        return (clip(first, limit: limit), lines.count - 1)
    }

    /// `text` on one line (line breaks become spaces), at most `limit` characters.
    public static func oneLine(_ text: String, limit: Int = 120) -> String {
        let flat = String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 })
        return clip(flat.trimmingASCIIWhitespace(), limit: limit)
    }

    /// `text` cut to `limit` characters, with `…` when cut.
    public static func clip(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(0, limit - 1))) + "…"
    }

    /// Dollars with four decimals: `$0.0021`.
    public static func dollars(_ amount: Double) -> String {
        let scaled = Int((max(0, amount) * 10_000).rounded())
        let fraction = String(scaled % 10_000)
        return "$\(scaled / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
    }

    /// Seconds with one decimal from milliseconds: `2.3s`.
    public static func seconds(milliseconds: Int) -> String {
        let tenths = (max(0, milliseconds) + 50) / 100
        return "\(tenths / 10).\(tenths % 10)s"
    }

    /// `1 turn`, `2 turns`.
    public static func count(_ value: Int, _ noun: String) -> String {
        "\(value) \(noun)\(value == 1 ? "" : "s")"
    }
}
