// Behaviour: every Fixtures/swift/NAME.coroswift, translated in each mode,
// compiled with swiftc against the runtime and run with 1 and with 4 workers,
// prints exactly NAME.expected.
import CorocCore
import Foundation
import Testing
@testable import CorocSwift

struct FixtureCase: CustomTestStringConvertible, Sendable {
    var name: String
    var mode: TranslationMode
    var testDescription: String { "\(name) [\(mode.rawValue)]" }
}

private let fixtureCases: [FixtureCase] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: FixtureSupport.fixturesFolder.path)) ?? []
    let programs = names.filter { $0.hasSuffix(".coroswift") }.map { String($0.dropLast(".coroswift".count)) }.sorted()
    return programs.flatMap { name in TranslationMode.allCases.map { FixtureCase(name: name, mode: $0) } }
}()

@Test("Swift fixtures print their .expected output", arguments: fixtureCases)
func fixturePrintsExpected(_ fixture: FixtureCase) throws {
    let url = FixtureSupport.fixturesFolder.appendingPathComponent(fixture.name + ".coroswift")
    let executable = try FixtureSupport.build(fixture: url, mode: fixture.mode)
    defer { FixtureSupport.remove(executable) }
    let expected = try FixtureSupport.expected(for: url)
    let environment = try FixtureSupport.environment(of: url)
    for threads in ["1", "4"] {
        let outcome = FixtureSupport.run(executable.path, [], environment: environment.merging(["CORO_THREADS": threads]) { $1 })
        #expect(outcome.status == 0, "\(fixture.testDescription) with \(threads) workers exited \(outcome.status): \(outcome.stderr)")
        #expect(outcome.stdout == expected, "\(fixture.testDescription) with \(threads) workers")
    }
}

/// The contrast the recursion fixture's `// env:` line exists for: the same
/// program in stackful mode with the default 512 KiB stacks overflows, and the
/// runtime reports it by name instead of crashing with SIGSEGV.
@Test func deepRecursionOverflowsADefaultStackfulStack() throws {
    let url = FixtureSupport.fixturesFolder.appendingPathComponent("recursion.coroswift")
    let executable = try FixtureSupport.build(fixture: url, mode: .stackful)
    defer { FixtureSupport.remove(executable) }
    let outcome = FixtureSupport.run(executable.path, [], environment: ["CORO_THREADS": "1"])
    #expect(outcome.status == 70)
    #expect(outcome.stderr.contains("coroutine stack overflow in both"))
}

/// Fixtures marked `// differential:` use only coro_yield / coro_main, so the
/// same file also runs as plain sequential Swift; both must print .expected.
private let differentialFixtures: [String] = fixtureCases.filter { $0.mode == .stackless }.map(\.name).filter { name in
    let url = FixtureSupport.fixturesFolder.appendingPathComponent(name + ".coroswift")
    return (try? String(contentsOf: url, encoding: .utf8))?.contains("\n// differential:") ?? false
}

@Test("differential fixtures print the same as plain Swift", arguments: differentialFixtures)
func plainSwiftPrintsExpected(_ name: String) throws {
    let url = FixtureSupport.fixturesFolder.appendingPathComponent(name + ".coroswift")
    let text = try String(contentsOf: url, encoding: .utf8)
    let plain = """
        func coro_yield() {}
        func coro_main<T>(_ value: T) -> T { value }

        """ + text.replacingOccurrences(of: "@coroutine ", with: "")
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coroc-swift-plain-\(getpid())-\(name)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let source = folder.appendingPathComponent("main.swift")
    try plain.write(to: source, atomically: true, encoding: .utf8)
    let executable = folder.appendingPathComponent("plain")
    let compile = FixtureSupport.run(FixtureSupport.swiftc(), ["-swift-version", "6", source.path, "-o", executable.path])
    try #require(compile.status == 0, "\(compile.stderr)")
    let outcome = FixtureSupport.run(executable.path, [])
    try? FileManager.default.removeItem(at: folder)
    #expect(outcome.stdout == (try FixtureSupport.expected(for: url)))
}

/// A throwing coroutine started with coro_go has no caller: its error is
/// reported on stderr, in both modes.
@Test(arguments: TranslationMode.allCases)
func uncaughtErrorOfASpawnedCoroutineIsReported(_ mode: TranslationMode) throws {
    let url = FixtureSupport.fixturesFolder.appendingPathComponent("throws.coroswift")
    let executable = try FixtureSupport.build(fixture: url, mode: mode)
    defer { FixtureSupport.remove(executable) }
    let outcome = FixtureSupport.run(executable.path, [], environment: ["CORO_THREADS": "2"])
    #expect(outcome.status == 0)
    #expect(outcome.stderr.contains("coroutine check: uncaught error: negative(-9)"), "\(outcome.stderr)")
}

/// A target that compiles the translation as a library file (the build plugin's
/// case) starts coroutines from its plain main.swift through NAME_go / NAME_main.
@Test(arguments: TranslationMode.allCases)
func entryPointsForPlainSwiftFiles(_ mode: TranslationMode) throws {
    let library = try FixtureSupport.runtimeLibrary.get()
    let translation = try SwiftTranslator(options: SwiftTranslateOptions(mode: mode)).translate(source: """
        @coroutine func double(_ n: Int, label: String) throws -> Int {
            coro_yield()
            if n < 0 { throw CocoaLikeError.negative }
            print("\\(label) \\(n)")
            return n * 2
        }
        enum CocoaLikeError: Error { case negative }
        """, fileName: "lib.coroswift")
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coroc-swift-entry-\(getpid())-\(mode.rawValue)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let lib = folder.appendingPathComponent("lib.swift")
    let main = folder.appendingPathComponent("main.swift")
    try translation.output.write(to: lib, atomically: true, encoding: .utf8)
    try """
        import CoroRuntime
        print(try double_main(21, label: "double"))
        """.write(to: main, atomically: true, encoding: .utf8)
    let executable = folder.appendingPathComponent("program")
    var flags = ["-swift-version", "6", "-warnings-as-errors", "-I",
                 FixtureSupport.repositoryRoot.appendingPathComponent("Runtime/include").path,
                 main.path, lib.path] + SupportModule.programArguments(output: try FixtureSupport.supportModule.get())
        + [library.path, "-lpthread", "-o", executable.path]
    if mode == .stackful { flags.insert("-enforce-exclusivity=unchecked", at: 0) }
    let compile = FixtureSupport.run(FixtureSupport.swiftc(), flags)
    try #require(compile.status == 0, "\(compile.stderr)")
    let outcome = FixtureSupport.run(executable.path, [])
    #expect(outcome.stdout == "double 21\n42\n")
}

/// A typed-API call on a receiver whose type coroc cannot see (an array element)
/// is no suspend point in stackless mode: when it has to wait it stops the
/// program with CoroSwift's message naming the fix, instead of blocking a worker
/// or going wrong silently; the same call on a visible receiver works.
@Test func invisibleTypedReceiverThatMustWaitStopsWithAMessage() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coroc-swift-invisible-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let source = folder.appendingPathComponent("invisible.coroswift")
    try """
        import CoroSwift
        import Glibc
        @coroutine func run() {
            let visible = Channel<Int>(capacity: 1)
            visible.send(1)
            print("visible", visible.receive() ?? -1)
            fflush(nil)   // the trap below ends the process without flushing stdout
            let hidden = [Channel<Int>()]
            hidden[0].send(2)
            print("not reached")
        }
        coro_main(run())
        """.write(to: source, atomically: true, encoding: .utf8)
    let executable = try FixtureSupport.build(fixture: source, mode: .stackless)
    defer { FixtureSupport.remove(executable) }
    let outcome = FixtureSupport.run(executable.path, [], environment: ["CORO_THREADS": "1"])
    #expect(outcome.status != 0)
    #expect(outcome.stdout == "visible 1\n")
    #expect(outcome.stderr.contains("Channel.send would wait, but coroc did not see it as a suspend point: in stackless mode the receiver's type must be visible to coroc"),
            "\(outcome.stderr)")
}
