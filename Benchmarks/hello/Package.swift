// swift-tools-version: 6.2
// Baseline for start-up time: a Foundation hello-world built like runjob (swift build -c release).
import PackageDescription

let package = Package(
    name: "hello",
    targets: [.executableTarget(name: "hello")],
    swiftLanguageModes: [.v6]
)
