// Diagnostics as data: each Inputs/diagnostics/NAME.c marks with `/*1️⃣*/`
// where a finding must land (the token right after the marker, or the marker
// itself for libclang's "expected ';'" which points just past the previous
// token), and the table below gives the expected severity and message.
@testable import CorocC
import CorocCore
import Foundation
import Testing

struct Expected: Sendable, CustomStringConvertible {
    var marker: String
    var severity: Severity
    var message: String
    var atMarkerStart = false
    var description: String { "\(marker) \(message)" }
}

struct DiagnosticsCase: Sendable, CustomStringConvertible {
    var file: String
    var expected: [Expected]
    /// Warnings only: the translation must succeed and report them.
    var translates = false
    var mode: TranslationMode = .stackless
    var description: String { "\(file) (\(mode))" }
}

let diagnosticsCases: [DiagnosticsCase] = [
    DiagnosticsCase(file: "vla.c", expected: [Expected(marker: "1️⃣", severity: .error, message: Reject.Messages.vla("v"))]),
    DiagnosticsCase(file: "variably_modified.c", expected: [
        Expected(marker: "1️⃣", severity: .error, message: Reject.Messages.variablyModified("grid")),
        Expected(marker: "2️⃣", severity: .error, message: Reject.Messages.vla("row")),
        Expected(marker: "3️⃣", severity: .error, message: Reject.Messages.variablyModified("p")),
    ]),
    DiagnosticsCase(file: "alloca.c", expected: [Expected(marker: "1️⃣", severity: .error, message: Reject.Messages.alloca)]),
    DiagnosticsCase(file: "setjmp.c", expected: [
        Expected(marker: "1️⃣", severity: .error, message: Reject.Messages.setjmp),
        Expected(marker: "2️⃣", severity: .error, message: Reject.Messages.longjmp),
    ]),
    DiagnosticsCase(file: "computed_goto.c", expected: [
        Expected(marker: "1️⃣", severity: .error, message: Reject.Messages.labelAddress),
        Expected(marker: "2️⃣", severity: .error, message: Reject.Messages.computedGoto),
    ]),
    DiagnosticsCase(file: "asm_operand.c", expected: [Expected(marker: "1️⃣", severity: .error, message: Reject.Messages.awaitInAsm("slot"))]),
    DiagnosticsCase(file: "local_type_stays.c", expected: [
        Expected(marker: "1️⃣", severity: .error, message: LocalTypes.Messages.localType("copy")),
        Expected(marker: "2️⃣", severity: .error, message: LocalTypes.Messages.localType("many")),
    ]),
    DiagnosticsCase(file: "asm_goto.c", expected: [Expected(marker: "1️⃣", severity: .error, message: Reject.Messages.asmGoto)]),
    DiagnosticsCase(file: "variadic.c", expected: [Expected(marker: "1️⃣", severity: .error, message: Reject.Messages.variadic("sum"))]),
    DiagnosticsCase(file: "knr.c", expected: [
        Expected(marker: "1️⃣", severity: .error, message: Normalizer.Messages.argumentCount("old", 0, 1)),
    ]),
    DiagnosticsCase(file: "knr_spawn.c", expected: [
        Expected(marker: "1️⃣", severity: .error, message: Normalizer.Messages.argumentCount("job", 1, 2)),
    ]),
    DiagnosticsCase(file: "knr_spawn.c", expected: [
        Expected(marker: "1️⃣", severity: .error, message: Normalizer.Messages.argumentCount("job", 1, 2)),
    ], mode: .stackful),
    DiagnosticsCase(file: "coroutine_value.c", expected: [
        Expected(marker: "1️⃣", severity: .error, message: PlainCopies.Messages.valueUse("c1", "suspends at 'coro_yield' (line 9)")),
        Expected(marker: "2️⃣", severity: .error, message: PlainCopies.Messages.valueUse("c2", "awaits 'c7', which suspends at 'coro_yield' (line 10)")),
        Expected(marker: "3️⃣", severity: .error, message: PlainCopies.Messages.valueUse("c3", "awaits 'c2', which awaits 'c7', which suspends at 'coro_yield' (line 10)")),
        Expected(marker: "4️⃣", severity: .error, message: PlainCopies.Messages.valueUse("c4", "awaits 'c3', which awaits 'c2', which awaits 'c7', which suspends at 'coro_yield' (line 10)")),
        Expected(marker: "5️⃣", severity: .error, message: PlainCopies.Messages.valueUse("c5", "awaits 'c4', which awaits 'c3', which awaits 'c2', which awaits 'c7', which suspends at 'coro_yield' (line 10)")),
        Expected(marker: "6️⃣", severity: .error, message: PlainCopies.Messages.valueUse("c6", "awaits 'c5', which awaits 'c4', which awaits 'c3', which awaits 'c2', which awaits 'c7', which suspends at 'coro_yield' (line 10)")),
    ]),
    DiagnosticsCase(file: "bare_call.c", expected: [
        Expected(marker: "1️⃣", severity: .error, message: PlainCopies.Messages.bareCall("work", "suspends at 'coro_yield' (line 6)")),
        Expected(marker: "2️⃣", severity: .error, message: Classify.Messages.mainInCoroutine),
    ]),
    DiagnosticsCase(file: "macro_defined_caller.c", expected: [
        Expected(marker: "1️⃣", severity: .error, message: PlainCopies.Messages.bareCall("rnd", "suspends at 'coro_yield' (line 7)")),
        Expected(marker: "2️⃣", severity: .error, message: PlainCopies.Messages.valueUse("rnd", "suspends at 'coro_yield' (line 7)")),
    ]),
    DiagnosticsCase(file: "plain_forms.c", expected: [
        Expected(marker: "1️⃣", severity: .warning, message: PlainCopies.Messages.demoted("cmp")),
        Expected(marker: "2️⃣", severity: .warning, message: PlainCopies.Messages.copied("twice")),
        Expected(marker: "3️⃣", severity: .warning, message: PlainCopies.Messages.demotedProblem("sum", Reject.Messages.variadic("sum"))),
    ], translates: true),
    DiagnosticsCase(file: "static_local_copy.c", expected: [
        Expected(marker: "1️⃣", severity: .error, message: PlainCopies.Messages.staticLocal("counter", "calls")),
    ]),
    DiagnosticsCase(file: "include_in_body.c", expected: [
        Expected(marker: "1️⃣", severity: .error, message: Reject.Messages.includeInBody("counted")),
    ]),
    DiagnosticsCase(file: "macro_body_local.c", expected: [
        Expected(marker: "1️⃣", severity: .error, message: Normalizer.Messages.localInMacroBody("acc0")),
    ]),
    DiagnosticsCase(file: "parse_error.c", expected: [
        Expected(marker: "1️⃣", severity: .error, message: "expected ';' after expression", atMarkerStart: true),
    ]),
    DiagnosticsCase(file: "missing_header.c", expected: [
        Expected(marker: "1️⃣", severity: .fatal, message: "'no_such_header_for_coroc.h' file not found"),
    ]),
    DiagnosticsCase(file: "large_frame.c", expected: [
        // 32-byte header + int result + 70000 bytes, rounded to 8 (checked against offsetof in FrameLayoutTests).
        Expected(marker: "1️⃣", severity: .warning, message: CTranslator.Messages.largeFrame("big", 70040)),
    ], translates: true),
    DiagnosticsCase(file: "rewritten_line.c", expected: [
        Expected(marker: "1️⃣", severity: .warning, message: ThreadWarnings.Messages.threadValue("me", "pthread_self()")),
    ], translates: true),
    DiagnosticsCase(file: "thread_values.c", expected: [
        Expected(marker: "1️⃣", severity: .warning, message: ThreadWarnings.Messages.threadValue("me", "pthread_self()")),
        Expected(marker: "2️⃣", severity: .warning, message: ThreadWarnings.Messages.threadValue("err", "errno")),
        Expected(marker: "3️⃣", severity: .warning, message: ThreadWarnings.Messages.threadValue("mine", "thread-local 'slot'")),
    ], translates: true),
    DiagnosticsCase(file: "thread_branch.c", expected: [
        Expected(marker: "1️⃣", severity: .warning, message: ThreadWarnings.Messages.threadValue("me", "pthread_self()")),
        Expected(marker: "2️⃣", severity: .warning, message: ThreadWarnings.Messages.threadValue("looped", "pthread_self()")),
    ], translates: true),
]

@Test(arguments: diagnosticsCases)
func diagnosticLandsOnMarker(_ testCase: DiagnosticsCase) throws {
    let path = Paths.input("diagnostics", testCase.file)
    let text = readFile(path)
    var found: [Diagnostic] = []
    do {
        let translation = try translate(path, mode: testCase.mode)
        #expect(testCase.translates, "expected errors, but \(testCase.file) translated")
        found = translation.diagnostics
    } catch {
        #expect(!testCase.translates, "expected warnings only: \(error.diagnostics.map { $0.rendered() })")
        found = error.diagnostics
    }
    #expect(found.count == testCase.expected.count, "\(found.map { $0.rendered() })")
    for expected in testCase.expected {
        let location = try #require(markerLocation(text, "/*\(expected.marker)*/", file: path, atStart: expected.atMarkerStart))
        let match = found.first { $0.message == expected.message }
        #expect(match != nil, "missing '\(expected.message)' in \(found.map { $0.rendered() })")
        #expect(match?.severity == expected.severity)
        #expect(match?.location == location, "\(expected.marker): at \(String(describing: match?.location))")
        #expect(match?.sourceLine == text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[location.line - 1])
    }
}

/// Line and byte column of the token after a marker comment (or of the marker).
func markerLocation(_ text: String, _ marker: String, file: String, atStart: Bool) -> CorocCore.SourceLocation? {
    let bytes = Array(text.utf8), needle = Array(marker.utf8)
    guard let start = (0...(bytes.count - needle.count)).first(where: { bytes[$0..<$0 + needle.count].elementsEqual(needle) }) else {
        return nil
    }
    let offset = atStart ? start : start + needle.count
    let before = bytes[..<offset]
    let line = before.filter { $0 == 10 }.count + 1
    let lineStart = before.lastIndex(of: 10).map { $0 + 1 } ?? 0
    return CorocCore.SourceLocation(file: file, line: line, column: offset - lineStart + 1)
}
