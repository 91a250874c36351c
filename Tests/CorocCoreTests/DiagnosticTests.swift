import Testing
@testable import CorocCore

@Test func rendersLikeClangWithCaret() {
    let d = Diagnostic(.error, at: SourceLocation(file: "a.c", line: 3, column: 5),
                       "variable-length array in a coroutine", sourceLine: "\tint v[n];")
    #expect(d.rendered() == "a.c:3:5: error: variable-length array in a coroutine\n\tint v[n];\n\t   ^\n")
}
