// #line directives make the debugger see the original program: a breakpoint
// on an original line inside a transformed coroutine is hit, and the backtrace
// names the original file and line.
import CorocC
import CorocCore
import Foundation
import Testing

@Test func gdbBreakpointOnOriginalLineIsHit() throws {
    let path = Paths.input("behaviour", "pipe_reader.c")
    let source = readFile(path)
    // The line `if (buf[i] == '\n') lines++;` inside the inner loop of the coroutine.
    let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    let line = try #require(lines.firstIndex { $0.contains("lines++") }) + 1
    let exe = try compile(try translate(path).output, linkRuntime: true, extraFlags: ["-O0"])
    defer { try? FileManager.default.removeItem(atPath: exe) }
    let gdb = try runProcess(["timeout", "-s", "KILL", "120", "gdb", "-batch", "-nx", "-ex", "break pipe_reader.c:\(line)", "-ex", "run",
                              "-ex", "bt 1", exe], environment: ["CORO_THREADS": "1"])
    #expect(gdb.stdout.contains("Breakpoint 1, count_lines_resume"), "\(gdb.stdout)\n\(gdb.stderr)")
    #expect(gdb.stdout.contains("pipe_reader.c:\(line)"), "\(gdb.stdout)")
}
