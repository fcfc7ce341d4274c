/// A stable, machine-readable error code of the form `<layer>.<snake_case>`.
///
/// Codes never change meaning once published; every code is listed with its
/// meaning in `_reference/error-codes.md`, and a test fails on any code used in
/// the sources but missing there. Codes are declared only in the `ErrorCode+*`
/// files of this folder.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The code text, e.g. `manifest.unknown_key`.
    public let rawValue: String

    /// Wraps a code text. Prefer the declared constants (`ErrorCode.Manifest.unknownKey`).
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The layer prefix (`manifest`, `provider`, …).
    public var layer: String {
        String(rawValue.prefix { $0 != "." })
    }

    /// The code text.
    public var description: String { rawValue }

    /// Orders codes alphabetically.
    public static func < (lhs: ErrorCode, rhs: ErrorCode) -> Bool { lhs.rawValue < rhs.rawValue }
}
