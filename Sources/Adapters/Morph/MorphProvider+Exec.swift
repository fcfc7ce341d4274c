import Executor

extension MorphProvider {
    /// Runs `command` on the instance through `POST /instance/{id}/exec` as
    /// `["bash", "-c", script]` and returns its exit code and output.
    ///
    /// Morph's exec has no stdin, so `stdin` travels base64-encoded inside the
    /// script: inline while it fits ``MorphConfiguration/maxInlinePayload``, else
    /// uploaded in chunks to a 0600 temporary file first. That text is part of the
    /// command line on the VM while the call runs (visible in its process list).
    /// A command that changes things is sent again only when the request certainly
    /// never left this machine; read-only commands are retried like GETs.
    public func exec(_ id: String, _ command: CommandSpec, stdin: [UInt8]?) async throws -> ExecResult {
        let script = ShellScript.render(command)
        guard let stdin, !stdin.isEmpty else { return try await run(id, script, label: command.label, retry: command.readOnly) }
        let encoded = Base64.encode(stdin)
        let inline = Self.feeding(inline: encoded, to: script)
        // One argv element on Linux holds at most 128 KiB: the script counts too.
        if encoded.count <= configuration.maxInlinePayload && inline.utf8.count <= Self.maxCommandBytes {
            return try await run(id, inline, label: command.label, retry: command.readOnly)
        }
        return try await runChunked(id, script: script, encoded: encoded, label: command.label)
    }

    /// Writes a batch with one exec (more when its payload needs chunks).
    public func writeFiles(_ id: String, _ batch: FileBatch) async throws {
        try await execFileBatch(id, batch)
    }

    /// Reads the file with one read-only exec (`base64` on the instance); `nil` when it does not exist.
    public func readFile(_ id: String, path: String) async throws -> [UInt8]? {
        let quoted = ShellQuoting.quote(path)
        let script = "if [ -d \(quoted) ]; then exit 4; fi\n[ -e \(quoted) ] || exit 3\nbase64 < \(quoted)"
        let result = try await run(id, script, label: "read-file", retry: true)
        switch result.exitCode {
        case 0:
            if let bytes = Base64.decode(result.stdoutText) { return bytes }
            throw ProviderError(
                ErrorCode.Provider.fileReadFailed, "the content of \(path) came back garbled", context: [.init("instance", id), .init("path", path)])
        case 3: return nil
        default:
            let what = result.exitCode == 4 ? "it is a directory" : "exit \(result.exitCode)"
            throw ProviderError(
                ErrorCode.Provider.fileReadFailed, "cannot read \(path) (\(what))", context: [.init("instance", id), .init("path", path)])
        }
    }

    // MARK: Payloads

    /// The largest command text sent in one exec (Linux allows 128 KiB per argv element).
    static let maxCommandBytes = 120 * 1024

    /// A script that decodes `encoded` and pipes it into `script` (a bad decode fails it).
    static func feeding(inline encoded: [UInt8], to script: String) -> String {
        "set -o pipefail\nprintf '%s' '\(String(decoding: encoded, as: UTF8.self))' | base64 -d | bash -c \(ShellQuoting.quote(script))"
    }

    /// Uploads `encoded` in chunks to a 0600 file with a name chosen here (so it can be
    /// removed whatever happens), then runs `script` with the decoded file on stdin; the
    /// file is unlinked before the script starts, and removed on any failure.
    private func runChunked(_ id: String, script: String, encoded: [UInt8], label: String?) async throws -> ExecResult {
        let size = max(1024, configuration.maxInlinePayload)
        let chunks = stride(from: 0, to: encoded.count, by: size).map { String(decoding: encoded[$0..<min($0 + size, encoded.count)], as: UTF8.self) }
        let file = "${TMPDIR:-/tmp}/runjob-stdin-" + RunClock.newRunID().lowercased()
        let context = [ErrorContext("instance", id), ErrorContext("command", label ?? "exec")]
        do {
            for (index, chunk) in chunks.enumerated().dropLast() {
                // The first chunk creates the file exclusively (noclobber), the others append.
                let write = index == 0 ? "umask 077\nset -C\nprintf '%s' '\(chunk)' > \"\(file)\"" : "printf '%s' '\(chunk)' >> \"\(file)\""
                let written = try await run(id, write, label: label, retry: false)
                guard written.exitCode == 0 else {
                    throw ProviderError(
                        ErrorCode.Provider.fileWriteFailed,
                        "cannot write chunk \(index + 1) of \(chunks.count) of a \(encoded.count)-byte upload (exit \(written.exitCode))",
                        context: context)
                }
            }
            let create = chunks.count == 1 ? "umask 077\nset -C\nprintf '%s' '\(chunks[0])' > \"\(file)\" || exit \(RemoteExitStatus.writeFailed.code)\nset +C\n" : ""
            let last = chunks.count > 1 ? "printf '%s' '\(chunks[chunks.count - 1])' >> \"\(file)\" || exit \(RemoteExitStatus.writeFailed.code)\n" : create
            let final =
                "set -o pipefail\n" + last
                + "exec 3< \"\(file)\" || exit \(RemoteExitStatus.writeFailed.code)\nrm -f -- \"\(file)\"\nbase64 -d <&3 | bash -c \(ShellQuoting.quote(script)) 3<&-"
            return try await run(id, final, label: label, retry: false)
        } catch {
            let provider = self
            await Task { _ = try? await provider.run(id, "rm -f -- \"\(file)\"", label: "cleanup", retry: true) }.value
            throw error
        }
    }

    // MARK: The exec call

    /// One exec call (retried per the rules above) with the script as `bash -c`.
    func run(_ id: String, _ script: String, label: String?, retry: Bool) async throws -> ExecResult {
        let route = "POST /instance/{id}/exec"
        let path = Self.instancePath(id) + "/exec"
        let body = JSONValue.object(["command": .array([.string("bash"), .string("-c"), .string(script)])])
        let context = [ErrorContext("instance", id), ErrorContext("command", label ?? "exec")]
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.retryDeadline
        var attempt = 0
        while true {
            attempt += 1
            let response: MorphResponse
            do {
                response = try await http.send(.POST, path, body: body, timeout: configuration.execTimeout, label: label)
            } catch let failure as MorphTransportFailure {
                var mayRetry = retry
                if case .notSent = failure { mayRetry = true }
                if case .unresolvable = failure { mayRetry = false }
                guard mayRetry, clock.now < deadline else { throw MorphHTTP.error(failure, route: route, instance: id).adding(context) }
                try await MorphHTTP.pause(attempt: attempt, retryAfter: nil, deadline: deadline)
                continue
            }
            let unreadable = (200..<300).contains(response.status) && response.json?["exit_code"]?.intValue == nil
            if retry, MorphHTTP.retryStatuses.contains(response.status) || unreadable, clock.now < deadline {
                try await MorphHTTP.pause(attempt: attempt, retryAfter: response.retryAfter, deadline: deadline)
                continue
            }
            guard (200..<300).contains(response.status) else {
                throw MorphHTTP.error(status: response.status, response: response, route: route, instance: id).adding(context)
            }
            guard let json = response.json, let exitCode = json["exit_code"]?.intValue else {
                throw ProviderError(ErrorCode.Provider.invalidResponse, "the Morph API sent an exec result runjob cannot read", context: context)
            }
            return ExecResult(
                exitCode: Int32(truncatingIfNeeded: exitCode), stdout: Array((json["stdout"]?.stringValue ?? "").utf8),
                stderr: Array((json["stderr"]?.stringValue ?? "").utf8))
        }
    }
}

extension ProviderError {
    /// The same error with `extra` context entries that it does not have yet.
    func adding(_ extra: [ErrorContext]) -> ProviderError {
        var merged = context
        for entry in extra where !merged.contains(where: { $0.key == entry.key }) { merged.append(entry) }
        return ProviderError(code, message, context: merged, isRetryable: isRetryable)
    }
}
