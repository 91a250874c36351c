// Behaviour, differential: every Inputs/differential/NAME.coroswift runs three
// ways and must print the same each time:
//  1. as plain Swift: `@coroutine` / `@nopreempt` removed, `import CoroRuntime`
//     and `import CoroSwift` replaced by PlainShim.swift.txt (the runtime's user surface on threads:
//     coro_go starts a thread, channels are monitors with Go's semantics), so the
//     original program's meaning is what the compiler says, not what we expect;
//  2. translated stackless, compiled, run with 1 and with 4 workers;
//  3. translated stackful, the same.
// A program printing nothing proves nothing, so the plain run must print.
import CorocCore
import Foundation
import Testing
@testable import CorocSwift

private let differentialFolder = FixtureSupport.inputsFolder.appendingPathComponent("differential")

private let differentialPrograms: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: differentialFolder.path)) ?? []
    return names.filter { $0.hasSuffix(".coroswift") }.map { String($0.dropLast(".coroswift".count)) }.sorted()
}()

enum PlainSwift {
    /// Compiles `program` as plain Swift against the shim and returns what it prints.
    static func output(of program: URL) throws -> String { try output(of: [program]) }

    /// The same for a program of several files; the first holds the top-level code.
    static func output(of files: [URL]) throws -> String {
        let shim = try String(contentsOf: differentialFolder.appendingPathComponent("PlainShim.swift.txt"), encoding: .utf8)
        let name = files[0].deletingPathExtension().lastPathComponent
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("coroc-swift-plain-\(getpid())-\(name)-\(files.count)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var sources: [String] = []
        for (index, file) in files.enumerated() {
            let text = try String(contentsOf: file, encoding: .utf8)
            let plain = text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !["import CoroRuntime", "import CoroSwift"].contains($0.trimmingCharacters(in: .whitespaces)) }
                .joined(separator: "\n")
                .replacingOccurrences(of: "@coroutine ", with: "")
                .replacingOccurrences(of: "@nopreempt ", with: "")
            let path = folder.appendingPathComponent(index == 0 ? "main.swift" : "file\(index).swift")
            try plain.write(to: path, atomically: true, encoding: .utf8)
            sources.append(path.path)
        }
        let shimFile = folder.appendingPathComponent("shim.swift")
        try shim.write(to: shimFile, atomically: true, encoding: .utf8)
        let executable = folder.appendingPathComponent("plain")
        // Swift 5 mode: the shim's threads are the oracle's business, not the program's.
        let compile = FixtureSupport.run(FixtureSupport.swiftc(), ["-swift-version", "5"] + sources + [shimFile.path,
                                                                   "-o", executable.path])
        guard compile.status == 0 else {
            throw FixtureSupport.Failure(description: "plain swiftc failed for \(name):\n\(compile.stderr)")
        }
        let outcome = FixtureSupport.run(executable.path, [])
        guard outcome.status == 0 else {
            throw FixtureSupport.Failure(description: "plain run of \(name) exited \(outcome.status): \(outcome.stderr)")
        }
        return outcome.stdout
    }
}

@Test("translated programs print what the same program prints as plain Swift", arguments: differentialPrograms)
func translatedMatchesPlainSwift(_ name: String) throws {
    let url = differentialFolder.appendingPathComponent(name + ".coroswift")
    let expected = try PlainSwift.output(of: url)
    try #require(!expected.isEmpty, "\(name) printed nothing as plain Swift")
    for mode in TranslationMode.allCases {
        let executable = try FixtureSupport.build(fixture: url, mode: mode)
        defer { FixtureSupport.remove(executable) }
        for threads in ["1", "4"] {
            let outcome = FixtureSupport.run(executable.path, [], environment: ["CORO_THREADS": threads])
            #expect(outcome.status == 0, "\(name) [\(mode.rawValue)] with \(threads) workers exited \(outcome.status): \(outcome.stderr)")
            #expect(outcome.stdout == expected, "\(name) [\(mode.rawValue)] with \(threads) workers")
        }
    }
}

/// Awaits across the files of one module: Inputs/crossfile/main.coroswift awaits,
/// spawns and is awaited back by helpers.coroswift; each file is translated with
/// the other as a module file (what the build plugin does), both outputs are
/// compiled into one program, and it must print what the two files print as
/// plain Swift, in both modes, on 1 and 4 workers.
@Test func crossFileAwaitsMatchPlainSwift() throws {
    let folder = FixtureSupport.inputsFolder.appendingPathComponent("crossfile")
    let files = ["main", "helpers"].map { folder.appendingPathComponent($0 + ".coroswift") }
    let expected = try PlainSwift.output(of: files)
    try #require(!expected.isEmpty)
    for mode in TranslationMode.allCases {
        let executable = try FixtureSupport.build(files: files, mode: mode)
        defer { FixtureSupport.remove(executable) }
        for threads in ["1", "4"] {
            let outcome = FixtureSupport.run(executable.path, [], environment: ["CORO_THREADS": threads])
            #expect(outcome.status == 0, "[\(mode.rawValue)] with \(threads) workers exited \(outcome.status): \(outcome.stderr)")
            #expect(outcome.stdout == expected, "[\(mode.rawValue)] with \(threads) workers")
        }
    }
}

/// A coroutine name declared in two files of the module would give two frame
/// classes of one name: an error at the declaration, naming the other file.
@Test func coroutineDeclaredInTwoFilesIsRejected() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coroc-swift-twice-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let other = folder.appendingPathComponent("other.coroswift")
    try "@coroutine func step() { coro_yield() }\n".write(to: other, atomically: true, encoding: .utf8)
    let options = SwiftTranslateOptions(mode: .stackless, moduleFiles: [other.path])
    do {
        _ = try SwiftTranslator(options: options).translate(source: "@coroutine func step() { coro_yield() }\n", fileName: "a.coroswift")
        Issue.record("a coroutine declared in two files was accepted")
    } catch {
        #expect(error.diagnostics.map(\.message) == [SwiftTranslator.Messages.declaredInTwoFiles("step", other.path)])
        #expect(error.diagnostics.first?.location?.line == 1)
    }
}
