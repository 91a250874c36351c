import Foundation
import Testing
@testable import CorocCore

@Test func builtinCatalogueCoversDesign() {
    let c = IOCatalogue.builtin
    for name in ["read", "write", "recv", "send", "accept", "connect", "sleep", "usleep", "nanosleep", "poll", "close"] {
        #expect(c.lookup(name)?.kind == .operation(function: "coro_op_" + name, hasResult: true), "\(name)")
    }
    for name in ["open", "pread", "pwrite", "fsync", "getaddrinfo"] { #expect(c.lookup(name)?.kind == .blocking) }
    #expect(c.lookup("coro_yield")?.kind == .operation(function: "coro_op_yield", hasResult: false))
    #expect(c.lookup("read")?.stackfulName == "coro_read")
    #expect(c.lookup("printf") == nil)
}

@Test func catalogueFileExtendsAndOverrides() throws {
    let text = """
        # my blocking calls
        sqlite3_step blocking
        my_wait op coro_op_my_wait noresult stackful=my_wait_stackful
        read blocking   # override
        """
    let extra = try IOCatalogue.parse(text, file: "cat.txt")
    let merged = IOCatalogue.builtin.merging(extra)
    #expect(merged.lookup("sqlite3_step")?.kind == .blocking)
    #expect(merged.lookup("my_wait")?.kind == .operation(function: "coro_op_my_wait", hasResult: false))
    #expect(merged.lookup("my_wait")?.stackfulName == "my_wait_stackful")
    #expect(merged.lookup("read")?.kind == .blocking)
    #expect(merged.lookup("write")?.kind == .operation(function: "coro_op_write", hasResult: true))
}

@Test func malformedCatalogueLinePointsAtTheLine() {
    #expect {
        try IOCatalogue.parse("ok blocking\nbroken\nx op f extra\n", file: "bad.txt")
    } throws: { error in
        let diagnostics = (error as? DiagnosticError)?.diagnostics ?? []
        return diagnostics.map { $0.location?.line } == [2, 3] && diagnostics.allSatisfy { $0.message == IOCatalogue.Messages.badCatalogueLine }
    }
}

@Test func catalogueLoadsFromFile() throws {
    let path = NSTemporaryDirectory() + "coroc-catalogue-\(getpid()).txt"
    try "fetch blocking\n".write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let loaded = try IOCatalogue.load(path: path)
    #expect(loaded.lookup("fetch")?.kind == .blocking)
    #expect(loaded.lookup("read") != nil)
    #expect(throws: DiagnosticError.self) { try IOCatalogue.load(path: path + ".missing") }
}

@Test func explainRendersStatesFrameAndDot() {
    let report = CoroutineReport(
        name: "f", file: "a.c", line: 3,
        states: [.init(number: 0, kind: .entry, line: 3, what: "f"), .init(number: 1, kind: .io, line: 5, what: "read")],
        frameFields: [.init(name: "hdr", type: "coro_frame", offsetBytes: 0, sizeBytes: 32),
                      .init(name: "n", type: "long", offsetBytes: 32, sizeBytes: 8)],
        frameSizeBytes: 40, edges: [.init(from: 1, to: CoroutineReport.done), .init(from: 0, to: 1)])
    let text = renderExplain([report], function: nil, dot: false)
    #expect(text == """
        coroutine f (a.c:3)
          states: 2
            0    entry     line 3     f
            1    io        line 5     read
          suspend points: 1
            line 5     io read
          frame: 40 bytes
            +0      32     hdr: coro_frame
            +32     8      n: long

        """)
    #expect(renderExplain([report], function: "g", dot: false) == "no coroutine named 'g'\n")
    #expect(DotExport.graph(report) == """
        digraph "f" {
          node [shape=box, fontname="monospace"];
          s0 [label="0: entry\\nf (line 3)"];
          s1 [label="1: io\\nread (line 5)"];
          done [shape=doublecircle, label="done"];
          s0 -> s1;
          s1 -> done;
        }

        """)
}
