// BenchReportTests: the arithmetic and bookkeeping of `coroc bench` on
// synthetic samples — medians, ratios against the reference, target verdicts,
// unavailable variants, the marker-delimited section of docs/benchmarks.md,
// and the chart's bars.  Nothing here runs a benchmark or looks at a clock
// (the programs themselves are smoke-tested by `make -C bench smoke`).

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import CorocDriver

private func report(_ samples: [String: [String: [Double]]], unavailable: [String: String] = [:]) -> BenchReport {
    let plan = BenchPlan.standard(coroc: "/bin/coroc", runtimeInclude: "/inc")
    var outcomes: [String: BenchOutcome] = [:]
    for m in plan.measurements {
        outcomes[m.id] = BenchOutcome(samples: samples[m.id] ?? [:], unavailable: unavailable[m.id])
    }
    return BenchReport(plan: plan, outcomes: outcomes, runs: 3,
                       machine: BenchMachine(date: "2026-01-01 00:00 UTC", cores: 2, cpu: "Test CPU"))
}

@Test func statsTakeTheMedianOfOddAndEvenCounts() throws {
    let odd = try #require(BenchStats([5, 1, 3]))
    #expect(odd.median == 3 && odd.min == 1 && odd.max == 5 && odd.count == 3)
    let even = try #require(BenchStats([4, 1, 3, 2]))
    #expect(even.median == 2.5)
    #expect(BenchStats([]) == nil)
}

@Test func verdictsCompareMediansOfTheSameRun() throws {
    let r = report([
        "yield.stackless": ["yield_ns": [4, 5, 6]],
        "go.yield": ["yield_ns": [50, 60, 70]],
        "floor": ["yield_ns": [1, 1, 1]],
        "http.stackless.w1": ["http_rps": [100, 110, 120]],
        "epoll.http": ["http_rps": [100, 100, 100]],
        "fairness.stackless": ["tick_late_p99_us": [2000, 4000, 9000]],
    ])
    let v = Dictionary(uniqueKeysWithValues: r.verdicts.map { ($0.target.text, $0) })
    let vsGo = try #require(v["stackless yield <= 0.1x Go Gosched"])
    #expect(vsGo.value == 5.0 / 60.0 && vsGo.met == true)
    let vsFloor = try #require(v["stackless yield <= 3x the hand-written floor"])
    #expect(vsFloor.value == 5 && vsFloor.met == false)
    let http = try #require(v["HTTP 1 worker stackless >= 1.0x C epoll"])
    #expect(http.value == 1.1 && http.met == true)
    let ticker = try #require(v["ticker p99 lateness stackless <= 3 ms"])
    #expect(ticker.value == 4000 && ticker.met == false)   // absolute target: the median itself
    #expect(v["stackful yield <= 0.25x Go Gosched"]?.met == nil)   // no samples: not measured
}

@Test func stackfulTargetsFallBackToTheHandWrittenRuntimeProgram() throws {
    let r = report(["rt.yield.stackful": ["yield_ns": [10]], "go.yield": ["yield_ns": [50]]],
                   unavailable: ["yield.stackful": "not built"])
    let v = try #require(r.verdicts.first { $0.target.text == "stackful yield <= 0.25x Go Gosched" })
    #expect(v.subject == "rt.yield.stackful" && v.value == 0.2 && v.met == true)
    #expect(r.markdown().contains("| stackful yield <= 0.25x Go Gosched | 0.2x (stackful runtime, hand-written: yield.stackful unavailable) | yes |"))
}

@Test func unavailableVariantsAreNamedWithTheirReason() {
    let r = report(["go.yield": ["yield_ns": [50]]],
                   unavailable: ["yield.stackful": "build/yield.stackful was not built (no stackful C yet)"])
    let md = r.markdown()
    #expect(md.contains("| coroc stackful | — | unavailable: build/yield.stackful was not built (no stackful C yet) |"))
    #expect(md.contains("Measured 2026-01-01 00:00 UTC on 2 cores (Test CPU), 3 interleaved runs"))
    #expect(md.contains("| stackful yield <= 0.25x Go Gosched | — | not measured |"))
}

@Test func documentSectionIsReplacedBetweenMarkersOnly() {
    let doc = "# Benchmarks\nintro\n\(BenchReport.beginMarker)\nold table\n\(BenchReport.endMarker)\nreading\n"
    let updated = BenchReport.updateDocument(doc, results: "new table\n")
    #expect(updated == "# Benchmarks\nintro\n\(BenchReport.beginMarker)\nnew table\n\(BenchReport.endMarker)\nreading\n")
    // Idempotent: a second refresh changes nothing else.
    #expect(BenchReport.updateDocument(updated, results: "new table\n") == updated)
    // No markers yet: a results section is appended, the rest kept.
    let appended = BenchReport.updateDocument("# Benchmarks\n", results: "t\n")
    #expect(appended.hasPrefix("# Benchmarks\n") && appended.contains("\(BenchReport.beginMarker)\nt\n\(BenchReport.endMarker)"))
}

@Test func targetsPrintEnoughDigitsToShowAMiss() throws {
    let r = report(["yield.stackless": ["yield_ns": [5.99]], "go.yield": ["yield_ns": [57.6]],
                    "fairness.stackless": ["tick_late_p99_us": [14044]]])
    let md = r.markdown()
    #expect(md.contains("| stackless yield <= 0.1x Go Gosched | 0.104x | **no** |"))
    #expect(md.contains("| ticker p99 lateness stackless <= 3 ms | 14044 us | **no** |"))
}

/// Collects parse errors of an XML document.
private final class XMLCheck: NSObject, XMLParserDelegate {
    var error: Error?
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }
}

@Test func chartIsWellFormedXML() {
    let r = report(["chan.stackless": ["chan_oneway_ns": [10]], "go.chan": ["chan_oneway_ns": [100]]])
    let parser = XMLParser(data: Data(r.svg().utf8))
    let check = XMLCheck()
    parser.delegate = check
    #expect(parser.parse(), "SVG does not parse: \(String(describing: check.error))")
}

@Test func chartHasOneBarPerMeasuredVariant() {
    let r = report([
        "chan.stackless": ["chan_oneway_ns": [10]],
        "go.chan": ["chan_oneway_ns": [100]],
        "pthreads": ["chan_oneway_ns": [4000]],
    ])
    let svg = r.svg()
    #expect(svg.hasPrefix("<svg ") && svg.hasSuffix("</svg>\n"))
    // three bars (stackless, Go, pthreads) plus the white background
    #expect(svg.components(separatedBy: "<rect ").count - 1 == 4)
    #expect(svg.contains("10.0 ns (0.10x)"))
    #expect(svg.contains("4000 ns (40.0x)"))
}

@Test func buildReasonQuotesTheErrorAboveMakesLine() {
    let log = """
    cc -o build/floor floor.c
    coroc: error: stackful translation of C is not implemented yet
    make: *** [Makefile:50: build/gen/yield.stackful.c] Error 1
    """
    #expect(BenchRunner.buildReason(for: "build/yield.stackful", in: log)
            == " (coroc: error: stackful translation of C is not implemented yet)")
}
