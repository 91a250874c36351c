// Normalize, rendering: source text with frame references.
//
// In:  a cursor (statement or expression) without suspend points, or a range
//      of the source.
// Out: its text with every frame variable as its field (`f->x` or a register
//      local), `return` as a store to `ret_` and CORO_DONE, redirected
//      `continue`s, compound literals moved into the frame and `coro_go`
//      spawns; the bytes between edits are the source's own.
import CClang
import CorocCore
import Foundation

extension Normalizer {
    // MARK: text with frame references

    /// The expression or statement text with frame variables as `f->x`.
    func renderText(_ c: Cursor) -> String {
        if let range = macros.textRange(c) { return render(range, c) }
        return renderPretty(c)
    }

    /// Written inside a macro body: print it, then map frame variables.
    func renderPretty(_ node: Cursor) -> String {
        var c = node
        var printed = c.prettyPrinted
        // libclang prints nothing for implicit casts (UnexposedExpr): print the operand.
        while printed.isEmpty, c.children.count == 1 {
            c = c.children[0]
            printed = c.prettyPrinted
        }
        if printed.isEmpty { return macroCallText(node, statement: false) }
        var refs: [(String, String)] = []
        c.forEachDescendant { node in
            if node.kind == CXCursor_DeclRefExpr, let target = node.referencedKey, let field = frameVars[target] {
                refs.append((node.spelling, field))
            }
        }
        if refs.isEmpty { return printed }
        printed = replaceIdentifiers(printed, refs)
        return printed
    }

    /// An expression without text of its own whose printed form libclang 14
    /// does not give (it pretty-prints declarations only): the macro call it
    /// expands to, kept as written, when it is one whole call and names no
    /// frame variable (the call expands to the same code in the output, where
    /// the macro is still defined); otherwise a diagnostic, never empty text
    /// (`while (n--) MULTI(STEP);` became `;`).
    func macroCallText(_ node: Cursor, statement: Bool) -> String {
        var local: String?
        node.forEachDescendant { n in
            if local == nil, n.kind == CXCursor_DeclRefExpr, let target = n.referencedKey, frameVars[target] != nil {
                local = n.spelling
            }
        }
        if let local {
            macroError(node, Messages.localInMacroBody(local))
            return "0"
        }
        // The call is the whole statement: it starts where the expansion of
        // the node's first token starts, and ends the statement.
        let extent = clang_getCursorExtent(node.raw)
        var s: UInt32 = 0, e: UInt32 = 0
        clang_getExpansionLocation(clang_getRangeStart(extent), nil, nil, nil, &s)
        clang_getExpansionLocation(clang_getRangeEnd(extent), nil, nil, nil, &e)
        guard statement, let call = macros.expansions.first(where: { $0.start == Int(s) }),
              Int(e) == call.start || Int(e) == call.end, source.semicolon(after: call.end) != nil,
              endsStatement(before: call.start) else {
            macroError(node, Messages.unprintable)
            return "0"
        }
        return source.slice(call)
    }

    /// Whether the text before `offset` ends a statement or a loop/if header.
    private func endsStatement(before offset: Int) -> Bool {
        var i = offset
        while i > 0, [32, 9, 10, 13].contains(source.bytes[i - 1]) { i -= 1 }
        guard i > 0 else { return false }
        if [UInt8(ascii: ")"), UInt8(ascii: ";"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ":")].contains(source.bytes[i - 1]) {
            return true
        }
        return (i >= 2 && source.isLoopKeyword(at: i - 2, CXCursor_DoStmt))
            || (i >= 4 && source.slice(TextRange(start: i - 4, end: i)) == "else")
    }

    func render(_ range: TextRange, _ c: Cursor) -> String {
        var edits: [(TextRange, String)] = []
        collectEdits(node: c, into: &edits, insideLoop: false)
        conditionalEdits(range, into: &edits)
        return apply(edits, to: range)
    }

    /// A statement copied from the body may span conditional directives
    /// (`#if A` / `if (x)` / `#else` / `if (y)` / `#endif`), whose other ends lie
    /// outside the copy, which then did not compile ('#else without #if').  The
    /// copy is already what the preprocessor chose, so it keeps only that: the
    /// skipped regions and the conditional directive lines are dropped (a line
    /// break stays so `#line` numbering is kept); `#define` and others stay.
    func conditionalEdits(_ range: TextRange, into edits: inout [(TextRange, String)]) {
        for r in macros.skipped where range.start <= r.start && r.start < range.end {
            let end = min(r.end, range.end)
            let lines = source.slice(TextRange(start: r.start, end: end)).filter { $0 == "\n" }.count
            edits.append((TextRange(start: r.start, end: end), String(repeating: "\n", count: lines)))
        }
        var i = range.start
        while i < range.end {
            // A directive: `#` first on its line (after blanks).
            var j = i
            while j < range.end, source.bytes[j] == 32 || source.bytes[j] == 9 { j += 1 }
            var lineEnd = j
            while lineEnd < range.end, source.bytes[lineEnd] != 10 { lineEnd += 1 }
            if j < range.end, source.bytes[j] == UInt8(ascii: "#"),
               !macros.skipped.contains(where: { $0.start <= j && j < $0.end }) {
                let word = source.slice(TextRange(start: j + 1, end: lineEnd)).drop { $0 == " " || $0 == "\t" }
                    .prefix { $0.isLetter }
                if ["if", "ifdef", "ifndef", "elif", "else", "endif"].contains(String(word)) {
                    edits.append((TextRange(start: j, end: lineEnd), ""))
                }
            }
            i = lineEnd + 1
        }
    }

    func apply(_ unsorted: [(TextRange, String)], to range: TextRange) -> String {
        let edits = unsorted.sorted { $0.0 < $1.0 }
        var out = "", at = range.start
        for (r, text) in edits where r.start >= at && r.end <= range.end {
            out += source.slice(TextRange(start: at, end: r.start)) + text
            at = r.end
        }
        return out + source.slice(TextRange(start: at, end: range.end))
    }

    func collectEdits(_ c: Cursor, into edits: inout [(TextRange, String)], insideLoop: Bool) {
        for child in c.children { collectEdits(node: child, into: &edits, insideLoop: insideLoop) }
    }

    /// Edits for `node` itself, or else for its subtree.
    func collectEdits(node: Cursor, into edits: inout [(TextRange, String)], insideLoop: Bool) {
        if isGoMarker(node) {
            edits.append((node.expansionRange, spawnText(node)))
            return
        }
        if LocalTypes.isTypeDeclaration(node), let replacement = localTypes?.replacements[node.key],
           let r = macros.textRange(node) {
            edits.append((r, replacement))
            return
        }
        switch node.kind {
        case CXCursor_DeclRefExpr:
            guard let target = node.referencedKey, let field = frameVars[target] else { return }
            if let r = macros.textRange(node), source.slice(r) == node.spelling {
                edits.append((r, field))
            } else {
                macroError(node, Messages.localInMacroBody(node.spelling))
            }
        case CXCursor_ReturnStmt:
            guard var r = macros.textRange(node) else {
                macroError(node, Messages.returnInMacro)
                return
            }
            // `#define RET(x) return (x)`: the value's only text is the macro
            // call, `return` included; the call must be spelled out.
            if let value = node.children.first, let v = macros.textRange(value), v.start <= r.start {
                macroError(node, Messages.returnInMacro)
                return
            }
            if let end = source.semicolon(after: r.end) { r.end = end }
            var text = "{ "
            if let value = node.children.first {
                text += coroutine.returnsVoid ? "\(renderText(value)); " : assignment("\(fp)->ret_", renderText(value), coroutine.resultType) + " "
            }
            edits.append((r, text + "return CORO_DONE; }"))
        case CXCursor_ContinueStmt where !insideLoop:
            guard let label = loops.last ?? nil, var r = macros.textRange(node) else { return }
            if let end = source.semicolon(after: r.end) { r.end = end }
            label.used = true
            edits.append((r, "goto \(label.name);"))
        case CXCursor_CompoundLiteralExpr:
            guard let r = macros.textRange(node) else { return }
            // clang also makes an implicit compound literal when an argument is
            // passed to a transparent-union parameter (glibc's __SOCKADDR_ARG of
            // accept/connect/bind under _GNU_SOURCE).  It has no `(type){` of its
            // own, so its text has no brace.  Not a literal to move.
            if !apply([], to: r).contains("{") {
                collectEdits(node, into: &edits, insideLoop: insideLoop)
                return
            }
            // Lives in the frame so pointers to it survive suspension; the
            // memcpy re-initializes it each time the expression runs, as C does.
            var inner: [(TextRange, String)] = []
            collectEdits(node, into: &inner, insideLoop: insideLoop)
            let literal = apply(inner, to: r)
            literalCounter += 1
            let field = "\(fp)->" + frame.add(preferred: "lit\(literalCounter)_", type: node.type)
            edits.append((r, "(*(__typeof__(\(field)) *)__builtin_memcpy(&\(field), &\(literal), sizeof \(field)))"))
        case CXCursor_UnaryExpr:
            unevaluated += 1
            collectEdits(node, into: &edits, insideLoop: insideLoop)
            unevaluated -= 1
        case CXCursor_CallExpr where unevaluated > 0:
            // `sizeof f(x)` of a coroutine f: stackless has no function f, and the
            // operand only contributes its type.
            guard let callee = node.referenced, facts.coroutines[callee.spelling] != nil,
                  let r = macros.textRange(node) else {
                collectEdits(node, into: &edits, insideLoop: insideLoop)
                return
            }
            let type = node.type
            edits.append((r, type.kind == CXType_Void ? "((void)0)" : "(*(\(typeName(type)) *)0)"))
        case CXCursor_WhileStmt, CXCursor_ForStmt, CXCursor_DoStmt:
            collectEdits(node, into: &edits, insideLoop: true)
        default:
            collectEdits(node, into: &edits, insideLoop: insideLoop)
        }
    }

    /// The outermost expression of a `coro_go(...)` expansion.  Most nodes are
    /// not in a macro at all, and a file has few markers: the range compare
    /// (two libclang calls) runs only for nodes that start a marker.
    func isGoMarker(_ node: Cursor) -> Bool {
        let markers = facts.unit.markers
        guard !markers.isEmpty, node.isExpression else { return false }
        let at = node.fileOffset
        guard let marker = markers.first(where: { $0.range.start == at }), marker.kind == .go else { return false }
        return marker.range == node.expansionRange
    }

    /// `coro_go(g(args))` becomes a spawn of g's heap frame.
    func spawnText(_ marker: Cursor) -> String {
        guard let call = spawnedCall(marker), let name = call.referenced?.spelling else {
            error(marker, Messages.goWithoutCoroutine)
            return "((void)0)"
        }
        var args = (0..<call.argumentCount).map { writtenArgument(call, $0) }
        var extras = ""
        if let callee = facts.coroutines[name] {
            checkArgumentCount(call, callee)
            let split = splitExtraArguments(args, parameters: callee.parameters.count,
                                            variadic: clang_Cursor_isVariadic(callee.cursor.raw) != 0)
            args = split.kept
            extras = split.extras.map { "(void)(\($0)), " }.joined()
        }
        let spawn = "coro_spawn(\(name)_new(\(args.joined(separator: ", "))), \"\(name)\")"
        return extras.isEmpty ? spawn : "(\(extras)\(spawn))"
    }

    /// Argument `i` of `call`, rendered: its own text, else the text between
    /// the call's commas (an argument that is a macro call, `NULL`), else the
    /// printed form.
    func writtenArgument(_ call: Cursor, _ i: Int) -> String {
        let arg = call.argument(i)
        if macros.textRange(arg) == nil, let piece = facts.unit.writtenArguments(call)?[i] {
            return render(piece, arg)
        }
        return renderText(arg)
    }

    /// `coro_go(g(h(x)))` where an argument suspends (h is a coroutine or an
    /// I/O call): the arguments are lowered first, in order (their suspend
    /// points become states of this coroutine and their values frame temps),
    /// then g is spawned with the values, as C evaluates arguments before the call.
    func lowerSpawn(_ marker: Cursor) -> String {
        guard let call = spawnedCall(marker), let name = call.referenced?.spelling else {
            error(marker, Messages.goWithoutCoroutine)
            return "((void)0)"
        }
        var args = call.children.filter(\.isExpression).dropFirst().map { lowerExpression($0) }
        if let callee = facts.coroutines[name] {
            checkArgumentCount(call, callee)
            args = fitArguments(args, callee)
        }
        return "coro_spawn(\(name)_new(\(args.joined(separator: ", "))), \"\(name)\")"
    }

    /// The marker's outermost call of a coroutine (pre-order: parents first).
    func spawnedCall(_ marker: Cursor) -> Cursor? {
        var call: Cursor?
        marker.forEachDescendant { node in
            if call == nil, node.kind == CXCursor_CallExpr, let target = node.referenced,
               facts.coroutines[target.spelling] != nil { call = node }
        }
        return call
    }

    enum Messages {
        static func localInMacroBody(_ name: String) -> String {
            "local '\(name)' is used inside a macro body in a coroutine; pass it to the macro as an argument"
        }
        static let returnInMacro = "return inside a macro body in a coroutine is not supported"
        static func argumentCount(_ name: String, _ n: Int, _ m: Int) -> String {
            "call of K&R coroutine '\(name)' with \(n) argument\(n == 1 ? "" : "s"); its definition has \(m) parameter\(m == 1 ? "" : "s"), and would read one never passed"
        }
        static let unprintable = "expression written across a macro body in a coroutine cannot be rewritten; expand the macro by hand"
        static let suspendInMacroBody = "suspend point inside a macro body in a coroutine cannot be rewritten; pass the call to the macro as an argument"
        static let goWithoutCoroutine = "coro_go(...) needs a call of a CORO function"
    }
}
