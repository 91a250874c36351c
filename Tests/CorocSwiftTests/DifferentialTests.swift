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
    static func output(of program: URL) throws -> String {
        let text = try String(contentsOf: program, encoding: .utf8)
        let shim = try String(contentsOf: differentialFolder.appendingPathComponent("PlainShim.swift.txt"), encoding: .utf8)
        let plain = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !["import CoroRuntime", "import CoroSwift"].contains($0.trimmingCharacters(in: .whitespaces)) }
            .joined(separator: "\n")
            .replacingOccurrences(of: "@coroutine ", with: "")
            .replacingOccurrences(of: "@nopreempt ", with: "")
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("coroc-swift-plain-\(getpid())-\(program.deletingPathExtension().lastPathComponent)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let main = folder.appendingPathComponent("main.swift")
        let shimFile = folder.appendingPathComponent("shim.swift")
        try plain.write(to: main, atomically: true, encoding: .utf8)
        try shim.write(to: shimFile, atomically: true, encoding: .utf8)
        let executable = folder.appendingPathComponent("plain")
        // Swift 5 mode: the shim's threads are the oracle's business, not the program's.
        let compile = FixtureSupport.run(FixtureSupport.swiftc(), ["-swift-version", "5", main.path, shimFile.path,
                                                                   "-o", executable.path])
        guard compile.status == 0 else {
            throw FixtureSupport.Failure(description: "plain swiftc failed for \(program.lastPathComponent):\n\(compile.stderr)")
        }
        let outcome = FixtureSupport.run(executable.path, [])
        guard outcome.status == 0 else {
            throw FixtureSupport.Failure(description: "plain run of \(program.lastPathComponent) exited \(outcome.status): \(outcome.stderr)")
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
