// Shared by the behaviour tests: translate a .coroswift program, compile it with
// swiftc against the runtime (built once per test process into a private
// folder, so parallel builds by others never race with it), run it, return what
// it printed.
import CorocCore
import Foundation
@testable import CorocSwift

enum FixtureSupport {
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    static var fixturesFolder: URL { repositoryRoot.appendingPathComponent("Fixtures/swift") }
    static var inputsFolder: URL { repositoryRoot.appendingPathComponent("Tests/CorocSwiftTests/Inputs") }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// libcoro.a built from Runtime/ into a folder of this process, or the one
    /// named by CORO_RUNTIME_LIB (with its headers in Runtime/include).
    static let runtimeLibrary: Result<URL, Failure> = {
        if let prebuilt = ProcessInfo.processInfo.environment["CORO_RUNTIME_LIB"] {
            return .success(URL(fileURLWithPath: prebuilt))
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coroc-swift-rt-\(getpid())")
        let outcome = run("/usr/bin/make", ["-s", "-C", repositoryRoot.appendingPathComponent("Runtime").path,
                                            "B=\(folder.path)", "lib"])
        guard outcome.status == 0 else { return .failure(Failure(description: "make -C Runtime failed:\n\(outcome.stderr)")) }
        return .success(folder.appendingPathComponent("libcoro.a"))
    }()

    /// The CoroSwift module (the typed API every translated program imports),
    /// built once per test process into a folder of its own (SupportModule).
    static let supportModule: Result<String, Failure> = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coroc-swift-support-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let sources = SupportModule.sources(besideRuntime: repositoryRoot.appendingPathComponent("Runtime").path)
        let arguments = SupportModule.buildArguments(
            sources: sources, includeDir: repositoryRoot.appendingPathComponent("Runtime/include").path, output: folder.path)
        let outcome = run(swiftc(), ["-warnings-as-errors"] + arguments)
        guard outcome.status == 0, !sources.isEmpty else {
            return .failure(Failure(description: "building CoroSwift failed:\n\(outcome.stderr)\(outcome.stdout)"))
        }
        return .success(folder.path)
    }()

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            return Outcome(status: -1, stdout: "", stderr: "cannot run \(executable): \(error)")
        }
        // Read both pipes before waiting, so a chatty program cannot fill a pipe and stall.
        let errData = LockedData()
        let errThread = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        errThread.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        return Outcome(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData.value, as: UTF8.self))
    }

    final class LockedData: @unchecked Sendable {   // guarded by `lock`
        private let lock = NSLock()
        private var data: Data?
        func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
        var isSet: Bool { lock.lock(); defer { lock.unlock() }; return data != nil }
        var value: Data { lock.lock(); defer { lock.unlock() }; return data ?? Data() }
    }

    static func swiftc() -> String {
        for candidate in ["/usr/bin/swiftc"] where FileManager.default.fileExists(atPath: candidate) { return candidate }
        let which = run("/usr/bin/env", ["which", "swiftc"])
        return which.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Translates `source`, compiles the result as a program in Swift 6 mode with
    /// warnings as errors, and returns the executable's path.
    static func build(fixture: URL, mode: TranslationMode) throws -> URL {
        try build(files: [fixture], mode: mode)
    }

    /// The same for a program of several files (one module): each is translated
    /// with the others as module files; the first holds the top-level code.
    static func build(files: [URL], mode: TranslationMode) throws -> URL {
        let library = try runtimeLibrary.get()
        let support = try supportModule.get()
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("coroc-swift-\(getpid())-\(files[0].deletingPathExtension().lastPathComponent)-\(mode.rawValue)-\(UUID().uuidString)")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var outputs: [String] = []
        for (index, file) in files.enumerated() {
            let others = files.filter { $0 != file }.map(\.path)
            let options = SwiftTranslateOptions(mode: mode, moduleFiles: others)
            let translation = try SwiftTranslator(options: options).translate(path: file.path)
            let output = folder.appendingPathComponent(index == 0 ? "main.swift" : "file\(index).swift")
            try translation.output.write(to: output, atomically: true, encoding: .utf8)
            outputs.append(output.path)
        }
        let executable = folder.appendingPathComponent("program")
        var flags = ["-swift-version", "6", "-warnings-as-errors", "-O",
                     "-I", repositoryRoot.appendingPathComponent("Runtime/include").path]
            + outputs + SupportModule.programArguments(output: support)
            + [library.path, "-lpthread", "-o", executable.path]
        switch mode {
        case .stackless: break
        // A stackful coroutine can move between threads inside a dynamic
        // exclusivity access, whose bookkeeping is thread-local in the Swift runtime.
        case .stackful: flags.insert("-enforce-exclusivity=unchecked", at: 0)
        }
        let compile = run(swiftc(), flags)
        guard compile.status == 0 else {
            throw Failure(description: "swiftc failed for \(outputs.joined(separator: " ")):\n\(compile.stderr)\(compile.stdout)")
        }
        return executable
    }

    /// Environment a fixture asks for in a leading `// env: KEY=VALUE ...` comment line.
    static func environment(of fixture: URL) throws -> [String: String] {
        let text = try String(contentsOf: fixture, encoding: .utf8)
        var environment: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard line.hasPrefix("//") else { break }
            guard line.hasPrefix("// env:") else { continue }
            for pair in line.dropFirst("// env:".count).split(separator: " ") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { environment[String(parts[0])] = String(parts[1]) }
            }
        }
        return environment
    }

    /// Removes the folder `build` made for `executable`.
    static func remove(_ executable: URL) {
        try? FileManager.default.removeItem(at: executable.deletingLastPathComponent())
    }

    static func expected(for fixture: URL) throws -> String {
        try String(contentsOf: fixture.deletingPathExtension().appendingPathExtension("expected"), encoding: .utf8)
    }
}
