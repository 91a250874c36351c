// A function-like macro's replacement list with its arguments substituted,
// as text (C11 6.10.3.1-3), for ExpandMacros.
//
// In:  the replacement list and the argument text of each parameter (as
//      written in the call, unexpanded).
// Out: the text the preprocessor would produce before rescanning, or nil when
//      the list is not one this reproduces (`#` before a non-parameter).
//      - a parameter is replaced by its argument;
//      - `# param` becomes the argument as a string literal: whitespace runs
//        (and comments) between its tokens one space, none at either end, and
//        a `\` before each `"` and `\` of its string and character literals;
//      - `a ## b` joins the two sides with no space between (the re-parse sees
//        one token); an empty `__VA_ARGS__` after `, ##` takes the comma away
//        (GNU).
// Nested macro names are left as they are: the file is re-parsed, and the
// preprocessor expands them then (the rescan).  Arguments are not
// macro-expanded before substitution here, which the rescan makes equal for
// every parameter not next to `#` or `##` (and those take the argument
// unexpanded, as here).

enum MacroText {
    static func substitute(_ body: String, _ table: [String: String]) -> String? {
        let b = Array(body.utf8)
        var out: [UInt8] = []
        var i = 0
        var pasteNext = false     // the previous token was `##`
        func skipSpace(_ j: inout Int) { while j < b.count, isSpace(b[j]) { j += 1 } }
        while i < b.count {
            let c = b[i]
            if isSpace(c) {
                var j = i
                skipSpace(&j)
                // Whitespace before `##` goes; so does whitespace after it.
                if j + 1 < b.count, b[j] == hash, b[j + 1] == hash {
                    i = j
                    continue
                }
                if !pasteNext { out.append(32) }
                i = j
                continue
            }
            if c == hash && i + 1 < b.count && b[i + 1] == hash {
                while let last = out.last, isSpace(last) { out.removeLast() }
                pasteNext = true
                i += 2
                // GNU: `, ## __VA_ARGS__` with no variable arguments drops the comma.
                var j = i
                skipSpace(&j)
                if out.last == UInt8(ascii: ","), let (word, end) = identifier(b, j), word == "__VA_ARGS__",
                   (table[word] ?? "").isEmpty {
                    out.removeLast()
                    i = end
                    pasteNext = false
                }
                continue
            }
            if c == hash {
                var j = i + 1
                skipSpace(&j)
                guard let (word, end) = identifier(b, j), let argument = table[word] else { return nil }
                out += Array(stringize(argument).utf8)
                i = end
                pasteNext = false
                continue
            }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                let end = literalEnd(b, i)
                out += b[i..<end]
                i = end
                pasteNext = false
                continue
            }
            if c >= 48 && c <= 57 {
                // A pp-number (`0x1f`, `1e+5`): no parameter inside it.
                var j = i + 1
                while j < b.count, isIdentifierByte(b[j]) || b[j] == UInt8(ascii: ".")
                        || ((b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-"))
                            && [UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "p"), UInt8(ascii: "P")].contains(b[j - 1])) {
                    j += 1
                }
                out += b[i..<j]
                i = j
                pasteNext = false
                continue
            }
            if let (word, end) = identifier(b, i) {
                var argument = table[word].map { Array($0.utf8) } ?? Array(word.utf8)
                // An argument next to `##` is pasted as written, without its
                // own surrounding whitespace.
                if pasteNext || isPasteAhead(b, end) { argument = trimmed(argument) }
                out += argument
                i = end
                pasteNext = false
                continue
            }
            out.append(c)
            i += 1
            pasteNext = false
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `#argument`: the argument's spelling as a string literal.
    static func stringize(_ argument: String) -> String {
        let b = Array(argument.utf8)
        var out: [UInt8] = [UInt8(ascii: "\"")]
        var pendingSpace = false
        var i = 0
        while i < b.count {
            let c = b[i]
            if isSpace(c) {
                pendingSpace = out.count > 1
                i += 1
                continue
            }
            if c == UInt8(ascii: "/"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "*") {
                var j = i + 2
                while j + 1 < b.count, !(b[j] == UInt8(ascii: "*") && b[j + 1] == UInt8(ascii: "/")) { j += 1 }
                i = min(j + 2, b.count)
                pendingSpace = out.count > 1
                continue
            }
            if pendingSpace { out.append(32) }
            pendingSpace = false
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                let end = literalEnd(b, i)
                for ch in b[i..<end] {
                    if ch == UInt8(ascii: "\"") || ch == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                    out.append(ch)
                }
                i = end
                continue
            }
            out.append(c)
            i += 1
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    private static let hash = UInt8(ascii: "#")

    private static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 || c == 11 || c == 12 }

    private static func isPasteAhead(_ b: [UInt8], _ from: Int) -> Bool {
        var j = from
        while j < b.count, isSpace(b[j]) { j += 1 }
        return j + 1 < b.count && b[j] == hash && b[j + 1] == hash
    }

    private static func trimmed(_ text: [UInt8]) -> [UInt8] {
        var t = ArraySlice(text)
        while let f = t.first, isSpace(f) { t = t.dropFirst() }
        while let l = t.last, isSpace(l) { t = t.dropLast() }
        return Array(t)
    }

    /// The identifier starting at `i`, and where it ends.
    private static func identifier(_ b: [UInt8], _ i: Int) -> (String, Int)? {
        guard i < b.count, isIdentifierByte(b[i]), !(b[i] >= 48 && b[i] <= 57) else { return nil }
        var j = i
        while j < b.count, isIdentifierByte(b[j]) { j += 1 }
        return (String(decoding: b[i..<j], as: UTF8.self), j)
    }

    /// One past the closing quote of the literal that opens at `i`.
    private static func literalEnd(_ b: [UInt8], _ i: Int) -> Int {
        let quote = b[i]
        var j = i + 1
        while j < b.count, b[j] != quote { j += b[j] == UInt8(ascii: "\\") ? 2 : 1 }
        return min(j + 1, b.count)
    }
}
