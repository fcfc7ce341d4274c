/// How session names become process names on an instance.
public enum ProcessNaming {
    /// The session name with every character outside `A–Z a–z 0–9 -` replaced by `-`
    /// (session names already avoid everything but `_`). Two sessions whose
    /// sanitized names are equal are rejected when the manifest is validated.
    public static func sanitize(_ session: String) -> String {
        String(
            String.UnicodeScalarView(
                session.unicodeScalars.map { scalar in
                    scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-") ? scalar : "-"
                }))
    }
}
