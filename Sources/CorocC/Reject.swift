// Pass 3: reject what the stackless lowering cannot keep correct.
//
// In:  the coroutines found by FindCoroutines.
// Out: error diagnostics (file:line:col with the source line) for constructs
//      in coroutine bodies that have no meaning once locals live in a frame and
//      the C stack unwinds at every suspension: variable-length arrays (also
//      through a typedef) and other variably modified locals and parameters,
//      alloca, setjmp/longjmp, computed goto and &&label, asm goto, variadic
//      coroutines, K&R definitions, coroutine calls in asm operands.  Locals
//      of types declared inside the body are LocalTypes'.
//      Ordinary functions of the same file are not checked.  Stackful mode
//      rejects none of these: its bodies stay as written, on their own stacks.
import CClang
import CorocCore

enum Reject {
    static func run(_ unit: ParsedUnit, _ coroutines: [Coroutine], mode: TranslationMode) -> [Diagnostic] {
        sorted(problems(unit, coroutines, mode: mode).values.flatMap { $0 })
    }

    static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        let none = SourceLocation(file: "", line: 0, column: 0)
        return diagnostics.sorted { ($0.location ?? none, $0.message) < ($1.location ?? none, $1.message) }
    }

    /// The errors of each coroutine, by name (PlainCopies may keep a refused
    /// coroutine as the plain C function it is).
    static func problems(_ unit: ParsedUnit, _ coroutines: [Coroutine], mode: TranslationMode) -> [String: [Diagnostic]] {
        var byCoroutine: [String: [Diagnostic]] = [:]
        let names = Set(coroutines.map(\.name))
        for coroutine in coroutines where coroutine.isDefinedHere {
            var found: [Diagnostic] = []
            func report(_ offset: Int, _ message: String) {
                let loc = unit.source.location(of: offset)
                found.append(Diagnostic(.error, at: loc, message, sourceLine: unit.source.lineText(loc.line)))
            }
            defer { if !found.isEmpty { byCoroutine[coroutine.name] = found } }
            let fn = coroutine.cursor
            switch mode {
            case .stackless:
                if clang_Cursor_isVariadic(fn.raw) != 0 {
                    report(fn.fileOffset, Messages.variadic(coroutine.name))
                }
                var included = false
                fn.forEachDescendant { node in
                    // A statement an `#include` inside the body brings in has its
                    // text in another file; the lowering rewrites the main file's
                    // (torture 20040629-1 includes itself in main: garbage output).
                    if !included, clang_isStatement(node.kind) != 0 || clang_isExpression(node.kind) != 0,
                       !unit.isExpandedInMainFile(node) {
                        included = true
                        report(fn.fileOffset, Messages.includeInBody(coroutine.name))
                    }
                    if let message = stacklessProblem(node, in: fn, unit) { report(node.fileOffset, message) }
                    if node.kind == CXCursor_GCCAsmStmt {
                        // An asm operand is an lvalue or value the asm reads in
                        // place: a suspend point cannot be hoisted out of it.
                        node.forEachDescendant { inner in
                            if inner.kind == CXCursor_CallExpr, let callee = inner.referenced, names.contains(callee.spelling) {
                                report(inner.fileOffset, Messages.awaitInAsm(callee.spelling))
                            }
                        }
                    }
                }
            case .stackful:
                // The body runs as written on its coroutine's stack, and awaits
                // are plain calls on that stack: setjmp/longjmp between them
                // work as in C.  A jump to a buffer set on another stack (another
                // coroutine's, a thread's) is undefined, as between threads.
                break
            }
        }
        return byCoroutine
    }

    private static let setjmpNames: Set<String> = ["setjmp", "_setjmp", "__sigsetjmp", "sigsetjmp", "__builtin_setjmp"]
    private static let longjmpNames: Set<String> = ["longjmp", "_longjmp", "siglongjmp", "__longjmp_chk", "__builtin_longjmp"]

    private static func stacklessProblem(_ node: Cursor, in fn: Cursor, _ unit: ParsedUnit) -> String? {
        switch node.kind {
        case CXCursor_ParmDecl:
            return isVariablyModified(node.type) ? Messages.variablyModified(node.spelling) : nil
        case CXCursor_VarDecl:
            // The canonical type: `typedef int row_t[n]; row_t row;` is a VLA too.
            if clang_getCanonicalType(node.type).kind == CXType_VariableArray { return Messages.vla(node.spelling) }
            if isVariablyModified(node.type) { return Messages.variablyModified(node.spelling) }
            return nil
        case CXCursor_CallExpr:
            let name = node.spelling
            if name == "alloca" || name == "__builtin_alloca" || name == "__builtin_alloca_with_align" {
                return Messages.alloca
            }
            if setjmpNames.contains(name) { return Messages.setjmp }
            if longjmpNames.contains(name) { return Messages.longjmp }
            return nil
        case CXCursor_IndirectGotoStmt:
            return Messages.computedGoto
        case CXCursor_AddrLabelExpr:
            return Messages.labelAddress
        case CXCursor_GCCAsmStmt:
            let text = unit.source.slice(node.expansionRange)
            let words = text.split(whereSeparator: { !$0.isLetter && $0 != "_" })
            return words.prefix(4).contains("goto") ? Messages.asmGoto : nil
        default:
            return nil
        }
    }

    /// A type whose size depends on a run-time value somewhere inside it
    /// (`int (*)[n]`): no frame field can have it.
    private static func isVariablyModified(_ type: CXType) -> Bool {
        let t = clang_getCanonicalType(type)
        switch t.kind {
        case CXType_VariableArray: return true
        case CXType_Pointer: return isVariablyModified(clang_getPointeeType(t))
        case CXType_ConstantArray, CXType_IncompleteArray: return isVariablyModified(clang_getArrayElementType(t))
        default: return false
        }
    }

    enum Messages {
        static func vla(_ name: String) -> String {
            "variable-length array '\(name)' in a coroutine: its size must be known to lay out the frame"
        }
        static func variablyModified(_ name: String) -> String {
            "'\(name)' has a variably modified type in a coroutine: its size must be known to lay out the frame"
        }
        static func includeInBody(_ name: String) -> String {
            "coroutine '\(name)' has statements from an #include inside its body; coroc rewrites only the main file's text: move the included code into the file or out of the coroutine"
        }
        static let alloca = "alloca in a coroutine: the memory would be freed at the first suspension"
        static let setjmp = "setjmp in a coroutine: the saved stack does not survive a suspension"
        static let longjmp = "longjmp in a coroutine cannot unwind a coroutine frame"
        static let computedGoto = "computed goto in a coroutine is not supported"
        static let labelAddress = "address of a label in a coroutine is not supported"
        static let asmGoto = "asm goto in a coroutine is not supported"
        static func variadic(_ name: String) -> String {
            "variadic coroutine '\(name)': its arguments cannot be stored in a frame"
        }
        static func awaitInAsm(_ name: String) -> String {
            "coroutine '\(name)' called in an asm operand; call it into a local before the asm statement"
        }
    }
}
