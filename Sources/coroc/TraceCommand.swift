import ArgumentParser
import CorocDriver
import Foundation

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Summarise CORO_TRACE files (per coroutine and per worker) and draw their timelines.",
        discussion: """
            A program built with coroc records scheduler events when run with CORO_TRACE=FILE.json \
            (Chrome trace-event JSON: it also opens in Perfetto and chrome://tracing). \
            Several files are drawn one above the other on one time axis. \
            `coroc run prog.c --trace` runs, traces and reports in one step. See docs/trace.md.
            """
    )

    @Argument(help: "Trace files written by CORO_TRACE=FILE.")
    var files: [String]

    @Option(help: ArgumentHelp("Write the timeline picture.", valueName: "out.svg"))
    var svg: String?

    @Flag(help: "Check that each trace is a valid scheduler history (every park followed by its ready); exit 1 if not.")
    var check = false

    func run() throws {
        try Coroc.guarded {
            let inputs = files.map { (title: ($0 as NSString).lastPathComponent, path: $0) }
            let r = try TraceReport.run(inputs, svgPath: svg, check: check)
            FileHandle.standardOutput.write(Data(r.text.utf8))
            for p in r.problems { FileHandle.standardError.write(Data("coroc: trace: \(p)\n".utf8)) }
            return r.problems.isEmpty ? 0 : 1
        }
    }
}
