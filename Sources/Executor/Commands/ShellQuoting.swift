/// The one place where text is quoted for bash. Every remote command is built
/// as data and passes through here; no call site concatenates shell text.
public enum ShellQuoting {
    /// `text` as one bash word: left bare when it contains only safe characters,
    /// otherwise single-quoted with `'` written as `'\''`.
    public static func quote(_ text: String) -> String {
        if !text.isEmpty && text.utf8.allSatisfy(isSafe) { return text }
        return "'" + text.replacing("'", with: "'\\''") + "'"
    }

    /// Words quoted and joined with spaces.
    public static func join(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    /// A path for bash that keeps `~` meaning `$HOME`: `~/a b` → `"$HOME"/'a b'`.
    public static func quotePath(_ path: RemotePath) -> String {
        switch path {
        case .absolute(let absolute): return quote(absolute)
        case .home(let relative): return relative.isEmpty ? "\"$HOME\"" : "\"$HOME\"/" + quote(relative)
        }
    }

    private static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"),
            UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: ","):
            true
        default: false
        }
    }
}
