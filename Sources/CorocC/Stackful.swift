// Stackful output (`--mode stackful`): the same source, bodies kept as written.
//
// In:  a parsed unit (macros hiding I/O calls already spelled out by
//      ExpandMacros), its coroutines, the catalogue.
// Out: the input text with only these edits (coro.h "stackful mode"):
//   - CORO / CORO_NOPREEMPT markers removed (the functions are plain C now);
//   - in coroutines, catalogue I/O calls renamed to their stackful wrappers
//     (read -> coro_read); blocking-pool calls wrapped in a GNU statement
//     expression that runs a generated thunk through coro_blocking and yields
//     the call's result with its errno;
//   - in coroutines without CORO_NOPREEMPT, `coro_stackful_preempt_point();`
//     at the top of every loop body (but short leaf loops, see ShortLoops;
//     loops StripLoops accepts get one per strip of up to 1024 iterations,
//     as stackless) and before every backward goto;
//   - `coro_go(f(x))` -> `f_go_stackful(x)` and `coro_main(f(x))` ->
//     `f_main_stackful(x)`, generated per spawned function (args struct, entry
//     thunk) just before the first top-level declaration that uses them;
//   - `#define CORO_STACKFUL_ERRNO` first, so errno is re-read after switches.
// `#line` directives after every generated block keep the original numbering.
import CClang
import CorocCore

enum Stackful {
    /// A loop in strips (StripLoops), as the stackless output runs it:
    /// `for (I; C; STEP) B` becomes `for (I; C; ) { coro_stackful_preempt_point();
    /// { T coro_strip_end = ...; for (; C'; STEP) B } }`, `while (C) B` the
    /// same without STEP.  Nil (a check per iteration instead) when the loop
    /// is not one or its parts do not have text of their own in order (macros).
    private static func stripEdits(_ loop: Cursor, body r: TextRange, compound: Bool, candidates: Set<CursorKey>,
                                   _ unit: ParsedUnit) -> [(TextRange, String)]? {
        let source = unit.source, macros = unit.macros
        guard let strip = StripLoops.strip(loop, candidates: candidates, macros, source),
              let whole = macros.textRange(loop), let v = macros.textRange(strip.counterSide),
              let e = macros.textRange(strip.boundSide) else { return nil }
        let terms = strip.terms.compactMap { macros.textRange($0) }
        let inc = strip.increment.flatMap { macros.textRange($0) }
        let s = strip.stepVariable.flatMap { macros.textRange($0) }
        guard terms.count == strip.terms.count, (inc == nil) == (strip.increment == nil), (s == nil) == (strip.stepVariable == nil),
              let first = terms.first, let last = terms.last, whole.start < first.start, last.end <= (inc?.start ?? r.start),
              (inc?.end ?? r.start) <= r.start, r.end <= whole.end else { return nil }
        let name = strip.countsDown ? "coro_strip_left" : "coro_strip_end"
        let inner = strip.text(v: source.slice(v), e: source.slice(e), s: s.map(source.slice), terms: terms.map(source.slice),
                               increment: inc.map(source.slice), name: name)
        let end = compound ? r.end : (source.semicolon(after: r.end) ?? r.end)
        var edits = [(TextRange(start: r.start, end: r.start), "{ coro_stackful_preempt_point(); " + inner),
                     (TextRange(start: end, end: end), " } }")]
        if let inc { edits.append((inc, "")) }
        return edits
    }

    /// Whether `r` starts right after the loop header: after its `)` (while,
    /// for) or its `do`, with only blanks and comments between.
    private static func startsBody(_ r: TextRange, _ kind: CXCursorKind, _ source: SourceText) -> Bool {
        var i = r.start
        while i > 0 {
            let b = source.bytes[i - 1]
            if b == 32 || b == 9 || b == 10 || b == 13 { i -= 1; continue }
            if b == UInt8(ascii: "/"), i >= 2, source.bytes[i - 2] == UInt8(ascii: "*") {
                i -= 2
                while i >= 2 && !(source.bytes[i - 2] == UInt8(ascii: "/") && source.bytes[i - 1] == UInt8(ascii: "*")) { i -= 1 }
                i -= 2
                continue
            }
            break
        }
        guard i > 0 else { return false }
        if kind == CXCursor_DoStmt { return i >= 2 && source.isLoopKeyword(at: i - 2, kind) }
        return source.bytes[i - 1] == UInt8(ascii: ")")
    }

    /// The output, or (`unwritable`) the extents of spawn arguments that have
    /// no text of their own, with their errors: CTranslator spells the macro
    /// calls there out and tries again.
    static func run(_ unit: ParsedUnit, _ coroutines: [Coroutine], catalogue: IOCatalogue,
                    command: String, unwritable unwritableRanges: inout [TextRange]) throws(DiagnosticError) -> String {
        let source = unit.source
        let path = QuotedLiteral.quoted(source.path)
        var edits: [(TextRange, String)] = []
        var blockingCount = 0
        var thunks: [Int: String] = [:]   // insertion offset -> generated text
        func insert(_ text: String, before offset: Int) {
            thunks[offset, default: ""] += text
        }
        let names = Set(coroutines.map(\.name))
        var unwritable: [Cursor] = []   // arguments with no text to copy (Messages.unwritableArgument)
        var miscounted: [(Cursor, String)] = []   // spawns of K&R coroutines with too few arguments
        for coroutine in coroutines {
            guard let range = coroutine.definitionRange else { continue }
            // Drop the CORO markers (clang-only attributes; GCC would warn).
            edits += markerWords(in: TextRange(start: range.start, end: coroutine.cursor.fileOffset), source)
            let preempt = !coroutine.noPreempt
            let candidates = preempt ? RegisterPolicy.candidates(coroutine.cursor, unit.macros, source) : []
            coroutine.cursor.forEachDescendant { node in
                switch node.kind {
                case CXCursor_CallExpr:
                    guard let callee = node.referenced, callee.kind == CXCursor_FunctionDecl,
                          !names.contains(callee.spelling), let entry = catalogue.lookup(callee.spelling) else { return }
                    switch entry.kind {
                    case .operation:
                        guard let wrapper = entry.stackfulName, let ref = calleeToken(node, unit) else { return }
                        edits.append((ref, wrapper))
                    case .blocking:
                        guard let whole = unit.macros.textRange(node) else { return }
                        blockingCount += 1
                        let (thunk, call) = blockingCall(node, entry.name, id: blockingCount, unit, &unwritable)
                        insert(thunk, before: range.start)
                        edits.append((whole, call))
                    }
                case CXCursor_WhileStmt, CXCursor_ForStmt, CXCursor_DoStmt:
                    let parts = node.children
                    let body = node.kind == CXCursor_DoStmt ? parts.first : parts.last
                    guard preempt, let body, let r = unit.macros.textRange(body),
                          !ShortLoops.isShortLeaf(node, candidates: candidates, unit.macros, source) else { return }
                    // A loop that a macro call expands to (`do { ... } while (0)`)
                    // has no text of its own to edit: its "keyword" is the macro name.
                    guard let whole = unit.macros.textRange(node),
                          source.isLoopKeyword(at: whole.start, node.kind) else { return }
                    if let strip = stripEdits(node, body: r, compound: body.kind == CXCursor_CompoundStmt,
                                              candidates: candidates, unit) {
                        edits += strip
                    } else if body.kind == CXCursor_CompoundStmt, source.bytes[r.start] == UInt8(ascii: "{") {
                        // A compound body gets the check after its `{`; any other body, a macro
                        // call (`while (c) BODY`) among them, is wrapped, never edited inside.
                        edits.append((TextRange(start: r.start + 1, end: r.start + 1), " coro_stackful_preempt_point();"))
                    } else if startsBody(r, node.kind, source) {
                        edits.append((TextRange(start: r.start, end: r.start), "{ coro_stackful_preempt_point(); "))
                        let end = source.semicolon(after: r.end) ?? r.end
                        edits.append((TextRange(start: end, end: end), " }"))
                    }
                    // Else the body's extent is not its text (a macro call whose
                    // expansion starts with a token of an argument,
                    // `while (n--) MULTI(LOOP);`): it is left without a check
                    // rather than cut (the check only serves fairness).
                case CXCursor_GotoStmt:
                    guard preempt, let label = node.referenced, label.fileOffset < node.fileOffset,
                          let r = unit.macros.textRange(node) else { return }
                    edits.append((TextRange(start: r.start, end: r.start), "{ coro_stackful_preempt_point(); "))
                    let end = source.semicolon(after: r.end) ?? r.end
                    edits.append((TextRange(start: end, end: end), " }"))
                default:
                    break
                }
            }
        }
        for range in FindCoroutines.prototypes(unit, coroutines) {
            edits += markerWords(in: range, source)
        }
        var generated: Set<String> = []
        for marker in unit.markers {
            guard let (call, callee, topLevel) = markerCall(marker, unit, names) else { continue }
            let name = callee.spelling
            // An argument may itself suspend (`coro_go(f(read(fd, b, n)))`): it
            // keeps the edits made inside it (wrapper names, blocking thunks),
            // which the marker's own edit would otherwise cover.
            let pieces = unit.writtenArguments(call)
            let args = (0..<call.argumentCount).map { i -> String in
                guard let r = unit.macros.textRange(call.argument(i)) ?? pieces?[i] else {
                    unwritable.append(call.argument(i))
                    return "0"
                }
                return applying(edits, to: r, source)
            }
            let key = "\(marker.kind)-\(name)"
            if generated.insert(key).inserted {
                insert(spawnHelper(callee, main: marker.kind == .main), before: topLevel)
            }
            let helper = marker.kind == .main ? "\(name)_main_stackful" : "\(name)_go_stackful"
            // The helper has the definition's parameters; a K&R coroutine may
            // be called with another count.  Extra arguments are evaluated and
            // dropped, as the function would ignore them; too few is an error.
            let m = parameterTypes(callee).count
            let variadic = clang_Cursor_isVariadic(callee.raw) != 0
            if !variadic && args.count < m {
                miscounted.append((call, Normalizer.Messages.argumentCount(name, args.count, m)))
            }
            let split = splitExtraArguments(args, parameters: m, variadic: variadic)
            let extras = split.extras.map { "(void)(\($0)), " }.joined()
            let spawn = "\(helper)(\(split.kept.joined(separator: ", ")))"
            edits.append((marker.range, extras.isEmpty ? spawn : "(\(extras)\(spawn))"))
        }
        for (offset, text) in thunks {
            let line = source.line(of: offset)
            let column = source.column(of: offset)
            edits.append((TextRange(start: offset, end: offset),
                          "\n" + text + "#line \(line) \(path)\n" + String(repeating: " ", count: column - 1)))
        }
        unwritableRanges = unwritable.map(\.expansionRange)
        if !unwritable.isEmpty || !miscounted.isEmpty {
            throw DiagnosticError((unwritable.map { ($0, Messages.unwritableArgument) } + miscounted).map { arg, message in
                let loc = source.location(of: arg.expansionRange.start)
                return Diagnostic(.error, at: loc, message, sourceLine: source.lineText(loc.line))
            }.sorted { ($0.location?.line ?? 0, $0.location?.column ?? 0) < ($1.location?.line ?? 0, $1.location?.column ?? 0) })
        }
        edits.sort { ($0.0.start, $0.0.end) < ($1.0.start, $1.0.end) }
        var out = "/* Generated by `\(command)`; do not edit. */\n#define CORO_STACKFUL_ERRNO 1\n#line 1 \(path)\n"
        var at = 0
        for (range, text) in edits where range.start >= at {
            out += source.slice(TextRange(start: at, end: range.start)) + text
            at = range.end
        }
        return out + source.slice(TextRange(start: at, end: source.bytes.count))
    }

    /// The text of `range` with the edits that lie inside it.
    private static func applying(_ edits: [(TextRange, String)], to range: TextRange, _ source: SourceText) -> String {
        let inside = edits.filter { range.contains($0.0) }.sorted { ($0.0.start, $0.0.end) < ($1.0.start, $1.0.end) }
        var out = "", at = range.start
        for (r, text) in inside where r.start >= at {
            out += source.slice(TextRange(start: at, end: r.start)) + text
            at = r.end
        }
        return out + source.slice(TextRange(start: at, end: range.end))
    }

    /// Edits deleting the words CORO and CORO_NOPREEMPT in a declaration's head.
    private static func markerWords(in range: TextRange, _ source: SourceText) -> [(TextRange, String)] {
        var found: [(TextRange, String)] = []
        var i = range.start
        while i < range.end {
            guard isIdentifierByte(source.bytes[i]), i == 0 || !isIdentifierByte(source.bytes[i - 1]) else {
                i += 1
                continue
            }
            var j = i
            while j < range.end && isIdentifierByte(source.bytes[j]) { j += 1 }
            let word = source.slice(TextRange(start: i, end: j))
            if word == "CORO" || word == "CORO_NOPREEMPT" { found.append((TextRange(start: i, end: j), "")) }
            i = j
        }
        return found
    }

    /// The callee's name as written in the file, when it is.
    private static func calleeToken(_ call: Cursor, _ unit: ParsedUnit) -> TextRange? {
        var found: TextRange?
        func visit(_ c: Cursor) {
            for child in c.children where found == nil {
                if child.kind == CXCursor_DeclRefExpr {
                    let at = child.fileOffset
                    let r = TextRange(start: at, end: at + child.spelling.utf8.count)
                    if unit.source.slice(r) == child.spelling { found = r }
                    return
                }
                visit(child)
                return
            }
        }
        visit(call)
        return found
    }

    /// A thunk for the blocking pool and the statement expression that calls it.
    private static func blockingCall(_ call: Cursor, _ name: String, id: Int, _ unit: ParsedUnit,
                                     _ unwritable: inout [Cursor]) -> (String, String) {
        let structName = "coro_blocking_\(name)_\(id)"
        let calleeType = call.referenced?.type ?? call.type
        let declared = Int(clang_getNumArgTypes(calleeType))
        let returnsVoid = call.type.kind == CXType_Void
        var members = returnsVoid ? "" : "    \(declare(call.type, "ret_"));\n"
        members += "    int err_;\n"
        var inits: [String] = []
        let pieces = unit.writtenArguments(call)
        for i in 0..<call.argumentCount {
            let type = i < declared ? clang_getArgType(calleeType, UInt32(i)) : call.argument(i).type
            members += "    \(declare(type, "a\(i)"));\n"
            guard let r = unit.macros.textRange(call.argument(i)) ?? pieces?[i] else {
                unwritable.append(call.argument(i))
                continue
            }
            inits.append(".a\(i) = (\(unit.source.slice(r)))")
        }
        let args = (0..<call.argumentCount).map { "a->a\($0)" }.joined(separator: ", ")
        let thunk = """
            struct \(structName) {
            \(members)};
            static void \(structName)_run(void *arg) {
                struct \(structName) *a = arg;
                \(returnsVoid ? "" : "a->ret_ = ")\(name)(\(args));
                a->err_ = errno;
            }

            """
        let value = returnsVoid ? "(void)0" : "a_.ret_"
        let expr = "({ struct \(structName) a_ = { \(inits.joined(separator: ", ")) }; "
            + "if (coro_blocking(\(structName)_run, &a_) != 0) a_.err_ = errno; errno = a_.err_; \(value); })"
        return (thunk, expr)
    }

    /// Args struct, entry thunk and the go / main helper for one function.
    private static func spawnHelper(_ callee: Cursor, main: Bool) -> String {
        let name = callee.spelling
        let type = callee.type
        let types = parameterTypes(callee)
        let count = types.count
        let result = clang_getResultType(type)
        let returnsVoid = result.kind == CXType_Void
        let params = types.enumerated().map { declareParameter($0.element, "a\($0.offset)") }
        let paramList = params.isEmpty ? "void" : params.joined(separator: ", ")
        let fields = params.map { "    \($0);\n" }.joined()
        let callArgs = (0..<count).map { "args->a\($0)" }.joined(separator: ", ")
        let stores = (0..<count).map { "    p->a\($0) = a\($0);\n" }.joined()
        let mainStores = (0..<count).map { "    m.a\($0) = a\($0);\n" }.joined()
        if main {
            // No #include: a header here can clash with the user's own names
            // (torture pr43987 has `typedef void *FILE;`); block-scope and
            // builtin declarations of what the glue calls are compatible with
            // the headers whether or not the file includes them.
            return """
                struct \(name)_main_args {
                \(fields)    int ret;
                };
                static void \(name)_main_entry(void *p) {
                    struct \(name)_main_args *args = p;
                    \(returnsVoid ? "" : "args->ret = (int)")\(name)(\(callArgs));
                }
                static int \(name)_main_stackful(\(paramList)) {
                    struct \(name)_main_args m;
                \(mainStores)    m.ret = 0;
                    if (coro_run_main_stackful(\(name)_main_entry, &m, "\(name)") != 0) {
                        extern void perror(const char *);
                        perror("coro");
                        return 1;
                    }
                    return m.ret;
                }

                """
        }
        return """
            struct \(name)_args {
            \(fields.isEmpty ? "    char unused_;\n" : fields)};
            static void \(name)_entry(void *p) {
                struct \(name)_args copy = *(struct \(name)_args *)p, *args = &copy;
                __builtin_free(p);
                \(count == 0 ? "(void)args; " : "")\(name)(\(callArgs));
            }
            static int \(name)_go_stackful(\(paramList)) {
                struct \(name)_args *p = __builtin_malloc(sizeof *p);
                if (!p) return -1;
            \(stores)    if (coro_go_stackful(\(name)_entry, p, "\(name)") != 0) { __builtin_free(p); return -1; }
                return 0;
            }

            """
    }

    /// The call in a marker, its callee and the start of the top-level
    /// declaration that contains the marker.
    private static func markerCall(_ marker: ParsedUnit.Marker, _ unit: ParsedUnit,
                                   _ names: Set<String>) -> (Cursor, Cursor, Int)? {
        for decl in unit.root.children where clang_isDeclaration(decl.kind) != 0 && decl.isInMainFile
            && decl.expansionRange.contains(marker.range) {
            var found: Cursor?
            decl.forEachDescendant { node in
                guard found == nil, node.kind == CXCursor_CallExpr, let callee = node.referenced,
                      let r = unit.macros.textRange(node), marker.range.contains(r), r != marker.range else { return }
                found = node
                _ = callee
            }
            guard let call = found, let callee = call.referenced else { return nil }
            let start = coroutineStart(decl, unit) ?? decl.expansionRange.start
            return (call, callee, start)
        }
        return nil
    }

    private static func coroutineStart(_ decl: Cursor, _ unit: ParsedUnit) -> Int? {
        // Before a leading CORO marker, so the generated block is not inside it.
        var i = decl.expansionRange.start
        let bytes = unit.source.bytes
        while i > 0, bytes[i - 1] == 32 || bytes[i - 1] == 9 || bytes[i - 1] == 10 { i -= 1 }
        for marker in ["CORO_NOPREEMPT", "CORO"] {
            let n = marker.utf8.count
            if i >= n, unit.source.slice(TextRange(start: i - n, end: i)) == marker { return i - n }
        }
        return nil
    }

    enum Messages {
        static let unwritableArgument = "argument written across a macro body in a coroutine call cannot be copied; expand the macro by hand"
    }
}
