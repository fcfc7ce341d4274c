import Executor
import Foundation
import Testing
import TestSupport

@testable import SSHAdapter

@Suite("SSH wrapper replies and ssh's failures")
struct SSHWrapperTests {
    private func reply(_ wrapper: SSHWrapper, stdout: String, stderr: String, exit: Int32 = 0) -> SSHWrapper.Outcome {
        wrapper.read(ExecResult(exitCode: exit, stdout: Array(stdout.utf8), stderr: Array(stderr.utf8)))
    }

    @Test("a finished command: its status from the end marker; what login scripts printed before the markers is cut off")
    func finished() {
        let wrapper = SSHWrapper(script: "true", instance: "ssh-abcdefghijkl")
        let n = wrapper.nonce
        let outcome = reply(wrapper, stdout: "motd noise\n\(n)\nout\n", stderr: "bashrc noise\n\(n):start\nerr\n\n\(n):rc=255\n", exit: 255)
        guard case .finished(let result) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(result.exitCode == 255)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "out\n")
        #expect(String(decoding: result.stderr, as: UTF8.self) == "err\n")
    }

    @Test("no start marker: never started (ssh's message kept); start without end: lost; a folder gone: missing")
    func notFinished() {
        let wrapper = SSHWrapper(script: "true")
        let n = wrapper.nonce
        guard case .neverStarted(let stderr) = reply(wrapper, stdout: "", stderr: "ssh: connect to host x port 22: Connection refused\n", exit: 255)
        else {
            Issue.record("not neverStarted")
            return
        }
        #expect(String(decoding: stderr, as: UTF8.self).contains("Connection refused"))
        guard case .lost = reply(wrapper, stdout: "\(n)\npartial", stderr: "\(n):start\n", exit: 255) else {
            Issue.record("not lost")
            return
        }
        guard case .missing = reply(wrapper, stdout: "\(n)\n", stderr: "\(n):start\n\(n):missing\n") else {
            Issue.record("not missing")
            return
        }
    }

    @Test("a script cannot fake the markers: another nonce is just output")
    func forged() {
        let wrapper = SSHWrapper(script: "true")
        let other = SSHWrapper(script: "true").nonce
        #expect(other != wrapper.nonce)
        guard case .neverStarted = reply(wrapper, stdout: "", stderr: "\(other):start\n\n\(other):rc=0\n") else {
            Issue.record("a forged marker was believed")
            return
        }
    }

    @Test("the remote command is one line of base64 for any login shell, and decodes to the wrapper")
    func remoteCommand() throws {
        let wrapper = SSHWrapper(script: "echo 'it''s' \"$HOME\" `x` \\ ; exit 3", instance: "ssh-abcdefghijkl")
        let command = wrapper.remoteCommand
        #expect(command.hasPrefix("exec bash -c \"$(printf %s "))
        let encoded = try #require(command.split(separator: " ").dropFirst(5).first)
        #expect(encoded.allSatisfy { $0.isLetter || $0.isNumber || "+/=".contains($0) })
        let decoded = try #require(Data(base64Encoded: String(encoded)))
        #expect(String(decoding: decoded, as: UTF8.self) == wrapper.wrapperScript)
    }

    @Test("ssh's messages map to provider codes; key and auth problems are not retried, connection problems are")
    func classify() {
        let endpoint = SSHEndpoint(host: "box", user: "agent", port: 2222, identityFile: nil, options: [])
        let cases: [(String, ErrorCode, Bool)] = [
            ("@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.\n", ErrorCode.Provider.hostKeyMismatch, false),
            ("No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.\r\n",
             ErrorCode.Provider.hostKeyMismatch, false),
            ("agent@box: Permission denied (publickey).\n", ErrorCode.Provider.authFailed, false),
            ("ssh: connect to host box port 2222: Connection refused\n", ErrorCode.Provider.unreachable, true),
            ("ssh: Could not resolve hostname box: Name or service not known\n", ErrorCode.Provider.unreachable, false),
            ("ssh: connect to host box port 2222: Connection timed out\n", ErrorCode.Provider.timeout, true),
            ("something else entirely\n", ErrorCode.Provider.execFailed, true),
        ]
        for (stderr, code, retryable) in cases {
            let error = SSHFailure.classify(Array(stderr.utf8), exitCode: 255, endpoint: endpoint, context: [])
            #expect(error.code == code, "\(stderr)")
            #expect(error.isRetryable == retryable, "\(stderr)")
            #expect(!error.message.contains("\n"), "one line: \(error.message)")
        }
    }

    @Test("machine options: ~ in identity_file is this machine's home; runjob's own ssh options are refused")
    func endpoint() throws {
        func machine(_ options: [(String, OptionValue)]) -> MachineSpec {
            MachineSpec(name: "box", options: AdapterOptions(options.map { OptionEntry($0.0, $0.1) }))
        }
        let made = try SSHEndpoint.of(
            machine([("host", .text("build-1")), ("identity_file", .text("~/.ssh/key")), ("ssh_options", .list([.text("ProxyJump=bastion")]))]),
            localHome: "/home/me")
        #expect(made.identityFile == "/home/me/.ssh/key")
        #expect(made.arguments == ["-i", "/home/me/.ssh/key", "-o", "ProxyJump=bastion"])
        #expect(throws: ProviderError.self) {
            try SSHEndpoint.of(machine([("host", .text("b")), ("ssh_options", .list([.text("ControlPath=/tmp/x")]))]), localHome: "/h")
        }
        #expect(throws: ProviderError.self) { try SSHEndpoint.of(machine([("host", .text("-oProxyCommand=evil"))]), localHome: "/h") }
        #expect(throws: ProviderError.self) { try SSHEndpoint.of(machine([]), localHome: "/h") }
    }
}
