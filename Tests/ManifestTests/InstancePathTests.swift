import Executor
import Testing

@testable import Manifest

@Suite("Paths stay on the instance")
struct InstancePathTests {
    let morph = "version: 1\nname: demo\nprovider: morph\nmachine: { snapshot: snapshot_x }\n"

    @Test("`..` inside the home is resolved; `..` above `~` is manifest.path_leaves_home on every provider, at the path's position")
    func dots() {
        let outcome = load(
            minimalHeader + "sessions:\n  a: { run: echo, cwd: ~/a/../b }\n  b: { run: echo, cwd: ~/./c/. }\n  c: { run: echo, cwd: ~/d/.. }\n")
        #expect(outcome.errors.isEmpty, "\(outcome.errors)")
        #expect(outcome.manifest?.sessions.map(\.cwd) == [.home("b"), .home("c"), .home("")])
        let message = "climbs out of the instance home: its `..` go above `~`; write a path inside `~`"
        for header in [minimalHeader, morph] {
            expectFindings(
                header + """
                    credentials:
                      p:
                        dirs: [{ path: 1️⃣~/.. }]
                        files: [{ path: 2️⃣~/a/../../../etc/x, content: x }]
                    sessions:
                      s: { run: echo, cwd: 3️⃣"~/../..", credentials: [p] }
                    """,
                [
                    Expected("1️⃣", ErrorCode.Manifest.pathLeavesHome, "credentials.p.dirs[0].path: `~/..` \(message)"),
                    Expected("2️⃣", ErrorCode.Manifest.pathLeavesHome, "credentials.p.files[0].path: `~/a/../../../etc/x` \(message)"),
                    Expected("3️⃣", ErrorCode.Manifest.pathLeavesHome, "sessions.s.cwd: `~/../..` \(message)"),
                ])
        }
    }

    @Test("on local, absolute credential paths, cwd and a machine home are manifest.path_outside_instance; other providers accept them")
    func absoluteOnLocal() {
        let outside =
            "is outside the instance: this provider's instances are folders on this machine, so every path must be under `~` "
            + "(the instance home); an absolute path would be written outside the instance and left behind by destroy"
        expectFindings(
            """
            version: 1
            name: demo
            provider: local
            machine:
              home: 1️⃣/srv/home
            credentials:
              p:
                dirs: [{ path: 2️⃣/etc/demo }]
                files: [{ path: 3️⃣/root/.token, content: x }]
            sessions:
              s: { run: echo, cwd: 4️⃣/tmp, credentials: [p] }
            """,
            [
                Expected("1️⃣", ErrorCode.Manifest.pathOutsideInstance, "machine.home: `/srv/home` \(outside)"),
                Expected("2️⃣", ErrorCode.Manifest.pathOutsideInstance, "credentials.p.dirs[0].path: `/etc/demo` \(outside)"),
                Expected("3️⃣", ErrorCode.Manifest.pathOutsideInstance, "credentials.p.files[0].path: `/root/.token` \(outside)"),
                Expected("4️⃣", ErrorCode.Manifest.pathOutsideInstance, "sessions.s.cwd: `/tmp` \(outside)"),
            ])
        expectFindings(
            "version: 1\nname: demo\nprovider: local\nmachine:\n  home: 1️⃣~/x\n",
            [
                Expected(
                    "1️⃣", ErrorCode.Manifest.pathOutsideInstance, "machine.home: this provider gives every instance its own home folder; remove `home`"
                )
            ])
        let remote = load(
            """
            version: 1
            name: demo
            provider: morph
            machine: { snapshot: snapshot_x, home: /srv/home }
            credentials:
              p: { dirs: [{ path: /etc/demo }], files: [{ path: /root/.token, content: x }] }
            sessions:
              s: { run: echo, cwd: /tmp, credentials: [p] }
            """)
        #expect(remote.errors.isEmpty, "\(remote.errors)")
        #expect(remote.manifest?.sessions.first?.cwd == .absolute("/tmp"))
    }
}
