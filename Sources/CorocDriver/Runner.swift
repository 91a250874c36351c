// Runner: translate -> compile against the runtime -> run, for `coroc run`
// and the fixture suite.
//
// Contract: `build` produces an executable in a fresh mkdtemp directory (the
// caller owns and removes it); `execute` runs it with the fixture's arguments
// and CORO_THREADS, returning how it ended.  Nothing here goes through a shell.

import CorocSwift
import Foundation
import CorocCore

public struct RunOptions: Sendable {
    public var mode: TranslationMode = .stackless
    public var clangArgs: [String] = []        // -I / -D for translation and compilation
    public var compilerFlags: [String] = []    // after `--`
    public var catalogueFiles: [String] = []
    public var tracePaths: [TranslationMode: String] = [:]   // CORO_TRACE for the program, per mode
    public init() {}
}

/// What a fixture says about itself in its first lines:
///   // args: --flag value        arguments for the program
///   // env: NAME=VALUE ...         environment for the program
/// (within the first 10 lines).
public struct FixtureHeader: Sendable {
    public var arguments: [String] = []
    public var environment: [String: String] = [:]

    public static func parse(_ source: String) -> FixtureHeader {
        var h = FixtureHeader()
        for line in source.split(separator: "\n", omittingEmptySubsequences: false).prefix(10) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("// args:") {
                h.arguments = t.dropFirst("// args:".count).split(separator: " ").map(String.init)
            } else if t.hasPrefix("// env:") {
                for pair in t.dropFirst("// env:".count).split(separator: " ") {
                    let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    if kv.count == 2 { h.environment[kv[0]] = kv[1] }
                }
            }
        }
        return h
    }
}

public struct BuiltProgram: Sendable {
    public var executable: String
    public var workDir: String
    public var arguments: [String]
    public var environment: [String: String]
    public var warnings: [Diagnostic]
}

public enum Runner {
    public static func build(_ path: String, options: RunOptions, runtime: RuntimeLocation) throws -> BuiltProgram {
        var req = TranslateRequest(input: path)
        req.mode = options.mode
        // Parsed with the compile's flags (below: -O2, then the user's), so
        // `#ifdef __OPTIMIZE__` picks the branch that will be compiled.
        req.clangArgs = ["-O2"] + options.clangArgs + CCWrapper.translationFlags(options.compilerFlags)
        req.catalogueFiles = options.catalogueFiles
        let translated = try Translate.run(req)
        let header = FixtureHeader.parse(try FileIO.read(path))
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let dir = try FileIO.makeTempDirectory(prefix: "coroc-run-")
        let exe = "\(dir)/\(base)"
        var argv: [String]
        switch translated.language {
        case .c:
            let src = "\(dir)/\(base).c"
            try FileIO.writeAtomically(bytes: translated.outputBytes, to: src)
            argv = try Toolchain.cCompiler() + ["-std=gnu17", "-O2", "-g",
                                                "-I", runtime.includeDir]
            argv += options.clangArgs + options.compilerFlags
            // The directory of the original file, so its local #includes resolve.
            argv += ["-I", (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent]
            argv += ["-o", exe, src, runtime.library, "-lpthread"]
        case .swift:
            let src = "\(dir)/main.swift"
            try FileIO.writeAtomically(bytes: translated.outputBytes, to: src)
            let libDir = (runtime.library as NSString).deletingLastPathComponent
            argv = [try Toolchain.swiftCompiler(), "-O", "-swift-version", "6", "-I", runtime.includeDir, "-o", exe, src]
            argv += SupportModule.programArguments(output: try runtime.supportModuleFolder())
            argv += ["-L", libDir, "-lcoro"]
            // A stackful coroutine can move to another worker in the middle of an
            // inout access (`&object.field` passed to a suspending call); Swift's
            // dynamic exclusivity checks track accesses per thread and would
            // misreport that, so stackful programs are built without them.
            if options.mode == .stackful { argv.append("-enforce-exclusivity=unchecked") }
            argv += options.compilerFlags
        }
        let r = try Subprocess.run(argv, timeoutSeconds: 600)
        if !r.reason.succeeded {
            throw DriverError.failed("compiling the translated \(path) failed (\(argv[0]) \(r.reason.description)):\n\(r.stderrText)\(r.stdoutText)")
        }
        var environment = header.environment
        if let trace = options.tracePaths[options.mode] { environment["CORO_TRACE"] = trace }
        return BuiltProgram(executable: exe, workDir: dir, arguments: header.arguments,
                            environment: environment, warnings: translated.warnings)
    }

    public static func environment(threads: Int?, extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.merge(extra) { _, new in new }
        if let threads { env["CORO_THREADS"] = String(threads) }
        return env
    }

    public static func execute(_ program: BuiltProgram, threads: Int?, capture: Bool,
                               extraArguments: [String] = [], timeoutSeconds: Double? = nil) throws -> ProcessResult {
        try Subprocess.run([program.executable] + program.arguments + extraArguments,
                           environment: environment(threads: threads, extra: program.environment), capture: capture,
                           stdin: capture ? nil : FileHandle.standardInput, timeoutSeconds: timeoutSeconds)
    }

    public static func cleanUp(_ program: BuiltProgram) {
        try? FileManager.default.removeItem(atPath: program.workDir)
    }
}
