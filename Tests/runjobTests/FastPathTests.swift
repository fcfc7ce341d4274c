import ArgumentParser
import Manifest
import Testing

@testable import runjob

/// The fast path must never disagree with argument-parser: whatever it accepts,
/// argument-parser accepts with the same values; everything else it leaves alone.
@Suite struct FastPathTests {
    /// What argument-parser makes of `arguments`, in FastPath's terms; `nil` when it
    /// refuses them, asks for help, or picks another command.
    static func parsedByArgumentParser(_ arguments: [String]) -> FastPath? {
        guard let command = try? Runjob.parseAsRoot(arguments) else { return nil }
        if let validate = command as? ValidateCommand {
            return .validate(files: validate.files, format: validate.format, strict: validate.strict)
        }
        if let plan = command as? PlanCommand {
            return .plan(file: plan.file, workspace: plan.workspace.workspace, output: plan.output, detailedExitcode: plan.detailedExitcode)
        }
        return nil
    }

    @Test(arguments: [
        ["validate", "a.yaml"],
        ["validate", "a.yaml", "b.yaml", "-"],
        ["validate", "--strict", "a.yaml"],
        ["validate", "a.yaml", "--format", "json"],
        ["validate", "--format=github", "--strict", "a.yaml"],
        ["plan", "job.yaml"],
        ["plan", "--output", "json", "job.yaml"],
        ["plan", "job.yaml", "--output=markdown", "--workspace", "ci-42", "--detailed-exitcode"],
        ["plan", "-"],
    ])
    func acceptsWhatArgumentParserAcceptsWithTheSameValues(_ arguments: [String]) throws {
        let fast = try #require(FastPath(arguments))
        #expect(fast == Self.parsedByArgumentParser(arguments))
    }

    @Test func readsEveryOptionAndFlag() {
        #expect(
            FastPath(["validate", "--format", "json", "--strict", "x.yaml", "-"])
                == .validate(files: ["x.yaml", "-"], format: .json, strict: true))
        #expect(
            FastPath(["plan", "--workspace=ci", "--output", "markdown", "--detailed-exitcode", "x.yaml"])
                == .plan(file: "x.yaml", workspace: "ci", output: .markdown, detailedExitcode: true))
        #expect(FastPath(["plan", "x.yaml"]) == .plan(file: "x.yaml", workspace: "default", output: .text, detailedExitcode: false))
    }

    @Test(arguments: [
        [],
        ["validate"],  // no file: argument-parser says which argument is missing
        ["validate", "-", "-"],  // stdin twice
        ["validate", "--help", "a.yaml"],
        ["validate", "-h"],
        ["validate", "help"],
        ["validate", "--format", "yaml", "a.yaml"],  // a value the option refuses
        ["validate", "--format", "a.yaml"],  // the value is missing
        ["validate", "--format"],
        ["validate", "--format", "--strict", "a.yaml"],
        ["validate", "--strict", "--strict", "a.yaml"],  // repeated
        ["validate", "--format=json", "--format=text", "a.yaml"],
        ["validate", "--strict=yes", "a.yaml"],
        ["validate", "--", "-odd-name.yaml"],
        ["validate", "--unknown", "a.yaml"],
        ["validate", "-x", "a.yaml"],
        ["plan"],
        ["plan", "a.yaml", "b.yaml"],
        ["plan", "--workspace", "Not_Valid", "a.yaml"],
        ["plan", "--workspace=", "a.yaml"],
        ["plan", "--output", "yaml", "a.yaml"],
        ["plan", "--strict", "a.yaml"],  // another command's flag
        ["apply", "a.yaml"],
        ["--version"],
        ["help", "validate"],
    ])
    func leavesEverythingElseToArgumentParser(_ arguments: [String]) {
        #expect(FastPath(arguments) == nil)
    }

    /// Every option and flag of `validate` and `plan` (as their usage lists them) is one
    /// the fast path reads: an option added to a command must be added there too.
    @Test func knowsEveryOptionOfItsCommands() {
        func options(_ command: any ParsableCommand.Type) -> Set<String> {
            // The usage line lists every option and flag: `runjob plan <file> [--workspace <workspace>] …`.
            let usage = Runjob.usageString(for: command, includeHidden: true)
            let names = usage.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "[" || $0 == "]" })
                .filter { $0.hasPrefix("--") && $0.count > 2 }
                .map { String($0.dropFirst(2)) }
            return Set(names)
        }
        #expect(options(ValidateCommand.self) == FastPath.validateOptions.union(FastPath.validateFlags))
        #expect(options(PlanCommand.self) == FastPath.planOptions.union(FastPath.planFlags).union(FastPath.planDeferredOptions))
        #expect(FastPath(["plan", "a.yaml", "--rerun", "x"]) == nil)
        // The check reads the real usage line: an empty reading would prove nothing.
        #expect(!options(ValidateCommand.self).isEmpty)
    }

    /// Many generated argument lists: an accepted one always matches argument-parser.
    @Test func neverDisagreesWithArgumentParserOnGeneratedArguments() {
        let tokens = [
            "a.yaml", "b.yaml", "-", "--strict", "--format", "json", "github", "text", "--format=json", "--output", "markdown",
            "--output=json", "--workspace", "ci-1", "--workspace=Bad", "--detailed-exitcode", "--", "-h", "help", "=", "--=x",
        ]
        var generator = SplitMix64(seed: 0x5EED)
        var accepted = 0
        for _ in 0..<3000 {
            let command = generator.next() % 2 == 0 ? "validate" : "plan"
            let count = Int(generator.next() % 6)
            let arguments = [command] + (0..<count).map { _ in tokens[Int(generator.next() % UInt64(tokens.count))] }
            guard let fast = FastPath(arguments) else { continue }
            accepted += 1
            #expect(fast == Self.parsedByArgumentParser(arguments), "\(arguments)")
        }
        // The generator must exercise the fast path, not only its refusals.
        #expect(accepted > 300)
    }
}

/// A small deterministic random generator (SplitMix64), so the generated cases are
/// the same in every run.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
