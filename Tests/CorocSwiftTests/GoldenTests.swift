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
