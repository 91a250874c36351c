// `#line` paths are C string literals: a source path with a backslash or a
// double quote must come out escaped in both modes, or the output does not
// compile (`\q` is an unknown escape; a lone `"` ends the literal early).
import CorocC
import CorocCore
import Foundation
import Testing

@Test(arguments: [TranslationMode.stackless, .stackful])
func linePathWithBackslashAndQuoteCompiles(_ mode: TranslationMode) throws {
    let dir = temporaryFile(suffix: "")
    try FileManager.default.removeItem(atPath: dir)
    let odd = dir + "/back\\quote\"dir"
    try FileManager.default.createDirectory(atPath: odd, withIntermediateDirectories: true)
    let path = odd + "/prog.c"
    try readFile(Paths.input("golden", "label_liveness.c")).write(toFile: path, atomically: true, encoding: .utf8)
    let output = try translate(path, mode: mode).output
    #expect(output.contains(QuotedLiteral.quoted(path)))
    #expect(!output.contains("\"" + path + "\""))
    let check = try runProcess(["cc", "-std=gnu17", "-Werror", "-fsyntax-only", "-I", Paths.runtimeInclude,
                                "-x", "c", temporaryFile(suffix: ".c", contents: output)])
    #expect(check.status == 0, "\(check.stderr)")
}
