import ClaudeAuthAdapter
import ClaudeCodeAdapter
import CodexAdapter
import CommandAdapter
import Executor
import InstantAdapter
import LocalAdapter
import MorphAdapter
import PM2Adapter
import ShellAdapter
import TestSupport
import Testing

@testable import Manifest

/// Every adapter, as the CLI registers them.
let testRegistry = AdapterRegistry(
    providers: [LocalProvider.descriptor, MorphProvider.descriptor],
    processManagers: [ShellProcessManager.descriptor, PM2ProcessManager.descriptor],
    agents: [ClaudeCodeAgent.descriptor, CodexAgent.descriptor, CommandAgent.descriptor],
    logins: [ClaudeLoginSource.descriptor], resources: [InstantResource.descriptor])

/// A manifest's findings, errors and warnings, whether it loaded or not.
struct LoadOutcome {
    var manifest: Manifest?
    var diagnostics: [ManifestDiagnostic]

    var errors: [ManifestDiagnostic] { diagnostics.filter { $0.severity == .error } }
    var warnings: [ManifestDiagnostic] { diagnostics.filter { $0.severity == .warning } }
    var codes: [ErrorCode] { diagnostics.map(\.code) }
}

/// Loads `text` as `test.yaml` with the given variables and `${file:}` contents.
func load(
    _ text: String, env: [String: String] = [:], files: [String: String] = [:], strict: Bool = false, limits: YAMLLimits = .default
) -> LoadOutcome {
    load(bytes: Array(text.utf8), env: env, files: files, strict: strict, limits: limits)
}

/// Loads raw bytes as `test.yaml`.
func load(
    bytes: [UInt8], env: [String: String] = [:], files: [String: String] = [:], strict: Bool = false, limits: YAMLLimits = .default
) -> LoadOutcome {
    let environment = ManifestEnvironment(variables: env, baseDirectory: "/manifests", home: "/home/tester") { path in
        files[path].map(ManifestEnvironment.FileContent.text) ?? .missing
    }
    let loader = ManifestLoader(registry: testRegistry, environment: environment, limits: limits, strict: strict)
    do {
        let manifest = try loader.load(bytes, file: "test.yaml")
        return LoadOutcome(manifest: manifest, diagnostics: manifest.warnings)
    } catch {
        return LoadOutcome(manifest: nil, diagnostics: error.diagnostics)
    }
}

/// One finding a test expects at a marker.
struct Expected {
    var marker: String
    var code: ErrorCode
    var message: String
    var severity: ManifestDiagnostic.Severity = .error

    init(_ marker: String, _ code: ErrorCode, _ message: String, severity: ManifestDiagnostic.Severity = .error) {
        self.marker = marker
        self.code = code
        self.message = message
        self.severity = severity
    }
}

/// Loads the marked text and checks that the findings are exactly the expected
/// ones: code, severity, line:col at the marker, and the full message (path,
/// message and suggestion, as the text format prints it).
func expectFindings(
    _ marked: String, env: [String: String] = [:], files: [String: String] = [:], strict: Bool = false, limits: YAMLLimits = .default,
    _ expected: [Expected], sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    let text = MarkedText(marked)
    let outcome = load(text.text, env: env, files: files, strict: strict, limits: limits)
    let actual = outcome.diagnostics.map { "\($0.severity) \($0.code) \($0.location.line):\($0.location.column) \($0.fullMessage)" }.sorted()
    let wanted = expected.map { item -> String in
        let position = text.position(item.marker)
        return "\(item.severity) \(item.code) \(position.line):\(position.column) \(item.message)"
    }.sorted()
    #expect(actual == wanted, sourceLocation: sourceLocation)
}

/// A valid manifest skeleton to which tests add parts.
let minimalHeader = """
    version: 1
    name: demo
    provider: local
    machine: {}

    """
