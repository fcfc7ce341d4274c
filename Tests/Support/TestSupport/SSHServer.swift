import Foundation

/// A real OpenSSH server for tests: `sshd -D` as the current user on 127.0.0.1 and a
/// free port, with its own host key, one authorized user key and a HOME of its own
/// (`SetEnv HOME=`), all in a temporary folder; never the real `~/.ssh` or home.
/// ``clientConfig(_:)`` writes an ssh_config whose `Host` aliases reach the servers.
public final class SSHServer: @unchecked Sendable {
    /// The `Host` alias of the client configuration.
    public let alias: String
    /// The folder with keys, configuration, log and the account's home.
    public let directory: TemporaryDirectory
    /// The port it listens on.
    public let port: Int
    /// The login name (the current user).
    public let user: String
    /// The HOME sessions get (`<directory>/home`).
    public var home: String { directory.file("home") }
    /// The authorized private key.
    public var userKey: String { directory.file("userkey") }
    /// A key the server does not accept.
    public var strangerKey: String { directory.file("strangerkey") }
    /// A known_hosts file with this server's key.
    public var knownHosts: String { directory.file("known_hosts") }
    /// The public host key line (`ssh-ed25519 AAAA…`).
    public let hostKey: String
    private let lock = NSLock()
    private var pid: Int32 = 0

    /// Whether sshd can run here.
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") }

    /// Generates keys and starts a server reachable as `alias`.
    public init(alias: String) throws {
        self.alias = alias
        directory = try TemporaryDirectory(prefix: "runjob-sshd")
        chmod(directory.path, 0o700)
        user = String(cString: getpwuid(getuid()).pointee.pw_name)
        for key in ["hostkey", "userkey", "strangerkey"] {
            let made = try CommandRunner.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", key, "-f", directory.file(key)])
            guard made.status == 0 else { throw SpawnError(message: "ssh-keygen failed: \(made.err)") }
        }
        try FileManager.default.createDirectory(atPath: directory.file("home"), withIntermediateDirectories: true)
        hostKey = try String(contentsOfFile: directory.file("hostkey.pub"), encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        try FileManager.default.copyItem(atPath: directory.file("userkey.pub"), toPath: directory.file("authorized_keys"))
        port = try Self.freePort()
        try directory.write("known_hosts", "[127.0.0.1]:\(port) \(hostKey)\n")
        try directory.write(
            "sshd_config",
            """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(directory.file("hostkey"))
            AuthorizedKeysFile \(directory.file("authorized_keys"))
            PidFile \(directory.file("sshd.pid"))
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PermitRootLogin prohibit-password
            SetEnv HOME=\(directory.file("home"))
            MaxSessions 200
            MaxStartups 200:30:400
            LogLevel ERROR

            """)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        try start()
    }

    deinit { stop() }

    /// Starts sshd (again, on the same port and keys) and waits until it accepts connections.
    public func start() throws {
        FileManager.default.createFile(atPath: directory.file("sshd.err"), contents: nil)
        let started = try Spawn.start(
            "/usr/sbin/sshd", ["-D", "-f", directory.file("sshd_config"), "-E", directory.file("sshd.log")], environment: ["PATH": "/usr/bin:/bin"],
            stdin: "/dev/null", stdout: "/dev/null", stderr: directory.file("sshd.err"), directory: nil)
        lock.withLock { pid = started }
        for _ in 0..<200 {
            if Self.accepts(port) { return }
            usleep(20_000)
        }
        throw SpawnError(message: "sshd did not start on port \(port): \((try? String(contentsOfFile: directory.file("sshd.err"), encoding: .utf8)) ?? "")")
    }

    /// Kills sshd and every connection it serves at once (SIGKILL); what they started lives on.
    public func kill() {
        let listener = lock.withLock { () -> Int32 in
            defer { pid = 0 }
            return pid
        }
        guard listener > 0 else { return }
        // sshd's own processes only (the listener and one per connection): the commands they
        // started live on, as when a host's sshd dies.
        var victims = Self.descendants(of: listener).filter { pid in
            (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.hasPrefix("sshd") == true
        }
        victims.insert(listener)
        for victim in victims { Foundation.kill(victim, SIGKILL) }
        var status: Int32 = 0
        waitpid(listener, &status, 0)
    }

    /// Stops the server and removes its folder.
    public func stop() {
        kill()
        directory.remove()
    }

    /// A client configuration reaching each server as its alias with its user key and
    /// known_hosts (no agent, no other key, no system configuration).
    public static func clientConfig(_ servers: [SSHServer], knownHosts: String? = nil, key: ((SSHServer) -> String)? = nil) -> String {
        servers.map { server in
            """
            Host \(server.alias)
              HostName 127.0.0.1
              Port \(server.port)
              User \(server.user)
              IdentityFile \(key?(server) ?? server.userKey)
              IdentitiesOnly yes
              IdentityAgent none
              UserKnownHostsFile \(knownHosts ?? server.knownHosts)
              GlobalKnownHostsFile /dev/null

            """
        }.joined()
    }

    /// The pids under `root` in the process tree.
    public static func descendants(of root: Int32) -> Set<Int32> {
        var children: [Int32: [Int32]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { children[parent, default: []].append(pid) }
        }
        var found: Set<Int32> = []
        var queue = [root]
        while let next = queue.popLast() {
            for child in children[next] ?? [] where found.insert(child).inserted { queue.append(child) }
        }
        return found
    }

    private static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw SpawnError(message: "cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(_ port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
