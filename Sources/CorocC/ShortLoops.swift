// Analysis: loops that need no back-edge check of their own (short leaves;
// loops that need one per strip of iterations are StripLoops'), and the
// expression helpers StripLoops shares.
//
// In:  a loop statement of a coroutine, the coroutine's register candidates
//      (RegisterPolicy: scalars whose address is never taken).
// Out: true when the loop is a short leaf: it runs at most `maxTrips`
//      iterations of code with no call, goto, label, switch or case in it and
//      no loop but short ones (a short nest: `for j < 96 { for k < 96 }`, whose
//      iterations, inner ones counted, stay within `nestTrips`), so it ends
//      within a bounded time and the check of the enclosing loop (or the
//      coroutine's next suspension) bounds the time slice.  A nest left
//      unchecked is what lets GCC vectorize its outer loop (matmul's j loop
//      computes two columns at once; with a check in it, only the k loop's
//      in-order reduction is vectorized, 25% more instructions).  This
//      is the "check moved to the enclosing loop when the trip count is
//      bounded" half of issue 14: GCC and LLVM may then vectorize, unroll or
//      delete the loop as in the original.
//
// Recognized shape, nothing else (conservative: anything unknown is "not short"):
//     for (V = a; V < b; V++)   with `int V = a`, `<=`, `++V`, `V += 1` too,
// where a and b are integer constant expressions (clang evaluates them),
// V is an integer variable of at least 32 bits that is a register candidate
// (no pointer can write it), 0 <= a, b < 2^31 (no overflow of V, no
// negative bound converted to a huge unsigned one), and V is
// only read in the body: each mention is the operand of an implicit
// lvalue-to-rvalue conversion (libclang's UnexposedExpr), never of an
// assignment, increment or `&`.  Used by both Normalize (stackless) and
// Stackful, so the two modes place checks alike.
import CClang

enum ShortLoops {
    /// 96 (bench/straight.c's matrix dimension) and 256 (table loops) fit; a
    /// leaf body without calls is at most a few hundred instructions, so one
    /// loop stays far below a microsecond per 1000 trips, against a 2 ms slice.
    static let maxTrips: Int64 = 1024

    /// Iterations of a short nest, the inner loops' counted too: 96 × 96 fits
    /// (straight.c's matmul), 1024 × 1024 does not.
    static let nestTrips: Int64 = 1 << 14

    static func isShortLeaf(_ loop: Cursor, candidates: Set<CursorKey>, _ macros: MacroMap, _ source: SourceText) -> Bool {
        shortTrips(loop, candidates: candidates, macros, source) != nil
    }

    /// The iterations a short loop runs, its inner loops' counted (trips ×
    /// (1 + the inner loops' own)), or nil when it is not short.
    private static func shortTrips(_ loop: Cursor, candidates: Set<CursorKey>, _ macros: MacroMap, _ source: SourceText) -> Int64? {
        guard loop.kind == CXCursor_ForStmt else { return nil }
        let parts = loop.children
        guard parts.count == 4 else { return nil }   // init, cond, inc, body all present
        let (initial, condition, increment, body) = (parts[0], parts[1], parts[2], parts[3])
        // The counter and its start.
        let counter: Cursor, start: Int64
        if initial.kind == CXCursor_DeclStmt {
            guard initial.children.count == 1, initial.children[0].kind == CXCursor_VarDecl,
                  let value = initial.children[0].children.last.flatMap(constant) else { return nil }
            counter = initial.children[0]
            start = value
        } else {
            guard initial.kind == CXCursor_BinaryOperator, initial.children.count == 2,
                  operatorText(initial, macros, source) == "=",
                  let target = variable(initial.children[0]), let value = constant(initial.children[1]) else { return nil }
            counter = target
            start = value
        }
        guard candidates.contains(counter.key), isWideInteger(counter.type) else { return nil }
        // The bound.
        guard condition.kind == CXCursor_BinaryOperator, condition.children.count == 2,
              variable(condition.children[0])?.key == counter.key,
              let bound = constant(condition.children[1]) else { return nil }
        let trips: Int64
        switch operatorText(condition, macros, source) {
        case "<": trips = bound - start
        case "<=": trips = bound - start + 1
        default: return nil
        }
        guard start >= 0, bound >= 0, start < 1 << 31, bound < 1 << 31, trips <= maxTrips else { return nil }
        // The step: +1.
        guard let inc = macros.textRange(increment) else { return nil }
        let step = source.slice(inc).filter { !$0.isWhitespace }
        let name = counter.spelling
        guard step == name + "++" || step == "++" + name || step == name + "+=1" else { return nil }
        var inner: Int64 = 0
        let nested: (Cursor) -> Bool = { loop in
            guard let t = shortTrips(loop, candidates: candidates, macros, source) else { return false }
            inner += t
            return inner <= nestTrips
        }
        guard isStraightBody(body, readOnly: [counter.key], breakAllowed: true, nested: nested) else { return nil }
        let total = trips * (1 + inner)
        return inner == 0 || total <= nestTrips ? max(trips, 0) : nil
    }

    /// No loop (but those `nested` accepts, whose insides it has checked),
    /// call, jump target or goto (nor break or continue, unless allowed); the variables
    /// `readOnly` only read.
    static func isStraightBody(_ body: Cursor, readOnly: [CursorKey], breakAllowed: Bool, continueAllowed: Bool = true,
                               nested: ((Cursor) -> Bool)? = nil) -> Bool {
        func ok(_ node: Cursor, parent: Cursor?) -> Bool {
            switch node.kind {
            case CXCursor_ForStmt where nested != nil:
                // A `break` in the inner loop leaves only it: allowed there (shortTrips checks).
                // The outer counters stay read-only in it too.
                return nested!(node) && onlyRead(node, readOnly, parent: parent)
            case CXCursor_WhileStmt, CXCursor_ForStmt, CXCursor_DoStmt, CXCursor_CallExpr, CXCursor_GotoStmt,
                 CXCursor_IndirectGotoStmt, CXCursor_LabelStmt, CXCursor_SwitchStmt, CXCursor_CaseStmt,
                 CXCursor_DefaultStmt, CXCursor_AsmStmt, CXCursor_StmtExpr:
                return false
            case CXCursor_BreakStmt where !breakAllowed, CXCursor_ContinueStmt where !continueAllowed:
                return false
            case CXCursor_DeclRefExpr where node.referencedKey.map(readOnly.contains) ?? false:
                guard parent?.kind == CXCursor_UnexposedExpr else { return false }
            default:
                break
            }
            return node.children.allSatisfy { ok($0, parent: node) }
        }
        return ok(body, parent: nil)
    }

    /// Every mention of `readOnly` in `node` is read (the operand of an
    /// lvalue-to-rvalue conversion).
    private static func onlyRead(_ node: Cursor, _ readOnly: [CursorKey], parent: Cursor?) -> Bool {
        if node.kind == CXCursor_DeclRefExpr, node.referencedKey.map(readOnly.contains) ?? false,
           parent?.kind != CXCursor_UnexposedExpr { return false }
        return node.children.allSatisfy { onlyRead($0, readOnly, parent: node) }
    }

    static func strip(_ c: Cursor) -> Cursor {
        var c = c
        while (c.kind == CXCursor_ParenExpr || c.kind == CXCursor_UnexposedExpr), c.children.count == 1 { c = c.children[0] }
        return c
    }

    /// The variable a (cast, parenthesized) name refers to.
    static func variable(_ c: Cursor) -> Cursor? {
        let e = strip(c)
        guard e.kind == CXCursor_DeclRefExpr, let target = e.referenced, target.kind == CXCursor_VarDecl || target.kind == CXCursor_ParmDecl else { return nil }
        return target
    }

    /// The value of an integer constant expression.
    static func constant(_ c: Cursor) -> Int64? {
        guard c.isExpression, c.kind != CXCursor_CallExpr, !c.anyDescendant({ $0.kind == CXCursor_CallExpr }),
              let result = clang_Cursor_Evaluate(c.raw) else { return nil }
        defer { clang_EvalResult_dispose(result) }
        guard clang_EvalResult_getKind(result) == CXEval_Int else { return nil }
        return clang_EvalResult_getAsLongLong(result)
    }

    static func unsignedSpelling(_ type: CXType) -> String? {
        switch clang_getCanonicalType(type).kind {
        case CXType_Int, CXType_UInt: return "unsigned int"
        case CXType_Long, CXType_ULong: return "unsigned long"
        case CXType_LongLong, CXType_ULongLong: return "unsigned long long"
        default: return nil
        }
    }

    private static func isWideInteger(_ type: CXType) -> Bool {
        let kinds: Set<UInt32> = [CXType_Int, CXType_UInt, CXType_Long, CXType_ULong, CXType_LongLong, CXType_ULongLong]
            .map(\.rawValue).reduce(into: Set<UInt32>()) { $0.insert($1) }
        return kinds.contains(clang_getCanonicalType(type).kind.rawValue)
    }

    /// The operator of a binary expression: the text between its operands.
    static func operatorText(_ c: Cursor, _ macros: MacroMap, _ source: SourceText) -> String? {
        guard c.children.count == 2, let l = macros.textRange(c.children[0]), let r = macros.textRange(c.children[1]),
              l.end <= r.start else { return nil }
        return source.slice(TextRange(start: l.end, end: r.start)).filter { !$0.isWhitespace }
    }
}
