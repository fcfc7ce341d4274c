/// How a secret is shown in place of its value.
public enum PlaceholderStyle: Sendable, Equatable {
    /// `<secret env:NAME>`, or `<secret env:NAME (unset)>` when the value is missing: for people.
    case withState
    /// `<secret env:NAME>` whether or not the value is known: for the config digest,
    /// which must not change when a secret appears or disappears.
    case sourceOnly
}
