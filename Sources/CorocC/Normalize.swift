// Pass 5: normalize one coroutine body.
//
// In:  a coroutine definition (checked by Reject), the Classification.
// Out: a NormalizedCoroutine: the body as a flat list of Fragments in which
//      every suspend point is a statement of its own (`.suspend`), every loop
//      and backward goto has a `.check` (unless CORO_NOPREEMPT), and all other
//      C text (`.code`) already refers to frame fields (`f->x`), so Lower only
//      numbers states and Emit only adds the frame struct and #line.
//
// Invariants of the output:
//  - C's sequencing is kept: operands that contain suspend points are
//    evaluated into temporaries (frame fields) in order; &&, || and ?: become
//    if/else so the right operand runs only when C would run it; the comma
//    operator becomes two statements; a loop whose condition or increment
//    suspends becomes `for (;;)` with the condition as `if (!(c)) break;` and
//    its `continue`s as `goto` to the increment.
//  - The arguments of a suspend call are evaluated once, before the state label,
//    when they have side effects; side-effect-free arguments are re-evaluated
//    when the call is made again ("call again" protocol, coro.h), which gives
//    the same values since nothing in the frame changed in between.
//  - Statements with no suspend point, loop or backward goto are copied as
//    written, only with frame references, `return` and redirected `continue`
//    rewritten; their block-local variables stay C locals (see Frame.swift).
//  - Control structure (if, switch, case labels, user labels, break) stays as
//    written; suspend labels are only ever jumped to from the dispatch.
import CClang
import CorocCore

enum Fragment {
    /// C text that starts at original line `line` (nil: generated glue).
    case code(String, line: Int?)
    case suspend(Suspension)
    case check(line: Int)
    /// The resume label of the next `.check`, placed before its loop
    /// statement so that resuming enters the loop through its header.  A
    /// `.check` without one (before a backward goto) has its label inline.
    case headerLabel
    case loopStart
    case loopEnd
}

struct RegisterLocal {
    var local: String
    var field: String
    /// `int i_r` (Emit adds ` = 0`).
    var declaration: String
    var isParameter: Bool
}

struct Suspension {
    var kind: CoroutineReport.StateKind
    var what: String
    var line: Int
    /// The "call again" expression, e.g. `coro_op_read(&f->hdr, &f->t1_, f->fd, f->buf, sizeof f->buf)`.
    var operation: String
}

struct NormalizedCoroutine {
    var coroutine: Coroutine
    var fragments: [Fragment]
    var frame: FrameBuilder
    var framePointer: String
    /// Prefix of the resume labels (`S1:`), chosen not to clash with user labels.
    var statePrefix: String
    var registers: [RegisterLocal]
    /// The body's user labels and their lines: a backward `goto` is a back
    /// edge the loop markers do not show (FragmentFlow adds it for Lower).
    var labelLines: [String: Int]
    /// File-scope declarations the resume function needs first: blocking-call
    /// argument blocks and thunks, prototypes of heap-called coroutines.
    var preamble: [String]
    var usesErrno: Bool
    var diagnostics: [Diagnostic]
}

/// Facts about the whole program that one coroutine's normalization reads.
struct ProgramFacts {
    var unit: ParsedUnit
    var coroutines: [String: Coroutine]
    var classification: Classification
    var header: (size: Int, align: Int)
    /// Frame size and alignment of coroutines already laid out (for embedding).
    var frameLayouts: [String: (size: Int, align: Int)]
    /// `int` (the type of `a && b`, of errno) and the size of a pointer.
    var intType: CXType
    var pointerSize: Int
}

final class Normalizer {
    private let facts: ProgramFacts
    private let coroutine: Coroutine
    private let source: SourceText
    private let macros: MacroMap
    private let preempt: Bool
    private var frame: FrameBuilder
    private var fragments: [Fragment] = []
    private var preamble: [String] = []
    private var diagnostics: [Diagnostic] = []
    private var usesErrno = false
    /// Frame field of every variable that lives in the frame.
    private var frameVars: [CursorKey: String] = [:]
    /// Scalars kept in C locals of the resume function (DESIGN.md "target
    /// policy"): not address-taken, not volatile; spilled to their frame field
    /// at a suspension where they are live and reloaded on resumption (Lower).
    private var registers: [RegisterLocal] = []
    private var registerCandidates: Set<CursorKey> = []
    private var bodyText = ""
    /// Innermost last; a loop whose `continue` must become `goto label`.
    private var loops: [LoopLabel?] = []

    final class LoopLabel {
        let name: String
        var used = false
        init(_ name: String) { self.name = name }
    }
    private var labelCounter = 0
    private var literalCounter = 0
    private var siteCounter = 0
    /// Memos of the two subtree questions every statement asks, keyed by the
    /// Cursor object (it hashes without calling libclang).  The walk reaches
    /// nodes through the cached `children`, so a node is one object; the memo
    /// holds the object so that its address is never reused by a temporary
    /// Cursor (initializers and call arguments are fetched as new objects).
    private var loweringCache: [ObjectIdentifier: (node: Cursor, value: Bool)] = [:]
    private var suspendCache: [ObjectIdentifier: (node: Cursor, value: Bool)] = [:]
    let fp: String

    init(_ coroutine: Coroutine, _ facts: ProgramFacts) {
        self.facts = facts
        self.coroutine = coroutine
        self.source = facts.unit.source
        self.macros = facts.unit.macros
        self.preempt = !coroutine.noPreempt
        self.frame = FrameBuilder(header: facts.header, result: coroutine.returnsVoid ? nil : coroutine.resultType)
        // The frame pointer must not collide with a name used in the body.
        let text = source.slice(coroutine.definitionRange!)
        fp = containsIdentifier(text, "f") ? "coro_f" : "f"
    }

    func run() -> NormalizedCoroutine {
        bodyText = source.slice(coroutine.definitionRange!)
        registerCandidates = RegisterPolicy.candidates(coroutine.cursor, macros, source)
        for (i, parameter) in coroutine.parameters.enumerated() {
            let name = parameter.spelling.isEmpty ? "p\(i)_" : parameter.spelling
            let field = frame.add(preferred: name, type: parameter.type)
            frameVars[parameter.key] = access(parameter, field, isParameter: true)
        }
        if let body = coroutine.cursor.children.last(where: { $0.kind == CXCursor_CompoundStmt }) {
            for statement in body.children { emitStatement(statement) }
        }
        var labelLines: [String: Int] = [:]
        coroutine.cursor.forEachDescendant { if $0.kind == CXCursor_LabelStmt { labelLines[$0.spelling] = line($0) } }
        let clash = labelLines.keys.contains { $0.first == "S" && $0.dropFirst().allSatisfy(\.isNumber) }
        return NormalizedCoroutine(coroutine: coroutine, fragments: fragments, frame: frame, framePointer: fp,
                                   statePrefix: clash ? "coro_S" : "S", registers: registers, labelLines: labelLines,
                                   preamble: preamble, usesErrno: usesErrno, diagnostics: diagnostics)
    }

    /// How the body reaches a variable stored in field `field`: a register
    /// local `field_r`, or the frame field itself.
    private func access(_ decl: Cursor, _ field: String, isParameter: Bool) -> String {
        let local = field + "_r"
        guard registerCandidates.contains(decl.key), !containsIdentifier(bodyText, local) else { return "\(fp)->\(field)" }
        registers.append(RegisterLocal(local: local, field: field, declaration: declare(decl.type, local),
                                       isParameter: isParameter))
        return local
    }

    // MARK: analysis helpers

    /// Suspend points are calls; the kind test spares the other nodes a hash lookup.
    private func isSuspendCall(_ c: Cursor) -> Bool {
        c.kind == CXCursor_CallExpr && facts.classification.suspends[c.key] != nil
    }

    private func containsSuspend(_ c: Cursor) -> Bool {
        if let known = suspendCache[ObjectIdentifier(c)] { return known.value }
        let value = isSuspendCall(c) || c.children.contains { containsSuspend($0) }
        suspendCache[ObjectIdentifier(c)] = (c, value)
        return value
    }

    /// A statement needs lowering when it suspends or holds a preemption check.
    private func needsLowering(_ c: Cursor) -> Bool {
        if let known = loweringCache[ObjectIdentifier(c)] { return known.value }
        var value = containsSuspend(c)
        if !value && preempt {
            // A loop a macro call expands to (`CHECK(x)` as `do { ... } while (0)`)
            // and that does not suspend stays the macro call: its text cannot be
            // taken apart, so it gets no preemption check.
            if isLoop(c), let r = macros.textRange(c), !source.isLoopKeyword(at: r.start, c.kind) {
                value = false
            } else {
                value = (isLoop(c) && !ShortLoops.isShortLeaf(c, candidates: registerCandidates, macros, source))
                    || isBackwardGoto(c) || c.children.contains { needsLowering($0) }
            }
        }
        loweringCache[ObjectIdentifier(c)] = (c, value)
        return value
    }

    private func isLoop(_ c: Cursor) -> Bool {
        c.kind == CXCursor_WhileStmt || c.kind == CXCursor_ForStmt || c.kind == CXCursor_DoStmt
    }

    private func isBackwardGoto(_ c: Cursor) -> Bool {
        guard c.kind == CXCursor_GotoStmt, let label = c.referenced else { return false }
        return label.fileOffset < c.fileOffset
    }

    private func line(_ c: Cursor) -> Int {
        source.line(of: macros.textRange(c)?.start ?? c.fileOffset)
    }

    private func error(_ c: Cursor, _ message: String) {
        let loc = source.location(of: c.fileOffset)
        diagnostics.append(Diagnostic(.error, at: loc, message, sourceLine: source.lineText(loc.line)))
    }

    private func code(_ text: String, _ line: Int? = nil) { fragments.append(.code(text, line: line)) }

    private func newLabel(_ stem: String) -> String {
        labelCounter += 1
        return "coro_\(stem)\(labelCounter)"
    }

    // MARK: statements

    private func emitStatement(_ c: Cursor) {
        guard needsLowering(c) else {
            if c.kind == CXCursor_DeclStmt, declaresFrameVariables(c) {
                emitDeclaration(c)
            } else {
                code(statementText(c), line(c))
            }
            return
        }
        switch c.kind {
        case CXCursor_CompoundStmt:
            code("{", line(c))
            var previousEnd = macros.textRange(c).map { $0.start + 1 }
            for child in c.children {
                if let from = previousEnd, let childRange = macros.textRange(child), from < childRange.start {
                    keepComments(TextRange(start: from, end: childRange.start))
                }
                emitStatement(child)
                previousEnd = macros.textRange(child).map { source.semicolon(after: $0.end) ?? $0.end }
            }
            code("}")
        case CXCursor_DeclStmt:
            emitDeclaration(c)
        case CXCursor_ReturnStmt:
            emitReturn(c)
        case CXCursor_IfStmt:
            let parts = c.children
            let condition = lowerExpression(parts[0])
            code("if (\(condition)) {", line(c))
            emitStatement(parts[1])
            if parts.count > 2 {
                code("} else {", line(parts[2]))
                emitStatement(parts[2])
            }
            code("}")
        case CXCursor_WhileStmt:
            emitWhile(c)
        case CXCursor_DoStmt:
            emitDo(c)
        case CXCursor_ForStmt:
            emitFor(c)
        case CXCursor_SwitchStmt:
            let parts = c.children
            let condition = lowerExpression(parts[0])
            code("switch (\(condition))", line(c))
            emitStatement(parts[1])
        case CXCursor_CaseStmt, CXCursor_DefaultStmt:
            let sub = c.children.last!
            let head: String
            if let range = macros.textRange(c), let subRange = macros.textRange(sub) {
                head = source.slice(TextRange(start: range.start, end: subRange.start))
            } else {
                head = c.kind == CXCursor_DefaultStmt ? "default:" : "case \(renderText(c.children[0])):"
            }
            code(head, line(c))
            emitStatement(sub)
        case CXCursor_LabelStmt:
            code("\(c.spelling):;", line(c))
            emitStatement(c.children[0])
        case CXCursor_ContinueStmt:
            if let label = loops.last ?? nil {
                label.used = true
                code("goto \(label.name);", line(c))
            } else {
                code("continue;", line(c))
            }
        case CXCursor_GotoStmt:
            fragments.append(.check(line: line(c)))
            code("goto \(c.referenced?.spelling ?? c.spelling);", line(c))
        default:
            if c.isExpression {
                emitExpressionStatement(c)
            } else {
                code(statementText(c), line(c))
            }
        }
    }

    /// Comments between statements matter to the compiler too
    /// (`/* fallthrough */` silences -Wimplicit-fallthrough), so keep them.
    private func keepComments(_ gap: TextRange) {
        let text = source.slice(gap).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("/*") || text.hasPrefix("//") else { return }
        if text.lowercased().contains("fall") && text.lowercased().contains("through") {
            // Our #line directives separate a comment from the next case label,
            // which hides the comment from -Wimplicit-fallthrough; the attribute
            // says the same thing as a statement.
            code("__attribute__((fallthrough));")
            return
        }
        let start = gap.start + (source.slice(gap).utf8.count - source.slice(gap).drop { $0.isWhitespace }.utf8.count)
        code(text + (text.hasPrefix("//") || text.contains("\n//") ? "\n" : ""), source.line(of: start))
    }

    private func emitExpressionStatement(_ c: Cursor) {
        let value = lowerExpression(c, discarded: true)
        if !value.isEmpty { code("\(value);", line(c)) }
    }

    private func emitReturn(_ c: Cursor) {
        if let value = c.children.first {
            let result = lowerExpression(value, discarded: coroutine.returnsVoid)
            if coroutine.returnsVoid {
                if !result.isEmpty { code("\(result);", line(c)) }
            } else {
                code(assignment("\(fp)->ret_", result, coroutine.resultType), line(c))
            }
        }
        code("return CORO_DONE;", line(c))
    }

    private func emitBody(_ body: Cursor) {
        code("{")
        emitStatement(body)
        code("}")
    }

    // Loops with a back-edge check keep one header (Lower's contract, "loops
    // stay natural"): the check is the first thing of each iteration, before
    // the condition, and its resume label (`.headerLabel`) sits just before
    // the loop statement, so resuming enters the loop where starting it does.
    // Every loop therefore becomes a loop without a condition in its head
    // whose iteration starts with the check:
    //     while (c) B          Sk: for (;;) { check; if (!(c)) break; { B } }
    //     for (i; c; n) B      { i; Sk: for (;; n) { check; if (!(c)) break; { B } } }
    //     do B while (c);      Sk: do { check; { B } } while (c);
    // `continue` needs no redirection: in each shape it runs what C runs next
    // (n, then the check and c; or c).  Re-running the check on resumption is
    // harmless (the flag was cleared when the worker switched).

    /// Opens a loop's iteration: the resume label before the loop statement
    /// `head`, then the check as the first statement of its body `{`.
    private func loopHead(_ head: String, line: Int) {
        if preempt { fragments.append(.headerLabel) }
        code(head, line)
        if preempt { fragments.append(.check(line: line)) }
    }

    private func emitWhile(_ c: Cursor) {
        let parts = c.children
        let (condition, body) = (parts[0], parts[1])
        fragments.append(.loopStart)
        loops.append(nil)
        if !containsSuspend(condition) && !preempt {
            code("while (\(renderText(condition)))", line(c))
            emitBody(body)
        } else {
            loopHead("for (;;) {", line: line(c))
            let value = containsSuspend(condition) ? lowerExpression(condition) : renderText(condition)
            code("if (!(\(value))) break;", line(condition))
            emitBody(body)
            code("}")
        }
        loops.removeLast()
        fragments.append(.loopEnd)
    }

    private func emitDo(_ c: Cursor) {
        let parts = c.children
        let (body, condition) = (parts[0], parts[1])
        fragments.append(.loopStart)
        if !containsSuspend(condition) {
            loops.append(nil)
            loopHead("do {", line: line(c))
            emitBody(body)
            code("} while (\(renderText(condition)));", line(condition))
        } else {
            let next = LoopLabel(newLabel("continue"))
            loops.append(next)
            loopHead("for (;;) {", line: line(c))
            emitBody(body)
            if next.used { code("\(next.name):;") }
            let value = lowerExpression(condition)
            code("if (!(\(value))) break;")
            code("}")
        }
        loops.removeLast()
        fragments.append(.loopEnd)
    }

    private func emitFor(_ c: Cursor) {
        let (initial, condition, increment, body) = forParts(c)
        code("{", line(c))
        if let initial {
            if initial.kind == CXCursor_DeclStmt { emitDeclaration(initial) } else { emitExpressionStatement(initial) }
        }
        fragments.append(.loopStart)
        let simple = !(condition.map(containsSuspend) ?? false) && !(increment.map(containsSuspend) ?? false)
        if simple {
            loops.append(nil)
            let cond = condition.map(renderText) ?? ""
            let inc = increment.map(renderText) ?? ""
            if !preempt {
                code("for (; \(cond); \(inc))", line(c))
            } else if let strip = ShortLoops.strip(c, candidates: registerCandidates, macros, source), let condition {
                // Strips of ShortLoops.stripTrips iterations, the check before each.
                loopHead("for (;;) {", line: line(c))
                code("if (!(\(cond))) break;", line(condition))
                let v = "(" + renderText(condition.children[0]) + ")", e = "(" + renderText(strip.bound) + ")"
                let (n, u, end) = (ShortLoops.stripTrips, strip.unsignedType, newLabel("strip_end"))
                code("{ \(declare(strip.counter.type, end)) = \(e) > \(v) && (\(u))\(e) - (\(u))\(v) > \(n) ? \(v) + \(n) : \(e);")
                code("for (; \(v) < \(end); \(inc))", line(c))
                emitBody(body)
                code("} }")
                loops.removeLast()
                fragments.append(.loopEnd)
                code("}")
                return
            } else {
                loopHead("for (;; \(inc)) {", line: line(c))
                if let condition { code("if (!(\(cond))) break;", line(condition)) }
            }
            emitBody(body)
            if preempt { code("}") }
        } else {
            let next = LoopLabel(newLabel("continue"))
            loops.append(next)
            loopHead("for (;;) {", line: line(c))
            if let condition {
                let value = lowerExpression(condition)
                code("if (!(\(value))) break;")
            }
            emitBody(body)
            if next.used { code("\(next.name):;") }
            if let increment { emitExpressionStatement(increment) }
            code("}")
        }
        loops.removeLast()
        fragments.append(.loopEnd)
        code("}")
    }

    /// libclang omits absent parts of `for (init; cond; inc)`; the two `;` of the
    /// header say which child is which.
    private func forParts(_ c: Cursor) -> (Cursor?, Cursor?, Cursor?, Cursor) {
        var children = c.children
        let body = children.removeLast()
        guard let range = macros.textRange(c) else { return (nil, children.first, nil, body) }
        var semicolons: [Int] = []
        var depth = 0, i = range.start
        while i < range.end && semicolons.count < 2 {
            let b = source.bytes[i]
            if b == UInt8(ascii: "(") { depth += 1 }
            if b == UInt8(ascii: ")") { depth -= 1 }
            if b == UInt8(ascii: ";") && depth == 1 { semicolons.append(i) }
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                let quote = b
                i += 1
                while i < range.end && source.bytes[i] != quote { i += source.bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
            }
            i += 1
        }
        var initial: Cursor?, condition: Cursor?, increment: Cursor?
        for child in children {
            let at = macros.textRange(child)?.start ?? child.fileOffset
            if semicolons.count == 2 {
                if child.kind == CXCursor_DeclStmt || at < semicolons[0] {
                    initial = child
                } else if at < semicolons[1] {
                    condition = child
                } else {
                    increment = child
                }
            }
        }
        return (initial, condition, increment, body)
    }

    private func declaresFrameVariables(_ c: Cursor) -> Bool {
        c.children.contains { $0.kind == CXCursor_VarDecl && $0.storageClass != CX_SC_Static && $0.storageClass != CX_SC_Extern }
    }

    /// Declarations in a lowered block: frame variables, initialized at the
    /// declaration's point as C would; static and extern locals stay as written.
    private func emitDeclaration(_ c: Cursor) {
        guard declaresFrameVariables(c) else {
            code(statementText(c), line(c))
            return
        }
        for decl in c.children where decl.kind == CXCursor_VarDecl {
            let field = frame.add(preferred: decl.spelling, type: decl.type)
            let target = access(decl, field, isParameter: false)
            frameVars[decl.key] = target
            let initializer = Cursor(raw: clang_Cursor_getVarDeclInitializer(decl.raw))
            guard !initializer.isNull else { continue }
            let type = decl.type
            let isAggregateInit = initializer.kind == CXCursor_InitListExpr
            if type.kind == CXType_ConstantArray || type.kind == CXType_IncompleteArray {
                let text = renderText(initializer)
                let literal = isAggregateInit ? "(\(typeName(type)))\(text)" : "(\(typeName(type))){\(text)}"
                code("__builtin_memcpy(&\(fp)->\(field), &\(literal), sizeof \(fp)->\(field));", line(decl))
            } else if isAggregateInit {
                code(assignment(target, "(\(typeName(type)))\(renderText(initializer))", type), line(decl))
            } else {
                let value = lowerExpression(initializer)
                code(assignment(target, value, type), line(decl))
            }
        }
    }

    /// The statement's text including its `;` (libclang extents exclude it).
    private func statementText(_ c: Cursor) -> String {
        guard var range = macros.textRange(c) else { return renderText(c) + ";" }
        if c.kind != CXCursor_CompoundStmt && c.kind != CXCursor_DeclStmt, let end = source.semicolon(after: range.end) {
            range.end = end
        }
        return render(range, c)
    }

    // MARK: expressions

    /// Emits the statements that evaluate `c`'s suspend points and returns the C
    /// expression for its value (empty when `discarded` and nothing is left).
    private func lowerExpression(_ c: Cursor, discarded: Bool = false) -> String {
        guard containsSuspend(c) else { return renderText(c) }
        if isSuspendCall(c) {
            let value = lowerSuspendCall(c)
            return discarded ? "" : value
        }
        if isGoMarker(c) { return lowerSpawn(c) }
        switch c.kind {
        case CXCursor_ParenExpr where c.children.count == 1:
            let inner = lowerExpression(c.children[0], discarded: discarded)
            return inner.isEmpty ? "" : "(\(inner))"
        case CXCursor_UnexposedExpr where c.children.count == 1 && macros.textRange(c) == macros.textRange(c.children[0]):
            return lowerExpression(c.children[0], discarded: discarded)
        case CXCursor_BinaryOperator:
            let parts = c.children
            switch operatorText(c, parts[0], parts[1]) {
            case "&&": return lowerLogical(parts[0], parts[1], and: true)
            case "||": return lowerLogical(parts[0], parts[1], and: false)
            case ",":
                let left = lowerExpression(parts[0], discarded: true)
                if !left.isEmpty { code("(void)(\(left));") }
                return lowerExpression(parts[1], discarded: discarded)
            default: return rebuild(c)
            }
        case CXCursor_ConditionalOperator:
            return lowerConditional(c, discarded: discarded)
        default:
            return rebuild(c)
        }
    }

    private func lowerLogical(_ left: Cursor, _ right: Cursor, and: Bool) -> String {
        let t = "\(fp)->" + frame.temp(facts.intType)
        let l = lowerExpression(left)
        if and {
            code("if (\(l)) {")
            let r = lowerExpression(right)
            code("\(t) = (\(r)) != 0; } else { \(t) = 0; }")
        } else {
            code("if (\(l)) { \(t) = 1; } else {")
            let r = lowerExpression(right)
            code("\(t) = (\(r)) != 0; }")
        }
        return t
    }

    private func lowerConditional(_ c: Cursor, discarded: Bool) -> String {
        let parts = c.children
        let type = c.type
        let isVoid = type.kind == CXType_Void || discarded
        let t = isVoid ? "" : "\(fp)->" + frame.temp(type)
        let condition = lowerExpression(parts[0])
        code("if (\(condition)) {")
        let a = lowerExpression(parts[1], discarded: isVoid)
        code(isVoid ? (a.isEmpty ? "" : "\(a);") : assignment(t, a, type))
        code("} else {")
        let b = lowerExpression(parts[2], discarded: isVoid)
        code(isVoid ? (b.isEmpty ? "" : "\(b);") : assignment(t, b, type))
        code("}")
        return t
    }

    /// Any other expression: its children in order, those with suspend points
    /// lowered first, then the node's own text around their values.
    private func rebuild(_ c: Cursor) -> String {
        var values: [(Cursor, String)] = []
        for child in c.children {
            values.append((child, containsSuspend(child) ? lowerExpression(child) : renderText(child)))
        }
        if let range = macros.textRange(c),
           values.allSatisfy({ child, _ in macros.textRange(child).map { range.contains($0) } ?? false }) {
            var out = "", at = range.start
            for (child, value) in values {
                let r = macros.textRange(child)!
                guard r.start >= at else { continue }
                out += source.slice(TextRange(start: at, end: r.start)) + value
                at = r.end
            }
            return out + source.slice(TextRange(start: at, end: range.end))
        }
        // Written in a macro body: splice the values into the pretty-printed form.
        var printed = c.prettyPrinted
        var searchFrom = printed.startIndex
        for (child, value) in values {
            let piece = child.prettyPrinted
            guard !piece.isEmpty, let found = printed.range(of: piece, range: searchFrom..<printed.endIndex) else { continue }
            printed.replaceSubrange(found, with: value)
            searchFrom = printed.index(found.lowerBound, offsetBy: value.count)
        }
        return printed
    }

    private func operatorText(_ c: Cursor, _ left: Cursor, _ right: Cursor) -> String {
        if let l = macros.textRange(left), let r = macros.textRange(right), l.end <= r.start {
            return stripComments(source.slice(TextRange(start: l.end, end: r.start)))
        }
        let whole = c.prettyPrinted, l = left.prettyPrinted, r = right.prettyPrinted
        guard whole.hasPrefix(l), whole.hasSuffix(r), whole.count >= l.count + r.count else { return "" }
        return String(whole.dropFirst(l.count).dropLast(r.count)).trimmingCharacters(in: .whitespaces)
    }

    /// Arguments of a suspend call: lowered in order; those with side effects
    /// are saved in temporaries so calling the operation again re-reads values.
    private func lowerArguments(_ call: Cursor) -> [String] {
        var values: [String] = []
        let callRange = macros.textRange(call)
        for i in 0..<call.argumentCount {
            let arg = call.argument(i)
            // An argument written in a macro body shows up with the whole macro
            // call as its extent: its text is not its own.
            let ownText = macros.textRange(arg).map { r in callRange.map { $0 != r && $0.contains(r) } ?? true } ?? false
            let value = !ownText && !containsSuspend(arg) ? renderPretty(arg) : lowerExpression(arg)
            if hasSideEffects(arg) && !containsSuspendOnly(arg) {
                let t = "\(fp)->" + frame.temp(arg.type)
                code(assignment(t, value, arg.type), line(arg))
                values.append(t)
            } else {
                values.append(value)
            }
        }
        return values
    }

    /// The argument *is* a suspend call whose value already sits in a temporary.
    private func containsSuspendOnly(_ c: Cursor) -> Bool {
        if isSuspendCall(c) { return true }
        return (c.kind == CXCursor_UnexposedExpr || c.kind == CXCursor_ParenExpr) && c.children.count == 1
            && containsSuspendOnly(c.children[0])
    }

    private func hasSideEffects(_ c: Cursor) -> Bool {
        func check(_ n: Cursor) -> Bool {
            switch n.kind {
            case CXCursor_CallExpr, CXCursor_CompoundAssignOperator:
                return true
            case CXCursor_UnaryOperator:
                let text = macros.textRange(n).map(source.slice) ?? n.prettyPrinted
                if text.contains("++") || text.contains("--") { return true }
            case CXCursor_BinaryOperator:
                let parts = n.children
                if parts.count == 2, operatorText(n, parts[0], parts[1]) == "=" { return true }
            default:
                break
            }
            return n.children.contains(where: check)
        }
        return check(c)
    }

    private func lowerSuspendCall(_ call: Cursor) -> String {
        let kind = facts.classification.suspends[call.key]!
        let callLine = line(call)
        switch kind {
        case .operation(let entry, let function, let hasResult):
            let args = lowerArguments(call)
            var operands = ["&\(fp)->hdr"]
            var value = ""
            if hasResult {
                value = "\(fp)->" + frame.temp(call.type)
                operands.append("&" + value)
            }
            operands += args
            let stateKind: CoroutineReport.StateKind = entry.category == .runtime ? .runtime : .io
            suspend(stateKind, entry.name, callLine, "\(function)(\(operands.joined(separator: ", ")))")
            return value
        case .blocking(let entry):
            return lowerBlockingCall(call, entry, callLine)
        case .await(let callee):
            return lowerAwait(call, callee, callLine)
        }
    }

    private func suspend(_ kind: CoroutineReport.StateKind, _ what: String, _ line: Int, _ operation: String) {
        fragments.append(.suspend(Suspension(kind: kind, what: what, line: line, operation: operation)))
    }

    /// A call epoll cannot wait on runs on the blocking pool: its arguments go
    /// into an argument block in the frame, a generated thunk makes the call and
    /// saves result and errno, and errno is restored here after the suspension.
    private func lowerBlockingCall(_ call: Cursor, _ entry: IOCatalogue.Entry, _ callLine: Int) -> String {
        siteCounter += 1
        let structName = "\(coroutine.name)_blocking\(siteCounter)"
        let args = lowerArguments(call)
        let calleeType = call.referenced?.type ?? call.type
        let declared = Int(clang_getNumArgTypes(calleeType))
        var members: [(String, CXType)] = []
        let result = call.type
        let returnsVoid = result.kind == CXType_Void
        if !returnsVoid { members.append(("ret_", result)) }
        members.append(("err_", facts.intType))
        for i in 0..<args.count {
            let type = i < declared ? clang_getArgType(calleeType, UInt32(i)) : call.argument(i).type
            members.append(("a\(i)", type))
        }
        var layout = FrameBuilder(header: (0, 1), result: nil)
        for (name, type) in members { layout.add(preferred: name, type: type) }
        let argList = (0..<args.count).map { "a->a\($0)" }.joined(separator: ", ")
        let body = members.map { "    \(declare($0.1, $0.0));\n" }.joined()
        preamble.append("""
            struct \(structName) {
            \(body)};
            static void \(structName)_run(void *arg) {
                struct \(structName) *a = arg;
                \(returnsVoid ? "" : "a->ret_ = ")\(entry.name)(\(argList));
                a->err_ = errno;
            }

            """)
        usesErrno = true
        let (_, size, align) = layout.layout()
        let field = "\(fp)->" + frame.add(preferred: "b\(siteCounter)_", typeName: "struct \(structName)", size: size, align: align)
        for (i, value) in args.enumerated() { code(assignment("\(field).a\(i)", value, members[i + (returnsVoid ? 1 : 2)].1), callLine) }
        suspend(.blocking, entry.name, callLine, "coro_op_blocking(&\(fp)->hdr, \(structName)_run, &\(field))")
        code("errno = \(field).err_;")
        return returnsVoid ? "" : "\(field).ret_"
    }

    /// Awaiting another coroutine: its frame is embedded in ours when the call
    /// graph allows (Classify), otherwise heap-allocated and freed after reading
    /// the result.
    private func lowerAwait(_ call: Cursor, _ calleeName: String, _ callLine: Int) -> String {
        let callee = facts.coroutines[calleeName]!
        let args = lowerArguments(call)
        siteCounter += 1
        if facts.classification.embedded.contains([coroutine.name, calleeName]),
           let layout = facts.frameLayouts[calleeName] {
            let field = "\(fp)->" + frame.add(preferred: "c\(siteCounter)_", typeName: "\(calleeName)_frame",
                                                size: layout.size, align: layout.align)
            code("\(field).hdr.flags = 0; \(calleeName)_init(\(([ "&" + field] + args).joined(separator: ", ")));", callLine)
            suspend(.await, calleeName, callLine, "coro_await(&\(fp)->hdr, &\(field).hdr)")
            return callee.returnsVoid ? "" : "\(field).ret_"
        }
        preamble.append(heapPrototypes(callee))
        let pointer = "\(fp)->" + frame.add(preferred: "c\(siteCounter)_", typeName: "coro_frame *",
                                             size: facts.pointerSize, align: facts.pointerSize)
        code("\(pointer) = \(calleeName)_new(\(args.joined(separator: ", ")));", callLine)
        suspend(.await, calleeName, callLine, "coro_await(&\(fp)->hdr, \(pointer))")
        var value = ""
        if !callee.returnsVoid {
            value = "\(fp)->" + frame.temp(callee.resultType)
            code(assignment(value, "\(calleeName)_result(\(pointer))", callee.resultType))
        }
        code("coro_frame_free(\(pointer));")
        return value
    }

    // MARK: text with frame references

    /// The expression or statement text with frame variables as `f->x`.
    func renderText(_ c: Cursor) -> String {
        if let range = macros.textRange(c) { return render(range, c) }
        return renderPretty(c)
    }

    /// Written inside a macro body: print it, then map frame variables.
    private func renderPretty(_ node: Cursor) -> String {
        var c = node
        var printed = c.prettyPrinted
        // libclang prints nothing for implicit casts (UnexposedExpr): print the operand.
        while printed.isEmpty, c.children.count == 1 {
            c = c.children[0]
            printed = c.prettyPrinted
        }
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

    private func render(_ range: TextRange, _ c: Cursor) -> String {
        var edits: [(TextRange, String)] = []
        collectEdits(node: c, into: &edits, insideLoop: false)
        return apply(edits, to: range)
    }

    private func apply(_ unsorted: [(TextRange, String)], to range: TextRange) -> String {
        let edits = unsorted.sorted { $0.0 < $1.0 }
        var out = "", at = range.start
        for (r, text) in edits where r.start >= at && r.end <= range.end {
            out += source.slice(TextRange(start: at, end: r.start)) + text
            at = r.end
        }
        return out + source.slice(TextRange(start: at, end: range.end))
    }

    private func collectEdits(_ c: Cursor, into edits: inout [(TextRange, String)], insideLoop: Bool) {
        for child in c.children { collectEdits(node: child, into: &edits, insideLoop: insideLoop) }
    }

    /// Edits for `node` itself, or else for its subtree.
    private func collectEdits(node: Cursor, into edits: inout [(TextRange, String)], insideLoop: Bool) {
        if isGoMarker(node) {
            edits.append((node.expansionRange, spawnText(node)))
            return
        }
        switch node.kind {
        case CXCursor_DeclRefExpr:
            guard let target = node.referencedKey, let field = frameVars[target] else { return }
            if let r = macros.textRange(node), source.slice(r) == node.spelling {
                edits.append((r, field))
            } else {
                error(node, Messages.localInMacroBody(node.spelling))
            }
        case CXCursor_ReturnStmt:
            guard var r = macros.textRange(node) else {
                error(node, Messages.returnInMacro)
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
        case CXCursor_WhileStmt, CXCursor_ForStmt, CXCursor_DoStmt:
            collectEdits(node, into: &edits, insideLoop: true)
        default:
            collectEdits(node, into: &edits, insideLoop: insideLoop)
        }
    }

    /// The outermost expression of a `coro_go(...)` expansion.  Most nodes are
    /// not in a macro at all, and a file has few markers: the range compare
    /// (two libclang calls) runs only for nodes that start a marker.
    private func isGoMarker(_ node: Cursor) -> Bool {
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
        let args = (0..<call.argumentCount).map { renderText(call.argument($0)) }
        return "coro_spawn(\(name)_new(\(args.joined(separator: ", "))), \"\(name)\")"
    }

    /// `coro_go(g(h(x)))` where an argument suspends (h is a coroutine or an
    /// I/O call): the arguments are lowered first, in order (their suspend
    /// points become states of this coroutine and their values frame temps),
    /// then g is spawned with the values, as C evaluates arguments before the call.
    private func lowerSpawn(_ marker: Cursor) -> String {
        guard let call = spawnedCall(marker), let name = call.referenced?.spelling else {
            error(marker, Messages.goWithoutCoroutine)
            return "((void)0)"
        }
        let args = call.children.filter(\.isExpression).dropFirst().map { lowerExpression($0) }
        return "coro_spawn(\(name)_new(\(args.joined(separator: ", "))), \"\(name)\")"
    }

    /// The marker's outermost call of a coroutine (pre-order: parents first).
    private func spawnedCall(_ marker: Cursor) -> Cursor? {
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
        static let goWithoutCoroutine = "coro_go(...) needs a call of a CORO function"
    }
}

/// `lhs = rhs;`, or a copy through a temporary when the type is a struct or
/// union with const members (initialized, never assigned, in C).
func assignment(_ lhs: String, _ rhs: String, _ type: CXType) -> String {
    guard hasConstMember(type) else { return "\(lhs) = \(rhs);" }
    return "{ __typeof__(\(lhs)) coro_tmp_ = \(rhs); __builtin_memcpy(&\(lhs), &coro_tmp_, sizeof coro_tmp_); }"
}

func hasConstMember(_ type: CXType) -> Bool {
    let canonical = clang_getCanonicalType(type)
    if canonical.kind == CXType_ConstantArray { return hasConstMember(clang_getArrayElementType(canonical)) }
    guard canonical.kind == CXType_Record else { return false }
    final class Box { var found = false }
    let box = Box()
    withExtendedLifetime(box) {
        _ = clang_Type_visitFields(canonical, { field, data in
            let box = Unmanaged<Box>.fromOpaque(data!).takeUnretainedValue()
            let fieldType = clang_getCursorType(field)
            if clang_isConstQualifiedType(fieldType) != 0 || hasConstMember(fieldType) {
                box.found = true
                return CXVisit_Break
            }
            return CXVisit_Continue
        }, Unmanaged.passUnretained(box).toOpaque())
    }
    return box.found
}

/// Prototypes of a coroutine's heap constructor and result reader, for callers
/// that cannot embed its frame (recursion, later definition, other file).
func heapPrototypes(_ callee: Coroutine) -> String {
    let linkage = callee.isStatic ? "static " : ""
    var params: [String] = []
    let type = callee.cursor.type
    for i in 0..<Int(max(0, clang_getNumArgTypes(type))) {
        params.append(declare(clang_getArgType(type, UInt32(i)), "a\(i)"))
    }
    var text = "\(linkage)coro_frame *\(callee.name)_new(\(params.isEmpty ? "void" : params.joined(separator: ", ")));\n"
    if !callee.returnsVoid {
        text += "\(linkage)\(declare(callee.resultType, "\(callee.name)_result(coro_frame *frame)"));\n"
    }
    return text
}

/// Whole-word search for an identifier in C text.
func containsIdentifier(_ text: String, _ name: String) -> Bool {
    let bytes = Array(text.utf8), word = Array(name.utf8)
    guard bytes.count >= word.count else { return false }
    var i = 0
    while i + word.count <= bytes.count {
        if bytes[i..<i + word.count].elementsEqual(word)
            && (i == 0 || !isIdentifierByte(bytes[i - 1]))
            && (i + word.count == bytes.count || !isIdentifierByte(bytes[i + word.count])) {
            return true
        }
        i += 1
    }
    return false
}

/// Replaces the identifiers of `refs` (in order of appearance) in printed C.
func replaceIdentifiers(_ text: String, _ refs: [(String, String)]) -> String {
    let bytes = Array(text.utf8)
    var out: [UInt8] = [], i = 0, next = 0
    while i < bytes.count {
        if isIdentifierByte(bytes[i]) && (i == 0 || !isIdentifierByte(bytes[i - 1])) {
            var j = i
            while j < bytes.count && isIdentifierByte(bytes[j]) { j += 1 }
            let word = String(decoding: bytes[i..<j], as: UTF8.self)
            let afterMember = out.last == UInt8(ascii: ".") || (out.count >= 2 && out.suffix(2).elementsEqual(Array("->".utf8)))
            if next < refs.count, word == refs[next].0, !afterMember {
                out += Array(refs[next].1.utf8)
                next += 1
            } else {
                out += bytes[i..<j]
            }
            i = j
            continue
        }
        out.append(bytes[i])
        i += 1
    }
    return String(decoding: out, as: UTF8.self)
}

/// Text without C comments, trimmed (an operator written between two operands).
func stripComments(_ text: String) -> String {
    var out = "", bytes = Array(text.utf8), i = 0
    while i < bytes.count {
        if bytes[i] == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "*") {
            i += 2
            while i + 1 < bytes.count && !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
            i += 2
            continue
        }
        out.append(Character(UnicodeScalar(bytes[i])))
        i += 1
    }
    return out.trimmingCharacters(in: .whitespacesAndNewlines)
}

import Foundation
