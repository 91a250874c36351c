import Testing
@testable import CorocDriver

@Test func headerReadsArgumentsAndEnvironment() {
    let h = FixtureHeader.parse("/* what it shows */\n// args: --serve 8080\n// env: CORO_STACK_KB=64 A=b\nint x;\n")
    #expect(h.arguments == ["--serve", "8080"])
    #expect(h.environment == ["CORO_STACK_KB": "64", "A": "b"])
}

@Test func headerIgnoresLaterLines() {
    let body = String(repeating: "\n", count: 20) + "// args: late\n"
    #expect(FixtureHeader.parse(body).arguments.isEmpty)
}

@Test func diffMarksChangedLines() {
    let d = FixtureCheck.unifiedDiff(expected: "a\nb\nc\n", actual: "a\nx\nc\n")
    #expect(d.contains("-b"))
    #expect(d.contains("+x"))
    #expect(!d.contains("-a"))
}

@Test func tableCountsPassesAndFailures() {
    let ok = CheckOutcome(testCase: CheckCase(path: "p.c", mode: .stackless, threads: 1), passed: true, detail: "")
    let bad = CheckOutcome(testCase: CheckCase(path: "q.c", mode: .stackful, threads: 4), passed: false, detail: "x")
    let t = FixtureCheck.table([ok, bad])
    #expect(t == """
        program  mode       threads  result
        p.c      stackless  1        pass
        q.c      stackful   4        FAIL
        1 passed, 1 failed

        """)
}

@Test func languageDetection() {
    #expect(SourceLanguage.detect(path: "a.c") == .c)
    #expect(SourceLanguage.detect(path: "a.coroc") == .c)
    #expect(SourceLanguage.detect(path: "a.coroswift") == .swift)
    #expect(SourceLanguage.detect(path: "a.txt") == nil)
}
