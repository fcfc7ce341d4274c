/// The kinds of steps a plan contains, in the order they usually run.
public enum StepKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Create (or find again) a resource the sessions use.
    case resource
    /// Boot (or find) the instance of a machine.
    case boot
    /// Write `~/.machine.json`.
    case machineInfo = "machine-info"
    /// Install a credential profile on a machine.
    case credentials
    /// Start a session under the process manager.
    case start
    /// Wait until a session has completed.
    case wait

    /// Position in the usual order (boot first, wait last).
    public var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    /// Orders by ``rank``.
    public static func < (lhs: StepKind, rhs: StepKind) -> Bool { lhs.rank < rhs.rank }
}

/// A step's identity: `resource:<name>`, `boot:<machine>`, `machine-info:<machine>`,
/// `credentials:<profile>@<machine>`, `start:<session>`, `wait:<session>`.
public struct StepID: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The kind of step.
    public var kind: StepKind
    /// The machine, profile or session the step is about.
    public var subject: String
    /// For credentials steps, the machine the profile is installed on.
    public var machine: String?

    /// Creates an id.
    public init(kind: StepKind, subject: String, machine: String? = nil) {
        self.kind = kind
        self.subject = subject
        self.machine = machine
    }

    /// `resource:<name>`.
    public static func resource(_ name: String) -> StepID { StepID(kind: .resource, subject: name) }
    /// `boot:<machine>`.
    public static func boot(_ machine: String) -> StepID { StepID(kind: .boot, subject: machine) }
    /// `machine-info:<machine>`.
    public static func machineInfo(_ machine: String) -> StepID { StepID(kind: .machineInfo, subject: machine) }
    /// `credentials:<profile>@<machine>`.
    public static func credentials(_ profile: String, on machine: String) -> StepID {
        StepID(kind: .credentials, subject: profile, machine: machine)
    }
    /// `start:<session>`.
    public static func start(_ session: String) -> StepID { StepID(kind: .start, subject: session) }
    /// `wait:<session>`.
    public static func wait(_ session: String) -> StepID { StepID(kind: .wait, subject: session) }

    /// Parses the text form; `nil` when malformed.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = StepKind(rawValue: String(text[..<colon])) else { return nil }
        let rest = String(text[text.index(after: colon)...])
        guard !rest.isEmpty else { return nil }
        if kind == .credentials {
            guard let at = rest.firstIndex(of: "@") else { return nil }
            self.init(kind: kind, subject: String(rest[..<at]), machine: String(rest[rest.index(after: at)...]))
        } else {
            self.init(kind: kind, subject: rest)
        }
    }

    /// The text form.
    public var description: String {
        if let machine { return "\(kind.rawValue):\(subject)@\(machine)" }
        return "\(kind.rawValue):\(subject)"
    }

    /// Orders by text form.
    public static func < (lhs: StepID, rhs: StepID) -> Bool { lhs.description < rhs.description }

    /// Encodes as the text form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Decodes the text form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = StepID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a step id: \(text)")
        }
        self = id
    }
}
