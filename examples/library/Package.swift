// swift-tools-version: 6.2
// A Swift program that drives runjob through RunjobKit (no CLI, no manifest).
import Foundation
import PackageDescription

/// A path dependency is known by its folder's name (`runjob` in a usual clone).
let runjobFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.lastPathComponent

let package = Package(
    name: "runjob-library-example",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "runjob-library-example",
            dependencies: [.product(name: "RunjobKit", package: runjobFolder)]
        )
    ],
    swiftLanguageModes: [.v6]
)
