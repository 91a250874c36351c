// TraceTests: CORO_TRACE end to end — fixtures run traced in both modes and
// on 1 and 4 workers; each trace must parse, hold the event kinds the program
// must cause, and pass TraceCheck (every park followed by its ready, per
// coroutine); the summary and SVG are produced from it; the CLI cases of
// `coroc trace` and `coroc run --trace`; TraceCheck itself rejects a broken
// history (so a passing check means something).

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import CorocDriver

/// Runs `fixture` under `coroc run --trace` in `mode`; returns the run and
/// the directory holding the SVG and the JSON traces.
private func tracedRun(_ fixture: String, mode: String, threads: Int) throws -> (ProcessResult, String) {
    let dir = try scratchDir()
    let r = try coroc(["run", repoRoot() + "/Fixtures/c/\(fixture).c", "--mode", mode, "--threads", "\(threads)",
                       "--trace", "--trace-svg", dir + "/\(fixture).trace.svg"])
    return (r, dir)
}

@Test(arguments: ["stackless", "stackful"], [1, 4])
func echoTraceIsAValidHistory(mode: String, threads: Int) throws {
    let (r, dir) = try tracedRun("echo", mode: mode, threads: threads)
    #expect(r.reason == .exited(0), "\(r.stderrText)")
    // One plain run: the program's output alone on stdout, the summary on stderr.
    let expected = try FileIO.read(repoRoot() + "/Fixtures/c/echo.expected")
    #expect(r.stdoutText == expected)
    #expect(r.stderrText.contains("\(mode): "))
    #expect(r.stderrText.contains("coroutine"))
    let trace = try Trace.load(dir + "/echo.\(mode).trace.json")
    #expect(trace.workers == threads)
    let ends = Set(trace.turns.map(\.end))
    // accept, read and write park on the poller; the wait group parks main
    #expect(ends.contains("fd read"))
    #expect(ends.contains("wait group"))
    #expect(ends.contains("done"))
    #expect(trace.turns.contains { $0.end == "fd read" && $0.fd != nil })
    let kinds = Set(trace.marks.map(\.kind))
    #expect(kinds.isSuperset(of: ["spawn", "ready", "poll"]))
    // 1 main + 1 server + 100 clients + 100 connections
    #expect(trace.marks.filter { $0.kind == "spawn" }.count == 202)
    #expect(TraceCheck.problems(trace) == [])
}

@Test(arguments: ["stackless", "stackful"])
func channelTimerAndMutexParksAreNamed(mode: String) throws {
    for (fixture, reason) in [("prodcons", "chan"), ("sleepsort", "timer"), ("wgmutex", "mutex")] {
        let (r, dir) = try tracedRun(fixture, mode: mode, threads: 4)
        #expect(r.reason == .exited(0), "\(fixture): \(r.stderrText)")
        let trace = try Trace.load(dir + "/\(fixture).\(mode).trace.json")
        #expect(trace.turns.contains { $0.end.hasPrefix(reason) }, "\(fixture) \(mode): \(Set(trace.turns.map(\.end)))")
        #expect(TraceCheck.problems(trace) == [], "\(fixture) \(mode)")
    }
}

@Test func fileReadsShowBlockingPoolJobs() throws {
    let (r, dir) = try tracedRun("fileread", mode: "stackless", threads: 2)
    #expect(r.reason == .exited(0), "\(r.stderrText)")
    let trace = try Trace.load(dir + "/fileread.stackless.trace.json")
    #expect(trace.turns.contains { $0.end == "blocking pool" })
    #expect(!trace.jobs.isEmpty)
    #expect(trace.lanes.contains { trace.laneName($0).hasPrefix("blocking pool") })
    #expect(TraceCheck.problems(trace) == [])
}

@Test func bothModesGoIntoOneSVG() throws {
    let (r, dir) = try tracedRun("pingpong", mode: "both", threads: 2)
    #expect(r.reason == .exited(0), "\(r.stderrText)")
    // The matrix table, then both summaries, on stdout.
    #expect(r.stdoutText.contains("stackless: "))
    #expect(r.stdoutText.contains("stackful: "))
    let svg = try FileIO.read(dir + "/pingpong.trace.svg")
    #expect(svg.hasPrefix("<?xml"))
    #expect(svg.hasSuffix("</svg>\n"))
    #expect(svg.components(separatedBy: "<g class=\"panel\">").count == 3)   // two panels
    #expect(svg.contains(">stackless: "))
    #expect(svg.contains(">stackful: "))
    #expect(svg.contains(">worker 0<") && svg.contains(">worker 1<"))
    #expect(svg.contains("fill=\"\(TraceSVG.reasonColor("chan recv"))\"") || svg.contains("fill=\"\(TraceSVG.reasonColor("chan send"))\""))
    // well-formed XML
    _ = try XMLDocument(data: Data(svg.utf8))
}

@Test func traceCommandSummarisesChecksAndDraws() throws {
    let (r0, dir) = try tracedRun("fanin", mode: "stackless", threads: 2)
    #expect(r0.reason == .exited(0), "\(r0.stderrText)")
    let json = dir + "/fanin.stackless.trace.json"
    let svg = dir + "/again.svg"
    let r = try coroc(["trace", json, "--svg", svg, "--check"])
    #expect(r.reason == .exited(0), "\(r.stderrText)")
    #expect(r.stdoutText.hasPrefix("fanin.stackless.trace.json: 2 workers, "))
    #expect(r.stdoutText.contains("  worker 0 "))
    #expect(r.stdoutText.contains("parked by reason"))
    #expect(FileManager.default.fileExists(atPath: svg))
}

@Test func traceCommandRejectsWhatIsNotATrace() throws {
    let dir = try scratchDir()
    try FileIO.writeAtomically("{\"hello\": 1}", to: dir + "/x.json")
    let r = try coroc(["trace", dir + "/x.json"])
    #expect(r.reason == .exited(2))
    #expect(r.stderrText.contains("x.json: not a coro trace: no traceEvents array"))
    let missing = try coroc(["trace", dir + "/none.json"])
    #expect(missing.reason == .exited(2))
    #expect(missing.stderrText.contains("no such file: \(dir)/none.json"))
}

@Test func traceCheckFailsOnAParkWithoutReady() throws {
    // A hand-written history: #2 parks on a channel and runs again unwoken.
    let text = """
        {"traceEvents":[
        {"ph":"i","name":"spawn","pid":1,"tid":0,"ts":0.000,"s":"t","args":{"coro":2,"name":"w"}},
        {"ph":"X","name":"w","cat":"run","pid":1,"tid":0,"ts":1.000,"dur":1.000,"args":{"coro":2,"end":"chan recv"}},
        {"ph":"X","name":"w","cat":"run","pid":1,"tid":0,"ts":3.000,"dur":1.000,"args":{"coro":2,"end":"done"}}
        ]}
        """
    let dir = try scratchDir()
    try FileIO.writeAtomically(text, to: dir + "/bad.json")
    let problems = TraceCheck.problems(try Trace.load(dir + "/bad.json"))
    #expect(problems == ["w#2 at 3.0 us: runs again after parking on chan recv without a ready"])
    let r = try coroc(["trace", dir + "/bad.json", "--check"])
    #expect(r.reason == .exited(1))
    #expect(r.stderrText.contains("coroc: trace: bad.json: w#2 at 3.0 us: runs again after parking on chan recv without a ready"))
}

@Test func traceFlagTakesOneProgramAndOneThreadCount() throws {
    let c = repoRoot() + "/Fixtures/c/"
    let r = try coroc(["run", c + "echo.c", c + "fanin.c", "--trace"])
    #expect(r.reason == .exited(2))
    #expect(r.stderrText.contains("coroc: error: --trace takes one program and one --threads count"))
    let r2 = try coroc(["run", c + "echo.c", "--threads", "1,4", "--trace"])
    #expect(r2.reason == .exited(2))
    #expect(r2.stderrText.contains("--trace takes one program and one --threads count"))
    let r3 = try coroc(["run", c + "echo.c", "--trace-svg", "/tmp/x.svg"])
    #expect(r3.reason == .exited(2))
    #expect(r3.stderrText.contains("coroc: error: --trace-svg needs --trace"))
}
