import Foundation
import TestSupport
import Testing

/// The Python of the virtualenv `.ci/run` creates with Morph's official SDK
/// (`RUNJOB_MORPH_PYTHON` overrides it).
let conformancePython: String? = {
    let candidates = [ProcessInfo.processInfo.environment["RUNJOB_MORPH_PYTHON"], BuiltProducts.repositoryRoot + "/.venv-morph/bin/python"]
    return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

@Suite("Conformance with Morph's official Python SDK")
struct MorphConformanceTests {
    @Test(
        "morphcloud 0.1.116 drives the emulator through every instance call; answers match morph-openapi.json",
        .enabled(if: conformancePython != nil, "needs .venv-morph with morphcloud==0.1.116 and openapi-core (`bash .ci/run` creates it)"))
    func officialSDK() async throws {
        let python = try #require(conformancePython)
        let emulator = BuiltProducts.directory + "/morph-emulator"
        #expect(FileManager.default.isExecutableFile(atPath: emulator), "build the morph-emulator product first")
        let scratch = try TemporaryDirectory(prefix: "runjob-conformance")
        defer { scratch.remove() }
        let result = try await CommandRunner.runDetached(
            python,
            [
                BuiltProducts.repositoryRoot + "/Tests/Support/scripts/morph_conformance.py", emulator,
                BuiltProducts.repositoryRoot + "/../shared/reference/morph-openapi.json",
            ], environment: ["HOME": scratch.path, "TMPDIR": scratch.path])
        #expect(result.status == 0, "\(result.out)\(result.err)")
        #expect(result.out.contains("conformance checks passed"))
        #expect(!result.out.contains("FAIL "))
    }
}
