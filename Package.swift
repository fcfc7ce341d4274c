// swift-tools-version: 6.2
// runjob: run coding agents on remote VMs from declarative YAML manifests.
import PackageDescription

/// Files every source target keeps beside its code but does not compile.
let targetDocs = ["CLAUDE.md", "AGENTS.md"]

/// One entry per adapter: the folder under Sources/Adapters and the target name.
let adapters: [(folder: String, target: String)] = [
    ("Local", "LocalAdapter"),
    ("Morph", "MorphAdapter"),
    ("Shell", "ShellAdapter"),
    ("PM2", "PM2Adapter"),
    ("ClaudeCode", "ClaudeCodeAdapter"),
    ("Codex", "CodexAdapter"),
    ("Command", "CommandAdapter"),
    ("ClaudeAuth", "ClaudeAuthAdapter"),
    ("Instant", "InstantAdapter"),
    ("SSH", "SSHAdapter"),
]

let crypto: Target.Dependency = .product(name: "Crypto", package: "swift-crypto")
let subprocess: Target.Dependency = .product(name: "Subprocess", package: "swift-subprocess")
let httpClient: Target.Dependency = .product(name: "AsyncHTTPClient", package: "async-http-client")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")

var targets: [Target] = [
    .systemLibrary(
        name: "CYAML",
        path: "Sources/CYAML",
        pkgConfig: "yaml-0.1",
        providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
    ),
    .target(
        name: "Executor",
        dependencies: [crypto, logging],
        exclude: targetDocs
    ),
    .target(
        name: "AdapterKit",
        dependencies: ["Executor", httpClient],
        path: "Sources/Adapters/Kit",
        exclude: targetDocs
    ),
    .target(
        name: "Manifest",
        dependencies: ["CYAML", "Executor"],
        exclude: targetDocs
    ),
    .target(
        name: "Planner",
        dependencies: ["Manifest", "Executor"],
        exclude: targetDocs
    ),
    .target(
        name: "RunjobKit",
        dependencies: ["Executor", "Manifest", "Planner", logging] + adapters.map { .target(name: $0.target) },
        exclude: targetDocs
    ),
    .executableTarget(
        name: "runjob",
        dependencies: [
            "RunjobKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            logging,
        ],
        exclude: targetDocs
    ),
    .executableTarget(
        name: "runjob-bench",
        dependencies: ["Executor"],
        path: "Benchmarks/Redaction"
    ),
    .target(
        name: "TestSupport",
        dependencies: ["Executor"],
        path: "Tests/Support/TestSupport"
    ),
    .target(
        name: "MorphEmulator",
        dependencies: [
            "Executor", "LocalAdapter", crypto,
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ],
        path: "Tests/Support/MorphEmulator"
    ),
    .executableTarget(
        name: "morph-emulator",
        dependencies: ["MorphEmulator"],
        path: "Tests/Support/MorphEmulatorServer"
    ),
    .testTarget(name: "ExecutorTests", dependencies: ["Executor", "TestSupport", "AdapterKit"]),
    .testTarget(name: "AdapterKitTests", dependencies: ["AdapterKit", "Executor", "TestSupport"]),
    .testTarget(name: "RunjobKitTests", dependencies: ["RunjobKit", "TestSupport"]),
    .testTarget(name: "ManifestTests", dependencies: ["Manifest", "Executor", "TestSupport"] + adapters.map { .target(name: $0.target) }),
    .testTarget(name: "PlannerTests", dependencies: ["Planner", "Manifest", "Executor", "TestSupport"] + adapters.map { .target(name: $0.target) }),
    .testTarget(
        name: "runjobTests",
        dependencies: [
            "runjob", "morph-emulator", "RunjobKit", "Executor", "Manifest", "TestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ],
        exclude: ["Fixtures"]
    ),
]

/// Packages an adapter needs beyond Executor.
let adapterDependencies: [String: [Target.Dependency]] = [
    "LocalAdapter": [subprocess],
    "MorphAdapter": [httpClient],
    "ClaudeAuthAdapter": [crypto, httpClient],
    "InstantAdapter": [httpClient],
    "SSHAdapter": [.target(name: "LocalAdapter")],
]

/// Test targets of adapters that run whole plans (they need the manifest, planner and other adapters).
let adapterTestDependencies: [String: [Target.Dependency]] = [
    "LocalAdapter": ["Manifest", "Planner", "ShellAdapter", "CommandAdapter"],
    "ShellAdapter": ["LocalAdapter"],
    "MorphAdapter": ["MorphEmulator", "LocalAdapter", "Manifest", "Planner", "ShellAdapter", "CommandAdapter"],
    "ClaudeCodeAdapter": ["LocalAdapter", "ShellAdapter", "Manifest", "Planner"],
    "ClaudeAuthAdapter": ["MorphEmulator", logging],
    "InstantAdapter": ["MorphEmulator", "LocalAdapter", "Manifest", "Planner", "ShellAdapter", "CommandAdapter"],
    "CodexAdapter": ["LocalAdapter", "ShellAdapter", "Manifest", "Planner"],
    "PM2Adapter": ["LocalAdapter", "Manifest", "Planner", "CommandAdapter"],
    "SSHAdapter": ["LocalAdapter", "Manifest", "Planner", "ShellAdapter", "CommandAdapter"],
]

for adapter in adapters {
    targets.append(
        .target(
            name: adapter.target,
            dependencies: ["Executor", "AdapterKit"] + (adapterDependencies[adapter.target] ?? []),
            path: "Sources/Adapters/\(adapter.folder)",
            exclude: targetDocs
        )
    )
    targets.append(
        .testTarget(
            name: "\(adapter.target)Tests",
            dependencies: [.target(name: adapter.target), "Executor", "AdapterKit", "TestSupport"] + (adapterTestDependencies[adapter.target] ?? [])
        )
    )
}

let package = Package(
    name: "runjob",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "runjob", targets: ["runjob"]),
        .library(
            name: "RunjobKit",
            targets: ["RunjobKit", "Executor", "Manifest", "Planner"] + adapters.map(\.target)
        ),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: targets,
    swiftLanguageModes: [.v6]
)
