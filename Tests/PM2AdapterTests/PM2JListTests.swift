import Executor
import Foundation
import PM2Adapter
import TestSupport
import Testing

/// What each captured `pm2 jlist` output holds (read independently from the captures).
struct JListCase: Sendable, CustomTestStringConvertible {
    var fixture: String
    /// name, status, pid (`nil`: the key is absent), exit code (`nil`: absent).
    var entries: [(name: String, status: String, pid: Int?, exitCode: Int?)]
    var testDescription: String { fixture }
}

let jlistCases: [JListCase] = [
    JListCase(fixture: "01_first_jlist", entries: []),
    JListCase(fixture: "02_jlist_empty", entries: []),
    JListCase(fixture: "05_jlist_online", entries: [("cc-demo", "online", 13344, nil)]),
    JListCase(fixture: "06_jlist_exited", entries: [("cc-demo", "stopped", 0, 3)]),
    JListCase(fixture: "17_jlist_dup", entries: [("cc-demo", "stopped", 0, 3), ("cc-demo", "stopped", 0, 0)]),
    JListCase(fixture: "21_jl", entries: [("cc-abs", "stopped", 0, 0)]),
    JListCase(fixture: "25_jl", entries: [("cc-abs", "stopped", 0, 0)]),
    JListCase(fixture: "28_jl", entries: [("cc-k9", "stopped", 0, 0), ("cc-crash", "errored", 0, 1)]),
    JListCase(fixture: "30_jl", entries: [("cc-eco", "stopped", 0, 0), ("cc-eco-strargs", "stopped", 0, 0)]),
    JListCase(fixture: "32_jl", entries: [("cc-eco", "stopped", 0, 0), ("cc-eco-strargs", "stopped", 0, 0)]),
    JListCase(fixture: "39_jl", entries: [("cc-time", "stopped", 0, 0), ("cc-notime", "stopped", 0, 0), ("cc-cwd", "online", nil, nil)]),
    JListCase(fixture: "45_silent_jlist", entries: [("cc-time", "stopped", 0, 0), ("cc-notime", "stopped", 0, 0), ("cc-cwd", "stopped", nil, nil)]),
    JListCase(fixture: "48_jlist_after_kill", entries: []),
    JListCase(fixture: "50_silent_first", entries: []),
    JListCase(
        fixture: "57_outdated_jlist",
        entries: [
            ("cc-inst", "stopped", 0, 0), ("cc-inst", "stopped", 0, 0), ("cc-lg", "stopped", 0, 0), ("cc-merge", "stopped", 0, 0),
            ("cc-merge", "stopped", 0, 0),
        ]),
    JListCase(fixture: "91_jl", entries: [("cc-mr", "errored", 0, 1)]),
]

@Suite("pm2 jlist parser")
struct PM2JListTests {
    static func fixture(_ name: String) throws -> String {
        let path = BuiltProducts.repositoryRoot + "/_reference/fixtures/pm2-7.0.3/\(name).stdout"
        return String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self)
    }

    @Test("every captured jlist output: names, statuses, pid presence, exit codes (banners and notices skipped)", arguments: jlistCases)
    func captured(_ jlistCase: JListCase) throws {
        let entries = try #require(PM2JList.parse(try Self.fixture(jlistCase.fixture)))
        #expect(entries.map(\.name) == jlistCase.entries.map(\.name))
        #expect(entries.map(\.status) == jlistCase.entries.map(\.status))
        #expect(entries.map(\.pid) == jlistCase.entries.map(\.pid))
        #expect(entries.map(\.exitCode) == jlistCase.entries.map(\.exitCode))
    }

    @Test("states per pm2-cli.md §4.3: online without pid failed, errored failed, stopped by exit code")
    func states() throws {
        let cwd = try #require(PM2JList.parse(try Self.fixture("39_jl")))
        #expect(cwd.last?.state == .failed)
        let online = try #require(PM2JList.parse(try Self.fixture("05_jlist_online")))
        #expect(online.first?.state == .running)
        let crash = try #require(PM2JList.parse(try Self.fixture("28_jl")))
        #expect(crash.map(\.state) == [.exited, .failed])
        #expect(PM2Entry(name: "x", status: "waiting restart").state == .running)
        #expect(PM2Entry(name: "x", status: "something new").state == .unknown)
    }

    @Test("no JSON array: nil, never an empty list")
    func noArray() throws {
        #expect(PM2JList.parse("") == nil)
        #expect(PM2JList.parse("[PM2] Spawning PM2 daemon with pm2_home=/root/.pm2\n[PM2] PM2 Successfully daemonized\n") == nil)
        #expect(PM2JList.parse(try Self.fixture("03_ping")) == nil)
        #expect(PM2JList.parse("[{\"pid\": 1, \"name\"") == nil)
    }
}
