// The coroc command line: a thin layer over CorocDriver.
// Exit status: 0 success, 1 diagnostics in the input or a failed check/run,
// 2 usage or environment problems (unknown flag, missing file or tool).

import ArgumentParser
import CorocCore
import CorocDriver
import Foundation

@main
struct Coroc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coroc",
        abstract: "Static coroutines for C and Swift: annotated functions become state machines (or run on their own stacks) on a Go-style runtime.",
        discussion: """
            Mark C functions with CORO (from <coro.h>) or Swift functions with @coroutine in a .coroswift file; \
            blocking I/O calls and loop back-edges become suspend points.

            Examples:
              coroc translate server.c -o server.gen.c
              coroc run Fixtures/c/echo.c --mode both --threads 4
              coroc run Fixtures/c/echo.c --mode both --trace
              coroc explain server.c --function handle
              CC="coroc cc" make
            """,
        version: CorocVersion.string,
        subcommands: [TranslateCommand.self, RunCommand.self, TraceCommand.self, ExplainCommand.self, BenchCommand.self, CCCommand.self]
    )

    /// Runs a command body and maps DriverError to the documented exit statuses.
    static func guarded(_ body: () throws -> Int32) throws {
        do {
            let status = try body()
            if status != 0 { throw ExitCode(status) }
        } catch let e as DriverError {
            FileHandle.standardError.write(Data((e.description.hasSuffix("\n") ? e.description : e.description + "\n").utf8))
            throw ExitCode(e.exitStatus)
        }
    }

    /// `coroc run prog.c -- a b`: what follows `--` is for the program (like
    /// `go run`); compiler flags go through `-Xcc FLAG`.
    nonisolated(unsafe) static var postTerminatorArguments: [String] = []

    /// ArgumentParser reports usage errors with status 64; the contract says 2.
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "run", let split = arguments.firstIndex(of: "--") {
            postTerminatorArguments = Array(arguments[(split + 1)...])
            arguments = Array(arguments[..<split])
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure || code.rawValue == 64 {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

struct ModeOption: ExpressibleByArgument {
    var modes: [TranslationMode]
    init?(argument: String) {
        switch argument {
        case "stackless": modes = [.stackless]
        case "stackful": modes = [.stackful]
        case "both": modes = [.stackless, .stackful]
        default: return nil
        }
    }
    static var allValueStrings: [String] { ["stackless", "stackful", "both"] }
    /// What `--help` shows as the default (ArgumentParser would print the struct).
    var defaultValueDescription: String { modes.count > 1 ? "both" : modes[0].rawValue }
}

extension TranslationMode: ExpressibleByArgument {
    public var defaultValueDescription: String { rawValue }
}

struct CommonTranslateOptions: ParsableArguments {
    @Option(name: .customLong("lang"), help: "Input language (default: from the extension: .c/.coroc = c, .coroswift = swift).")
    var language: String?

    @Option(name: .customShort("I", allowingJoined: true), help: ArgumentHelp("Add a header search directory (C).", valueName: "dir"))
    var includeDirs: [String] = []

    @Option(name: .customShort("D", allowingJoined: true), help: ArgumentHelp("Define a macro (C).", valueName: "name[=value]"))
    var defines: [String] = []

    @Option(name: .customLong("io-catalogue"), help: ArgumentHelp("Add suspend-point entries from a catalogue file.", valueName: "file"))
    var catalogues: [String] = []

    var clangArgs: [String] { includeDirs.flatMap { ["-I", $0] } + defines.map { "-D" + $0 } }

    func languageValue() throws -> SourceLanguage? {
        guard let language else { return nil }
        guard let l = SourceLanguage(rawValue: language) else {
            throw ValidationError("--lang must be c or swift, not '\(language)'")
        }
        return l
    }
}
