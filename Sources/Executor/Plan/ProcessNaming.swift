/// How session names become process names on an instance.
public enum ProcessNaming {
    /// The session name with every character outside `A–Z a–z 0–9 -` replaced by `-`
    /// (session names already avoid everything but `_`). Two sessions whose
    /// sanitized names are equal are rejected when the manifest is validated.
    public static func sanitize(_ session: String) -> String {
        let bytes = session.utf8.map { byte in
            ASCII.isLetter(byte) || ASCII.isDigit(byte) || byte == UInt8(ascii: "-") ? byte : UInt8(ascii: "-")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
