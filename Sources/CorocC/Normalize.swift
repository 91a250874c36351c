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
//
// The pass is one class in five files: this one (state, analysis helpers),
// NormalizeStatements.swift (statements and declarations), NormalizeLoops.swift
// (loops and their checks), HoistExpressions.swift (suspend points out of
// expressions) and RenderFrameText.swift (source text with frame references).
import CClang
import CorocCore
import Foundation

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
    /// `int i_r` (Lower adds ` = 0` to a scalar's).
    var declaration: String
    var isParameter: Bool
    /// An array or struct (RegisterPolicy.aggregates): saved and reloaded by
    /// memcpy, declared without an initializer.
    var isAggregate = false
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
    /// Where `diagnostics` come from macro bodies (Normalizer.macroError).
    var macroFailures: [TextRange] = []
    /// clang's spelling of an anonymous local type and its file-scope name.
    var typeSpellings: [(String, String)] = []
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
    /// Types declared in each coroutine, moved to file scope (LocalTypes).
    var localTypes: [String: LocalTypePlan] = [:]
}

final class Normalizer {
    let facts: ProgramFacts
    let coroutine: Coroutine
    let source: SourceText
    let macros: MacroMap
    let preempt: Bool
    var frame: FrameBuilder
    var fragments: [Fragment] = []
    var preamble: [String] = []
    var diagnostics: [Diagnostic] = []
    var usesErrno = false
    /// Where code of a macro body could not be rewritten (the node's extent).
    var macroFailures: [TextRange] = []
    /// Frame field of every variable that lives in the frame.
    var frameVars: [CursorKey: String] = [:]
    /// Scalars kept in C locals of the resume function (DESIGN.md "target
    /// policy"): not address-taken, not volatile; spilled to their frame field
    /// at a suspension where they are live and reloaded on resumption (Lower).
    var registers: [RegisterLocal] = []
    var registerCandidates: Set<CursorKey> = []
    /// Arrays and structs no pointer can reach (C locals too, not in the scalar set: see RegisterPolicy).
    var aggregateCandidates: Set<CursorKey> = []
    var bodyText = ""
    /// Innermost last; a loop whose `continue` must become `goto label`.
    var loops: [LoopLabel?] = []
    /// Depth of sizeof / _Alignof operands around the node being rendered.
    var unevaluated = 0

    final class LoopLabel {
        let name: String
        var used = false
        init(_ name: String) { self.name = name }
    }
    var labelCounter = 0
    var literalCounter = 0
    var siteCounter = 0
    /// Memos of the two subtree questions every statement asks, keyed by the
    /// Cursor object (it hashes without calling libclang).  The walk reaches
    /// nodes through the cached `children`, so a node is one object; the memo
    /// holds the object so that its address is never reused by a temporary
    /// Cursor (initializers and call arguments are fetched as new objects).
    var loweringCache: [ObjectIdentifier: (node: Cursor, value: Bool)] = [:]
    var suspendCache: [ObjectIdentifier: (node: Cursor, value: Bool)] = [:]
    let fp: String
    var localTypes: LocalTypePlan? { facts.localTypes[coroutine.name] }

    init(_ coroutine: Coroutine, _ facts: ProgramFacts) {
        self.facts = facts
        self.coroutine = coroutine
        self.source = facts.unit.source
        self.macros = facts.unit.macros
        self.preempt = !coroutine.noPreempt
        self.frame = FrameBuilder(header: facts.header, result: coroutine.returnsVoid ? nil : coroutine.resultType)
        // The frame pointer must not collide with a name used in the body.
        let text = source.slice(coroutine.definitionRange!)
        fp = containsIdentifier(text, "f") || Self.refersToName(coroutine.cursor, "f") ? "coro_f" : "f"
    }

    /// Whether the body names `name` where its text does not show it: a macro
    /// body expanded in it (`#define CALLF(x) f(x)` with a file-scope `f`).
    private static func refersToName(_ cursor: Cursor, _ name: String) -> Bool {
        var found = false
        cursor.forEachDescendant { node in
            if !found, node.kind == CXCursor_DeclRefExpr || node.kind == CXCursor_TypeRef,
               node.spelling == name {
                found = true
            }
        }
        return found
    }

    func run() -> NormalizedCoroutine {
        bodyText = source.slice(coroutine.definitionRange!)
        preamble += localTypes?.declarations ?? []
        registerCandidates = RegisterPolicy.candidates(coroutine.cursor, macros, source)
        aggregateCandidates = RegisterPolicy.aggregates(coroutine.cursor, macros, source)
        for (i, parameter) in coroutine.parameters.enumerated() {
            let name = parameter.spelling.isEmpty ? "p\(i)_" : parameter.spelling
            let field = frame.addParameter(preferred: name, type: parameter.type, pointerSize: facts.pointerSize)
            frameVars[parameter.key] = access(parameter, field, isParameter: true)
        }
        if let body = coroutine.cursor.children.last(where: { $0.kind == CXCursor_CompoundStmt }) {
            emitChildren(of: body)
        }
        var labelLines: [String: Int] = [:]
        coroutine.cursor.forEachDescendant { if $0.kind == CXCursor_LabelStmt { labelLines[$0.spelling] = line($0) } }
        let clash = labelLines.keys.contains { $0.first == "S" && $0.dropFirst().allSatisfy(\.isNumber) }
        return NormalizedCoroutine(coroutine: coroutine, fragments: fragments, frame: frame, framePointer: fp,
                                   statePrefix: clash ? "coro_S" : "S", registers: registers, labelLines: labelLines,
                                   preamble: preamble, usesErrno: usesErrno, diagnostics: diagnostics,
                                   macroFailures: macroFailures, typeSpellings: localTypes?.spellings ?? [])
    }

    /// How the body reaches a variable stored in field `field`: a register
    /// local `field_r`, or the frame field itself.
    func access(_ decl: Cursor, _ field: String, isParameter: Bool) -> String {
        let local = field + "_r"
        let aggregate = !isParameter && aggregateCandidates.contains(decl.key)
        guard registerCandidates.contains(decl.key) || aggregate, !containsIdentifier(bodyText, local) else { return "\(fp)->\(field)" }
        registers.append(RegisterLocal(local: local, field: field, declaration: isParameter ? declareParameter(decl.type, local) : declare(decl.type, local),
                                       isParameter: isParameter, isAggregate: aggregate))
        return local
    }

    // MARK: analysis helpers

    /// Suspend points are calls; the kind test spares the other nodes a hash lookup.
    func isSuspendCall(_ c: Cursor) -> Bool {
        c.kind == CXCursor_CallExpr && facts.classification.suspends[c.key] != nil
    }

    func containsSuspend(_ c: Cursor) -> Bool {
        if let known = suspendCache[ObjectIdentifier(c)] { return known.value }
        // The operand of sizeof / _Alignof is not evaluated (C11 6.5.3.4p2; VLAs,
        // whose size is, are rejected): a call in it is no suspend point, and
        // rendering gives it its type only (RenderFrameText).
        let value = c.kind != CXCursor_UnaryExpr && (isSuspendCall(c) || c.children.contains { containsSuspend($0) })
        suspendCache[ObjectIdentifier(c)] = (c, value)
        return value
    }

    /// A statement needs lowering when it suspends or holds a preemption check.
    func needsLowering(_ c: Cursor) -> Bool {
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

    func isLoop(_ c: Cursor) -> Bool {
        c.kind == CXCursor_WhileStmt || c.kind == CXCursor_ForStmt || c.kind == CXCursor_DoStmt
    }

    func isBackwardGoto(_ c: Cursor) -> Bool {
        guard c.kind == CXCursor_GotoStmt, let label = c.referenced else { return false }
        return label.fileOffset < c.fileOffset
    }

    func line(_ c: Cursor) -> Int {
        source.line(of: macros.textRange(c)?.start ?? c.fileOffset)
    }

    func error(_ c: Cursor, _ message: String) {
        let loc = source.location(of: c.fileOffset)
        diagnostics.append(Diagnostic(.error, at: loc, message, sourceLine: source.lineText(loc.line)))
    }

    /// An error because `c` comes from a macro body, which has no text of
    /// its own to rewrite: the translator spells the macro call out and
    /// tries again (CTranslator), so the error stands only if that fails.
    func macroError(_ c: Cursor, _ message: String) {
        error(c, message)
        macroFailures.append(c.expansionRange)
    }

    func code(_ text: String, _ line: Int? = nil) { fragments.append(.code(text, line: line)) }

    func newLabel(_ stem: String) -> String {
        labelCounter += 1
        return "coro_\(stem)\(labelCounter)"
    }
}
