// Analysis and text: innermost loops that run in strips, one back-edge check
// per strip of iterations instead of one per iteration (HotSpot's loop strip
// mining).  Normalize (stackless) and Stackful both emit the strips from
// `Strip.text`, so the two modes place checks alike.
//
// In:  a loop statement of a coroutine, the coroutine's register candidates
//      (RegisterPolicy: scalars whose address is never taken, not volatile).
// Out: a Strip when the loop is one of these shapes, nil otherwise (it then
//      keeps a check per iteration):
//     for (I; C; STEP) B          B straight (ShortLoops.isStraightBody), no break
//     while (C) { B; STEP; }      B straight, no break, no continue
// where STEP moves a register candidate V by a constant (`V++`, `--V`,
// `V += 3`, `V -= 3`) or by a variable s (`V += s`, `V -= s`), and C is a
// conjunction `T1 && T2 && ...` of side-effect-free terms (no call,
// assignment, increment, volatile or atomic access, compound literal), one of which
// bounds V in STEP's direction: `V < E`, `V <= E` (up), `V > E`, `V >= E`
// (down), `V != E` (step of 1), or the mirror `E > V` etc.  E is an
// integer constant or an expression of constants and register candidates;
// V, E's variables and s are only read in B (and neither s nor E is V);
// the comparison is done in V's type (int, long, long long, signed or not);
// every part has text of its own, not in a macro body (both modes copy it:
// `i > INT_MIN` keeps a check per iteration).
//
// Why the strip is exact.  In one iteration V moves by at most one step
// (the for form: only STEP writes V; the while form: B does not, and without
// `continue` STEP runs once per iteration), and the bound's other side does
// not change, so from V0 (C just held) the bound term holds for the next
// `trips` values V0, V0+s, ... that its distance allows.  Each strip runs
// at most min(N, trips) iterations and never evaluates the bound term in
// between: the shapes (T = V's type, U = its unsigned type, d = the
// distance in U minus 1 for `<`, `>`, `!=`, so that trips = d / |s| + 1)
//     constant step c:  { T end = d / c >= N ? V ± N' c : E; for (; C[E := end]; STEP) B }
//                       (N' = N for strict bounds, N - 1 for <= and >=)
//     variable step s, or an unsigned V (it may wrap past E and back, so
//     only a countdown bounds the last strip):
//                       { U left = s > 0 ? (d / s >= N ? N : d / s + 1) : 1;
//                         for (; left != 0 && OTHER TERMS; left--, STEP) B }
// (the while form has no STEP in the inner head: it is B's last statement).
// All arithmetic is in U and `end` lies between V and E, so no signed
// overflow the original does not have; a strip stops early when the other
// terms fail, and the outer loop then evaluates C again, which is harmless
// because C has no side effects (its terms are evaluated again with nothing
// changed in between, except by another coroutine at the check, which is a
// legal interleaving of the per-iteration shape, where the check comes
// first).  A variable step of the wrong sign runs strips of one iteration.
//
// N: 32768 divided by the loop's AST node count (its header's and body's),
// at most 1024, at least 2: 1024 for loops up to 32 nodes (straight.c's and
// backedge.c's all have 25-40).  An iteration without calls or inner loops
// evaluates each node at most once, and most nodes cost no instruction at
// -O2 (implicit casts, parentheses, names) or one; so a strip is at most
// ~32K instructions, ~10-30 us.  Memory bounds it too: at most about one
// load per three nodes, so even a strip of dependent cache misses (~100 ns
// each) ends within ~1.1 ms, and the coroutine reaches its next check
// within that of its slice ending (2 ms default; the ticker's p99 beside a
// CPU hog stays under 3 ms).
import CClang

enum StripLoops {
    static let maxTrips = 1024
    static let stripWork = 32768

    enum Form { case forLoop, whileLoop }

    struct Strip {
        var form: Form
        var counter: Cursor       // V's declaration
        var counterSide: Cursor   // V as written in the bound term
        var boundSide: Cursor     // E
        var terms: [Cursor]       // C's && terms in order
        var boundTerm: Int        // the one that bounds V
        var op: String            // V op E, V on the left
        var up: Bool
        var stepConstant: Int64?  // |c|
        var stepVariable: Cursor? // s
        var increment: Cursor?    // STEP of the for form (removed from the outer head)
        var unsignedType: String
        var trips: Int
        /// A countdown strip (`left`), not an end value: variable steps, and
        /// unsigned counters, which may wrap past E and back (`u >= 0`,
        /// `u <= UINT_MAX - 1; u += 2`): against the original bound the last
        /// strip would then run on unchecked; a countdown still ends it.
        var countsDown: Bool { stepConstant == nil || counterIsUnsigned }
        var counterIsUnsigned: Bool

        /// The strip's block opening: `{ DECL for (; COND; INCS) ` (the body
        /// and `}` follow), from how each part renders in the output mode.
        func text(v: String, e: String, s: String?, terms rendered: [String], increment inc: String?, name: String) -> String {
            let u = unsignedType, n = trips
            let dist = up ? "(\(u))(\(e)) - (\(u))(\(v))" : "(\(u))(\(v)) - (\(u))(\(e))"
            let strict = op == "<" || op == ">" || op == "!="
            let d = strict ? "(\(dist) - 1u)" : "(\(dist))"
            var condition: [String] = [], steps: [String] = []
            let declaration: String
            if let c = stepConstant, !countsDown {
                let k = Int64(strict ? n : n - 1) * c
                let q = c == 1 ? d : "\(d) / \(c)u"
                declaration = "\(declare(counter.type, name)) = \(q) >= \(n)u ? (__typeof__(\(v)))((\(u))(\(v)) \(up ? "+" : "-") \(k)u) : (__typeof__(\(v)))(\(e));"
                for (i, t) in rendered.enumerated() { condition.append(i == boundTerm ? "(\(v)) \(op) \(name)" : "(\(t))") }
            } else {
                if let c = stepConstant {
                    let q = c == 1 ? d : "\(d) / \(c)u"
                    declaration = "\(u) \(name) = \(q) >= \(n)u ? \(n)u : \(q) + 1u;"
                } else {
                    let s = "(\(s ?? "1"))", q = "\(d) / (\(u))\(s)"
                    declaration = "\(u) \(name) = \(s) > 0 ? (\(q) >= \(n)u ? \(n)u : \(q) + 1u) : 1u;"
                }
                condition.append("\(name) != 0")
                for (i, t) in rendered.enumerated() where i != boundTerm { condition.append("(\(t))") }
                steps.append("\(name)--")
            }
            if let inc { steps.append(inc) }
            return "{ \(declaration) for (; \(condition.joined(separator: " && ")); \(steps.joined(separator: ", "))) "
        }
    }

    static func strip(_ loop: Cursor, candidates: Set<CursorKey>, _ macros: MacroMap, _ source: SourceText) -> Strip? {
        let form: Form, condition: Cursor, step: Cursor, straight: [Cursor], increment: Cursor?
        let parts = loop.children
        switch loop.kind {
        case CXCursor_ForStmt:
            // Condition and increment present: four children, or three with no
            // initializer (the header opens `for (;`).
            guard parts.count == 4 || (parts.count == 3 && opensWithoutInit(loop, parts[0], macros, source)) else { return nil }
            (form, condition, step, straight, increment) = (.forLoop, parts[parts.count - 3], parts[parts.count - 2], [parts[parts.count - 1]], parts[parts.count - 2])
        case CXCursor_WhileStmt:
            guard parts.count == 2, parts[1].kind == CXCursor_CompoundStmt, let last = parts[1].children.last else { return nil }
            (form, condition, step, straight, increment) = (.whileLoop, parts[0], last, Array(parts[1].children.dropLast()), nil)
        default:
            return nil
        }
        guard let move = parseStep(step, candidates, macros, source), candidates.contains(move.counter.key),
              let unsignedType = ShortLoops.unsignedSpelling(move.counter.type) else { return nil }
        let counter = move.counter
        let terms = conjunction(condition, macros, source)
        guard terms.allSatisfy({ isPure($0, macros, source) && macros.textRange($0) != nil }) else { return nil }
        // The bound term.
        var found: (Int, String, Cursor, Cursor)?
        for (i, term) in terms.enumerated() where found == nil {
            let t = ShortLoops.strip(term)
            guard t.kind == CXCursor_BinaryOperator, t.children.count == 2,
                  var op = ShortLoops.operatorText(t, macros, source) else { continue }
            var (vSide, eSide) = (t.children[0], t.children[1])
            if ShortLoops.variable(vSide)?.key != counter.key {
                (vSide, eSide) = (eSide, vSide)
                op = ["<": ">", ">": "<", "<=": ">=", ">=": "<=", "!=": "!="][op] ?? ""
            }
            guard ShortLoops.variable(vSide)?.key == counter.key,
                  clang_equalTypes(clang_getCanonicalType(vSide.type), clang_getCanonicalType(counter.type)) != 0 else { continue }
            let fits = move.up ? (op == "<" || op == "<=") : (op == ">" || op == ">=")
            guard fits || (op == "!=" && move.constant == 1) else { continue }
            found = (i, op, vSide, eSide)
        }
        guard let (boundTerm, op, counterSide, boundSide) = found,
              let boundVariables = invariantVariables(boundSide, candidates, macros, source),
              !boundVariables.contains(counter.key) else { return nil }
        var readOnly = [counter.key] + boundVariables
        if let s = move.variable {
            guard let key = ShortLoops.variable(s)?.key, key != counter.key else { return nil }
            readOnly.append(key)
        }
        guard straight.allSatisfy({ ShortLoops.isStraightBody($0, readOnly: readOnly, breakAllowed: false,
                                                              continueAllowed: form == .forLoop) }) else { return nil }
        // The increment and the step variable are copied as text.
        guard macros.textRange(counterSide) != nil, macros.textRange(boundSide) != nil,
              increment.map({ macros.textRange($0) != nil }) ?? true,
              move.variable.map({ macros.textRange($0) != nil }) ?? true else { return nil }
        let nodes = loop.descendants.count
        let trips = max(2, min(maxTrips, stripWork / max(1, nodes)))
        return Strip(form: form, counter: counter, counterSide: counterSide, boundSide: boundSide, terms: terms,
                     boundTerm: boundTerm, op: op, up: move.up, stepConstant: move.constant, stepVariable: move.variable,
                     increment: increment, unsignedType: unsignedType, trips: trips,
                     counterIsUnsigned: [CXType_UInt, CXType_ULong, CXType_ULongLong].contains(clang_getCanonicalType(counter.type).kind))
    }

    private struct Move {
        var counter: Cursor
        var up: Bool
        var constant: Int64?
        var variable: Cursor?
    }

    /// `V++`, `++V`, `V--`, `--V`, `V += c`, `V -= c` (0 < |c| <= 2^20), `V += s`, `V -= s`.
    private static func parseStep(_ step: Cursor, _ candidates: Set<CursorKey>, _ macros: MacroMap, _ source: SourceText) -> Move? {
        let e = ShortLoops.strip(step)
        switch e.kind {
        case CXCursor_UnaryOperator:
            guard e.children.count == 1, let v = ShortLoops.variable(e.children[0]), e.children[0].kind == CXCursor_DeclRefExpr
                    || ShortLoops.strip(e.children[0]).kind == CXCursor_DeclRefExpr,
                  let op = unaryOperatorText(e, macros, source), op == "++" || op == "--" else { return nil }
            return Move(counter: v, up: op == "++", constant: 1)
        case CXCursor_CompoundAssignOperator:
            guard e.children.count == 2, let v = ShortLoops.variable(e.children[0]),
                  let op = ShortLoops.operatorText(e, macros, source), op == "+=" || op == "-=" else { return nil }
            let rhs = e.children[1]
            if let c = ShortLoops.constant(rhs) {
                let signed = op == "+=" ? c : -c
                let unsigned = clang_getCanonicalType(v.type).kind == CXType_UInt || clang_getCanonicalType(v.type).kind == CXType_ULong
                    || clang_getCanonicalType(v.type).kind == CXType_ULongLong
                guard c > 0 || !unsigned, signed != 0, abs(signed) <= 1 << 20 else { return nil }
                return Move(counter: v, up: signed > 0, constant: abs(signed))
            }
            // A variable step: the same type as V, or int for a wider signed V.
            guard let s = ShortLoops.variable(rhs), candidates.contains(s.key) else { return nil }
            let (st, vt) = (clang_getCanonicalType(s.type), clang_getCanonicalType(v.type))
            guard clang_equalTypes(st, vt) != 0 || (st.kind == CXType_Int && (vt.kind == CXType_Long || vt.kind == CXType_LongLong))
            else { return nil }
            return Move(counter: v, up: op == "+=", constant: nil, variable: rhs)
        default:
            return nil
        }
    }

    /// The terms of `a && b && c` (parentheses looked through), in order.
    private static func conjunction(_ c: Cursor, _ macros: MacroMap, _ source: SourceText) -> [Cursor] {
        let e = ShortLoops.strip(c)
        guard e.kind == CXCursor_BinaryOperator, e.children.count == 2, ShortLoops.operatorText(e, macros, source) == "&&" else { return [c] }
        return conjunction(e.children[0], macros, source) + conjunction(e.children[1], macros, source)
    }

    /// No side effects: evaluating it again with nothing changed gives the same value.
    static func isPure(_ c: Cursor, _ macros: MacroMap, _ source: SourceText) -> Bool {
        if c.isExpression, clang_isVolatileQualifiedType(c.type) != 0 || clang_getCanonicalType(c.type).kind == CXType_Atomic {
            return false
        }
        switch c.kind {
        case CXCursor_CallExpr, CXCursor_StmtExpr, CXCursor_CompoundAssignOperator, CXCursor_CompoundLiteralExpr,
             CXCursor_BlockExpr, CXCursor_AsmStmt:
            return false
        case CXCursor_BinaryOperator:
            guard let op = ShortLoops.operatorText(c, macros, source), op != "=" else { return false }
        case CXCursor_UnaryOperator:
            guard let op = unaryOperatorText(c, macros, source), op != "++", op != "--" else { return false }
        default:
            break
        }
        return c.children.allSatisfy { isPure($0, macros, source) }
    }

    /// The register candidates an invariant bound reads (an integer constant
    /// reads none), or nil when it reads anything else (memory, a call).
    private static func invariantVariables(_ e: Cursor, _ candidates: Set<CursorKey>, _ macros: MacroMap,
                                           _ source: SourceText) -> [CursorKey]? {
        if ShortLoops.constant(e) != nil { return [] }
        guard isPure(e, macros, source) else { return nil }
        var keys: [CursorKey] = []
        func visit(_ n: Cursor) -> Bool {
            switch n.kind {
            case CXCursor_DeclRefExpr:
                guard let target = n.referenced else { return false }
                if target.kind == CXCursor_EnumConstantDecl { return true }
                guard target.kind == CXCursor_VarDecl || target.kind == CXCursor_ParmDecl, candidates.contains(target.key) else { return false }
                keys.append(target.key)
                return true
            case CXCursor_IntegerLiteral, CXCursor_CharacterLiteral, CXCursor_ParenExpr, CXCursor_UnexposedExpr,
                 CXCursor_CStyleCastExpr, CXCursor_BinaryOperator, CXCursor_UnaryExpr:
                break
            case CXCursor_UnaryOperator:
                guard let op = unaryOperatorText(n, macros, source), op == "-" || op == "~" || op == "+" || op == "!" else { return false }
            default:
                return false
            }
            return n.children.allSatisfy(visit)
        }
        return visit(e) ? keys : nil
    }

    /// The operator of a unary expression: its text around the operand's.
    static func unaryOperatorText(_ c: Cursor, _ macros: MacroMap, _ source: SourceText) -> String? {
        guard c.children.count == 1, let whole = macros.textRange(c), let inner = macros.textRange(c.children[0]),
              whole.start <= inner.start, inner.end <= whole.end else { return nil }
        let text = source.slice(TextRange(start: whole.start, end: inner.start)) + source.slice(TextRange(start: inner.end, end: whole.end))
        return text.filter { !$0.isWhitespace }
    }

    /// `for (;` before the first child: the loop has no initializer.
    private static func opensWithoutInit(_ loop: Cursor, _ first: Cursor, _ macros: MacroMap, _ source: SourceText) -> Bool {
        guard let whole = macros.textRange(loop), let r = macros.textRange(first), whole.start < r.start else { return false }
        return source.slice(TextRange(start: whole.start, end: r.start)).filter { !$0.isWhitespace } == "for(;"
    }
}
