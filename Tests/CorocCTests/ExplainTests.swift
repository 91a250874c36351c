// `coroc explain` data: states with kinds and lines, and a frame layout that
// matches what the C compiler does (offsetof / sizeof in a compiled program).
@testable import CorocC
import CorocCore
import Foundation
import Testing

@Test func frameLayoutMatchesCompiler() throws {
    for name in ["embedded.c", "blocking.c", "initializers.c", "nested_calls.c"] {
        let translation = try translate(Paths.input("behaviour", name))
        // The program's own main is renamed; the probe's main prints the layout.
        var probe = "#define main original_main_\n" + translation.output
            + "\n#undef main\n#include <stddef.h>\n#include <stdio.h>\nint main(void) {\n"
        for report in translation.report {
            probe += "    printf(\"\(report.name) %zu\\n\", sizeof(\(report.name)_frame));\n"
            for field in report.frameFields {
                probe += "    printf(\"\(report.name).\(field.name) %zu\\n\", offsetof(\(report.name)_frame, \(field.name)));\n"
            }
        }
        probe += "    return 0;\n}\n"
        let exe = try compile(probe, linkRuntime: true, extraFlags: ["-Wno-unused-function"])
        defer { try? FileManager.default.removeItem(atPath: exe) }
        let run = try runProcess([exe])
        var expected = ""
        for report in translation.report {
            expected += "\(report.name) \(report.frameSizeBytes)\n"
            for field in report.frameFields { expected += "\(report.name).\(field.name) \(field.offsetBytes)\n" }
        }
        #expect(run.stdout == expected, "\(name)")
    }
}

@Test func statesHaveKindsAndLines() throws {
    let path = Paths.input("behaviour", "pipe_reader.c")
    let lines = readFile(path).split(separator: "\n", omittingEmptySubsequences: false)
    func line(_ needle: String) -> Int { (lines.firstIndex { $0.contains(needle) } ?? -1) + 1 }
    let report = try #require(try translate(path).report.first { $0.name == "count_lines" })
    #expect(report.states.map(\.kind) == [.entry, .preempt, .io, .preempt])
    #expect(report.states.map(\.line) == [line("CORO static long count_lines"), line("for (;;)"), line("read(fd"),
                                           line("for (ssize_t i")])
    #expect(report.suspendPoints.map(\.what) == ["loop back-edge", "read", "loop back-edge"])
    // Entry, through the outer loop, which returns to its check; the inner loop's check loops on itself.
    #expect(report.edges.contains(CoroutineReport.Edge(from: 0, to: 1)))
    #expect(report.edges.contains(CoroutineReport.Edge(from: 3, to: 3)))
    #expect(report.edges.contains(CoroutineReport.Edge(from: 3, to: 1)))
    let text = renderExplain([report], function: nil, dot: false)
    #expect(text.contains("coroutine count_lines ("))
    #expect(text.contains("io        line \(line("read(fd"))"))
    #expect(text.contains("frame: \(report.frameSizeBytes) bytes"))
    let dot = renderExplain([report], function: "count_lines", dot: true)
    #expect(dot.hasPrefix("digraph \"count_lines\" {"))
    #expect(dot.contains("s3 -> s1;"))
}

@Test func awaitAndBlockingStatesAreClassified() throws {
    let reports = try translate(Paths.input("behaviour", "blocking.c")).report
    let run = try #require(reports.first { $0.name == "run" })
    #expect(run.suspendPoints.map(\.what) == ["open", "pwrite", "fsync", "pread", "close", "close", "unlink", "open"])
    #expect(run.suspendPoints.map(\.kind) == [.blocking, .blocking, .blocking, .blocking, .io, .io, .blocking, .blocking])
    let embedded = try translate(Paths.input("behaviour", "embedded.c")).report
    let top = try #require(embedded.first { $0.name == "top" })
    #expect(top.suspendPoints.filter { $0.kind == .await }.map(\.what) == ["middle", "leaf"])
    #expect(top.frameFields.contains { $0.type == "middle_frame" })
}
