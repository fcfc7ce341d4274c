import ArgumentParser

/// runjob's exit codes (README lists them).
enum ExitCodes {
    /// Success.
    static let success: Int32 = 0
    /// A step failed, or a runtime error.
    static let failure: Int32 = 1
    /// Usage or manifest error: nothing was executed.
    static let usage: Int32 = 2
    /// Interrupted (after cleanup).
    static let interrupted: Int32 = 130

    /// Maps argument-parser's codes to runjob's: its usage error (64) becomes 2.
    static func map(_ code: ArgumentParser.ExitCode) -> Int32 {
        code == .validationFailure ? usage : code.rawValue
    }
}
