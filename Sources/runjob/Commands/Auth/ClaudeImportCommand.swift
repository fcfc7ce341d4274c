import ArgumentParser
import Foundation
import RunjobKit

/// `runjob auth claude import`: take over Claude Code's own login.
struct ClaudeImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store the login Claude Code already has (its credentials file, or the macOS Keychain).",
        discussion: """
            Without FILE: $CLAUDE_CONFIG_DIR/.credentials.json or ~/.claude/.credentials.json
            when it exists, otherwise (macOS) the Keychain item `Claude Code-credentials`
            through `security`; --keychain asks the Keychain directly.

            By default only the access token is imported: runjob then never refreshes it,
            so Claude Code's own login on this machine stays valid (a refresh rotates the
            refresh token and would log Claude Code out). --with-refresh-token imports
            it too; Claude Code here then needs /login once runjob has refreshed.

            Examples:
              runjob auth claude import
              runjob auth claude import ~/backup/credentials.json
              runjob auth claude import --keychain --with-refresh-token
            """)

    @Argument(help: "A Claude Code credentials file (JSON with `claudeAiOauth`).")
    var file: String?

    @Flag(help: "Read the macOS Keychain item `Claude Code-credentials` (through `security`).")
    var keychain = false

    @Flag(help: "Import the refresh token too (see above).")
    var withRefreshToken = false

    func validate() throws {
        if file != nil && keychain { throw ValidationError("give either FILE or --keychain, not both") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let store = try LoginStore.current(environment)
        let (text, origin): (String, String)
        do {
            (text, origin) = try ClaudeCodeLogin.read(file: file, keychain: keychain, environment: environment)
        } catch {
            CommandSupport.report(error, redactor: Redactor())
            throw ExitCode(ExitCodes.failure)
        }
        let redactor = Redactor(secrets: [Secret(source: .runtime("claude.credentials"), value: text)])
        do {
            guard let document = try? JSONValue.parse(Array(text.utf8)) else {
                throw AuthError(ErrorCode.Auth.invalidCredentialsFile, "it is not JSON", context: [.init("file", origin)])
            }
            var login = try ClaudeLogin.fromCredentialsFile(document, origin: origin)
            if !withRefreshToken { login.refreshToken = nil }
            let imported = login
            let saved = AsyncBridge.run { () async -> Result<Void, any Error> in
                do { return .success(try await store.replace(with: imported)) } catch { return .failure(error) }
            }
            if case .failure(let error) = saved { throw error }
            let refresh = login.refreshToken == nil ? "without its refresh token (runjob will not refresh it)" : "with its refresh token"
            Console.out(
                Redactor(secrets: login.secrets).redact(
                    "Imported the Claude login from \(origin) \(refresh); \(LoginTime.validity(login.expiresAt)).\n"))
        } catch {
            CommandSupport.report(error, redactor: redactor)
            throw ExitCode(ExitCodes.failure)
        }
    }
}

/// Where Claude Code keeps its login on this machine.
enum ClaudeCodeLogin {
    /// The Keychain service Claude Code stores its credentials under on macOS.
    static let keychainService = "Claude Code-credentials"

    /// The credentials JSON and where it came from.
    static func read(file: String?, keychain: Bool, environment: [String: String]) throws(AuthError) -> (String, String) {
        if let file { return try readFile(file) }
        if !keychain {
            let directory = environment["CLAUDE_CONFIG_DIR"].map { $0 } ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.claude")
            let path = directory + "/.credentials.json"
            if FileManager.default.fileExists(atPath: path) { return try readFile(path) }
            guard findSecurity(environment) != nil else {
                throw AuthError(
                    ErrorCode.Auth.invalidCredentialsFile,
                    "Claude Code's credentials file does not exist here, and there is no Keychain (`security`); name a file, or run `runjob auth claude login`",
                    context: [.init("file", path)])
            }
        }
        return try readKeychain(environment)
    }

    private static func readFile(_ path: String) throws(AuthError) -> (String, String) {
        switch LocalFile.read(path, limit: 1 << 20) {
        case .bytes(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw AuthError(ErrorCode.Auth.invalidCredentialsFile, "it is not UTF-8 text", context: [.init("file", path)])
            }
            return (text, path)
        case .missing:
            throw AuthError(ErrorCode.Auth.invalidCredentialsFile, "there is no such file", context: [.init("file", path)])
        case .directory:
            throw AuthError(ErrorCode.Auth.invalidCredentialsFile, "it is a directory", context: [.init("file", path)])
        case .tooLarge(let size):
            throw AuthError(ErrorCode.Auth.invalidCredentialsFile, "it is \(size) bytes, too large for a credentials file", context: [.init("file", path)])
        case .unreadable(let reason):
            throw AuthError(ErrorCode.Auth.invalidCredentialsFile, "it cannot be read (\(reason))", context: [.init("file", path)])
        }
    }

    private static func findSecurity(_ environment: [String: String]) -> String? {
        (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/security" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `security find-generic-password -s "Claude Code-credentials" -w`: the password on stdout.
    private static func readKeychain(_ environment: [String: String]) throws(AuthError) -> (String, String) {
        let origin = "the Keychain item `\(keychainService)`"
        guard let security = findSecurity(environment) else {
            throw AuthError(ErrorCode.Auth.keychainUnavailable, "there is no `security` command here (the Keychain is macOS only)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: security)
        process.arguments = ["find-generic-password", "-s", keychainService, "-w"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw AuthError(ErrorCode.Auth.keychainUnavailable, "cannot run `security`", context: [.init("command", security)])
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            // 44 is `security`'s "item not found"; anything else is a refusal (locked keychain, denied access).
            let why = process.terminationStatus == 44 ? "there is no such item (log in with `claude` first)" : "`security` refused (exit \(process.terminationStatus))"
            throw AuthError(ErrorCode.Auth.keychainUnavailable, "cannot read \(origin): \(why)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return (text, origin)
    }
}
