// Golden: Inputs/NAME.coroswift translates (stackless) to exactly Inputs/NAME.golden.
// Each input says in its first comment what its golden output proves.  After a
// deliberate change of the output, regenerate with CORO_UPDATE_GOLDEN=1 and
// review the diff before committing it.
import CorocCore
import Foundation
import Testing
@testable import CorocSwift

private let goldenNames: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: FixtureSupport.inputsFolder.path)) ?? []
    return names.filter { $0.hasSuffix(".coroswift") }.map { String($0.dropLast(".coroswift".count)) }.sorted()
}()

@Test("golden translations", arguments: goldenNames)
func goldenTranslation(_ name: String) throws {
    let input = FixtureSupport.inputsFolder.appendingPathComponent(name + ".coroswift")
    let golden = FixtureSupport.inputsFolder.appendingPathComponent(name + ".golden")
    let text = try String(contentsOf: input, encoding: .utf8)
    let translation = try SwiftTranslator(options: SwiftTranslateOptions(mode: .stackless))
        .translate(source: text, fileName: name + ".coroswift")
    if ProcessInfo.processInfo.environment["CORO_UPDATE_GOLDEN"] == "1" {
        try translation.output.write(to: golden, atomically: true, encoding: .utf8)
    }
    let expected = try String(contentsOf: golden, encoding: .utf8)
    #expect(translation.output == expected)
}

@Test func translationIsDeterministic() throws {
    for name in goldenNames {
        let text = try String(contentsOf: FixtureSupport.inputsFolder.appendingPathComponent(name + ".coroswift"), encoding: .utf8)
        let translator = SwiftTranslator(options: SwiftTranslateOptions(mode: .stackless))
        let first = try translator.translate(source: text, fileName: "x.coroswift").output
        let second = try translator.translate(source: text, fileName: "x.coroswift").output
        #expect(first == second)
    }
}

/// Stackful output keeps bodies as written and rewrites only what coro.h's
/// stackful contract needs: I/O names, errno, back-edge checks, spawns.
@Test func stackfulOutputRewritesOnlyTheContract() throws {
    let translation = try SwiftTranslator(options: SwiftTranslateOptions(mode: .stackful)).translate(source: """
        @coroutine func reader(_ fd: Int32) -> Int {
            var buffer = [UInt8](repeating: 0, count: 16)
            var total = 0
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                total += n
            }
            return total
        }
        let count = coro_main(reader(0))
        """, fileName: "s.coroswift")
    let output = translation.output
    #expect(output.contains("func reader(_ fd: Int32) -> Int {"))
    #expect(!output.contains("@coroutine"))
    #expect(output.contains("let n = coro_read(fd, &buffer, buffer.count)"))
    #expect(output.contains("if n < 0 && coro_errno_location().pointee == EINTR { continue }"))
    #expect(output.contains("while true { coro_stackful_preempt_point();"))
    #expect(output.contains("let count = CoroSwift.co_runMainStackful(\"reader\") { [co_a0 = 0] in reader(co_a0) }"))
}

/// @nopreempt (DESIGN.md's CORO_NOPREEMPT): loops without suspend points stay
/// as written, loops with one are lowered without the back-edge check.
@Test func nopreemptDropsBackEdgeChecks() throws {
    let source = """
        @coroutine @nopreempt func spin(_ n: Int) -> Int {
            var sum = 0
            for i in 0..<n { sum += i }
            while sum > 0 {
                coro_yield()
                sum -= 100
            }
            return sum
        }
        """
    let translator = SwiftTranslator(options: SwiftTranslateOptions(mode: .stackless))
    let output = try translator.translate(source: source, fileName: "n.coroswift").output
    #expect(output.contains("for i in 0..<n { sum += i }"))
    #expect(!output.contains("coro_preempt_pending"))
    let report = try translator.translate(source: source, fileName: "n.coroswift").report
    #expect(report.first?.states.contains { $0.kind == .preempt } == false)
    let preempting = try translator.translate(source: source.replacingOccurrences(of: "@nopreempt ", with: ""),
                                              fileName: "n.coroswift").output
    #expect(preempting.contains("coro_preempt_pending"))
    let stackful = try SwiftTranslator(options: SwiftTranslateOptions(mode: .stackful))
        .translate(source: source, fileName: "n.coroswift").output
    #expect(!stackful.contains("coro_stackful_preempt_point"))
}
