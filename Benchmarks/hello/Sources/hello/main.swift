import Foundation

// Touch Foundation the way a CLI does at start-up: environment, files, output.
let environment = ProcessInfo.processInfo.environment
let exists = FileManager.default.fileExists(atPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/")
print("hello \(environment.count) \(exists)")
