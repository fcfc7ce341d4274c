/// A path on an instance: absolute, or relative to the instance's home directory.
///
/// `~` and a leading `~/` mean the home the provider reports at run time, never
/// the home of the machine running runjob. Resolve with ``resolved(home:)``.
public enum RemotePath: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Relative to the instance home; the associated text has no leading `/` (empty = the home itself).
    case home(String)
    /// An absolute path.
    case absolute(String)

    /// Why a text is not a usable remote path.
    public enum ParseProblem: Error, Sendable, Equatable {
        /// Neither absolute nor `~`-relative.
        case relative
        /// `~user/…`, empty, or containing NUL or a line break.
        case invalid(String)
        /// A `~/…` path whose `..` components climb above `~` (out of the instance home).
        case leavesHome
    }

    /// Reads `~`, `~/x` or `/x`; trailing slashes are dropped. In a `~/…` path, `.` and
    /// `..` components are resolved (`~/a/../b` is `~/b`); one that climbs above `~` is
    /// ``ParseProblem/leavesHome``.
    public static func parse(_ text: String) -> Result<RemotePath, ParseProblem> {
        if let simple = simplePath(text) { return .success(simple) }
        if text.isEmpty { return .failure(.invalid("the path is empty")) }
        if text.contains("\0") || text.contains("\n") || text.contains("\r") {
            return .failure(.invalid("the path contains a NUL byte or a line break"))
        }
        if text == "~" { return .success(.home("")) }
        if text.hasPrefix("~/") {
            guard let normal = normalized(String(text.dropFirst(2))) else { return .failure(.leavesHome) }
            return .success(.home(normal))
        }
        if text.hasPrefix("~") {
            return .failure(.invalid("`~user` paths are not supported; use `~` (the instance home) or an absolute path"))
        }
        if text.hasPrefix("/") {
            let trimmed = trimTrailingSlashes(text)
            return .success(.absolute(trimmed.isEmpty ? "/" : trimmed))
        }
        return .failure(.relative)
    }

    /// The common case without any clean-up to do: `~`, `~/x` or `/x` with no NUL,
    /// line break, doubled or trailing slash (and, in a `~` path, no component starting with `.`).
    private static func simplePath(_ text: String) -> RemotePath? {
        let bytes = text.utf8
        guard let first = bytes.first, bytes.count >= 2, bytes.last != UInt8(ascii: "/") else {
            return text == "~" ? .home("") : nil
        }
        var previous: UInt8 = 0
        var dotAfterSlash = false
        for byte in bytes {
            if byte == 0 || byte == 0x0A || byte == 0x0D || (byte == UInt8(ascii: "/") && previous == UInt8(ascii: "/")) { return nil }
            if byte == UInt8(ascii: ".") && previous == UInt8(ascii: "/") { dotAfterSlash = true }
            previous = byte
        }
        if first == UInt8(ascii: "/") { return .absolute(text) }
        if dotAfterSlash { return nil }
        if first == UInt8(ascii: "~"), bytes.dropFirst().first == UInt8(ascii: "/"), bytes.count > 2 {
            return .home(String(text.dropFirst(2)))
        }
        return nil
    }

    /// The absolute path on an instance whose home directory is `home`.
    public func resolved(home: String) -> String {
        switch self {
        case .absolute(let path): return path
        case .home(let relative):
            let base = home.count > 1 && home.hasSuffix("/") ? String(home.dropLast()) : home
            if relative.isEmpty { return base }
            return base == "/" ? "/" + relative : base + "/" + relative
        }
    }

    /// The parent directory (`~/a/b` → `~/a`; the home's parent is not representable, so it stays `~`).
    public var parent: RemotePath {
        switch self {
        case .home(let relative):
            guard let slash = relative.lastIndex(of: "/") else { return .home("") }
            return .home(String(relative[..<slash]))
        case .absolute(let path):
            guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return .absolute("/") }
            return .absolute(String(path[..<slash]))
        }
    }

    /// The path as written: `~`, `~/x` or `/x`.
    public var description: String {
        switch self {
        case .home(let relative): relative.isEmpty ? "~" : "~/" + relative
        case .absolute(let path): path
        }
    }

    /// Expands a command argument: `~` and a leading `~/` become the instance home.
    public static func expandArgument(_ argument: String, home: String) -> String {
        if argument == "~" || argument.hasPrefix("~/"), case .success(let path) = parse(argument) {
            return path.resolved(home: home)
        }
        return argument
    }

    /// Encodes as the written form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Decodes the written form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        switch Self.parse(text) {
        case .success(let path): self = path
        case .failure:
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an absolute or ~ path: \(text)")
        }
    }

    /// A home-relative path with empty and `.` components dropped and `..` resolved;
    /// `nil` when `..` climbs above the home.
    private static func normalized(_ relative: String) -> String? {
        var kept: [Substring] = []
        for component in relative.split(separator: "/", omittingEmptySubsequences: true) where component != "." {
            if component == ".." {
                guard kept.popLast() != nil else { return nil }
            } else {
                kept.append(component)
            }
        }
        return kept.joined(separator: "/")
    }

    private static func trimTrailingSlashes(_ text: String) -> String {
        var result = Substring(text)
        while result.count > 1 && result.hasSuffix("/") { result = result.dropLast() }
        if result == "/" && text.count > 1 { return "" }
        return String(result)
    }
}
