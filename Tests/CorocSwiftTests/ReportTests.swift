// `coroc explain` data for Swift: the report names the suspend points with
// their lines, the frame fields Liveness chose, and a state graph whose edges
// lead to the return.
import CorocCore
import Foundation
import Testing
@testable import CorocSwift

@Test func reportOfTheGeneratorConsumer() throws {
    let url = FixtureSupport.fixturesFolder.appendingPathComponent("generator.coroswift")
    let translation = try SwiftTranslator(options: SwiftTranslateOptions(mode: .stackless)).translate(path: url.path)
    #expect(translation.report.map(\.name) == ["squares", "consumer"])
    let consumer = try #require(translation.report.first { $0.name == "consumer" })
    #expect(consumer.line == 13)
    #expect(Set(consumer.states.map(\.kind)) == [.entry, .preempt, .runtime])
    let receive = try #require(consumer.states.first { $0.kind == .runtime })
    #expect(receive.what == "Channel.receive")
    #expect(receive.line == 17)
    // ch and total flow between states, and the receive's slot co_b1 (the memory the
    // runtime writes the value into while the receive is parked); `value` is bound and
    // used within one state; the parameter n is always stored.
    #expect(Set(consumer.frameFields.map(\.name)) == ["co_ret", "n", "ch", "total", "co_b1"])
    #expect(consumer.edges.contains(CoroutineReport.Edge(from: receive.number, to: CoroutineReport.done)))
    let loopHead = try #require(consumer.states.first { $0.kind == .preempt })
    #expect(consumer.edges.contains(CoroutineReport.Edge(from: receive.number, to: loopHead.number)))
    let dot = renderExplain(translation.report, function: "consumer", dot: true)
    #expect(dot.contains("Channel.receive (line 17)"))
}

@Test func reportNamesAwaitsAndBlockingCalls() throws {
    let url = FixtureSupport.fixturesFolder.appendingPathComponent("files.coroswift")
    let translation = try SwiftTranslator(options: SwiftTranslateOptions(mode: .stackless)).translate(path: url.path)
    let roundTrip = try #require(translation.report.first { $0.name == "roundTrip" })
    #expect(roundTrip.states.filter { $0.kind == .blocking }.map(\.what) == ["open", "pwrite", "pread", "unlink", "open"])
    #expect(roundTrip.states.filter { $0.kind == .io }.map(\.what) == ["close"])
    let run = try #require(translation.report.first { $0.name == "run" })
    #expect(run.states.filter { $0.kind == .await }.map(\.what) == ["roundTrip"])
}
