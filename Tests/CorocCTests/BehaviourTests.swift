// Behaviour over text: each Inputs/behaviour/NAME.c is translated, compiled
// with the runtime, run, and its stdout compared with NAME.expected when that
// exists, otherwise with the same program compiled untranslated (sequential
// programs, where coro_main runs the call directly), in stackless and in
// stackful mode, with 1 and 2 worker threads.  Each input's first
// comment says what it proves.  Set COROC_TEST_DUMP=DIR to keep the outputs.
import CorocC
import CorocCore
import Foundation
import Testing

@Suite(.serialized) struct BehaviourTests {
    static let names = Paths.inputs("behaviour", ext: "c")

    @Test(arguments: names, TranslationMode.allCases)
    func translatedProgramBehavesLikeOriginal(_ name: String, _ mode: TranslationMode) throws {
        let path = Paths.input("behaviour", name)
        let translation = try translate(path, mode: mode)
        if let dump = ProcessInfo.processInfo.environment["COROC_TEST_DUMP"] {
            try translation.output.write(toFile: dump + "/\(mode)-" + name, atomically: true, encoding: .utf8)
        }
        let exe = try compile(translation.output, linkRuntime: true)
        defer { try? FileManager.default.removeItem(atPath: exe) }
        for threads in ["1", "2"] {
            let run = try runProcess([exe], environment: ["CORO_THREADS": threads])
            #expect(run.status == 0, "\(name) exited \(run.status): \(run.stderr)")
            let expectedPath = path.replacingOccurrences(of: ".c", with: ".expected")
            let expected: String
            if FileManager.default.fileExists(atPath: expectedPath) {
                expected = readFile(expectedPath)
            } else {
                let original = try compile(readFile(path), linkRuntime: true)
                defer { try? FileManager.default.removeItem(atPath: original) }
                expected = try runProcess([original]).stdout
            }
            #expect(run.stdout == expected, "\(name) \(mode) with CORO_THREADS=\(threads)")
        }
    }
}

/// A coroutine called from another file through a CORO prototype in a header.
@Test func crossFileAwaitUsesHeapFrames() throws {
    let dir = Paths.inputs.appendingPathComponent("crossfile").path
    var sources: [String] = []
    for name in ["remote.c", "main.c"] {
        let translated = try translate(dir + "/" + name).output
        sources.append(temporaryFile(suffix: ".c", contents: translated))
    }
    defer { sources.forEach { try? FileManager.default.removeItem(atPath: $0) } }
    let exe = temporaryFile(suffix: ".out")
    defer { try? FileManager.default.removeItem(atPath: exe) }
    let cc = try runProcess(["cc", "-std=gnu17", "-Wall", "-Wextra", "-I", dir, "-I", Paths.runtimeInclude] + sources
                            + ["-o", exe, try runtimeLibrary(), "-lpthread"])
    try #require(cc.status == 0, "\(cc.stderr)")
    let run = try runProcess([exe])
    #expect(run.status == 0)
    #expect(run.stdout == "sum 50\n")
}
