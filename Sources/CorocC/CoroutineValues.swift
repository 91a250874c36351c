// Pass 3b (stackless): find coroutines used as values.
//
// In:  the unit and its coroutines.
// Out: every reference to a coroutine that is not the callee of a call:
//      `fp = f;`, `int (*cb)(int) = f;`, `{ f, g }` tables, `return f;`, `&f`,
//      passing `f` as an argument — anywhere in the main file, inside
//      coroutines or not (a parenthesized callee `(f)(x)` is a call).  PlainCopies decides what
//      each becomes.
//
// Why: a stackless coroutine is no longer a C function of its declared type
// (it becomes a frame type plus a step function), so a pointer to it can only
// be a pointer to a plain C copy of it; the output would otherwise name a
// function that does not exist ("'f' undeclared").  A call through a pointer
// cannot await: the callee must be known at translation time to lay out the
// caller's frame.
import CClang
import CorocCore

enum CoroutineValues {
    static func valueUses(_ unit: ParsedUnit, _ coroutines: [Coroutine]) -> [(name: String, offset: Int)] {
        let names = Set(coroutines.map(\.name))
        guard !names.isEmpty else { return [] }
        var callees: Set<CursorKey> = []
        var references: [Cursor] = []
        for decl in unit.root.children where unit.isExpandedInMainFile(decl) {
            decl.forEachDescendant { node in
                if node.kind == CXCursor_CallExpr, var callee = node.children.first {
                    // Through the implicit decay cast and parentheses: `(f)(x)` is
                    // a call of `f` (Cursor.referenced says so for every pass).
                    while callee.kind == CXCursor_UnexposedExpr || callee.kind == CXCursor_ParenExpr,
                          callee.children.count == 1 {
                        callee = callee.children[0]
                    }
                    if callee.kind == CXCursor_DeclRefExpr { callees.insert(callee.key) }
                } else if node.kind == CXCursor_DeclRefExpr, let target = node.referenced,
                          target.kind == CXCursor_FunctionDecl, names.contains(target.spelling) {
                    references.append(node)
                }
            }
        }
        var found: [(name: String, offset: Int)] = []
        var seen: Set<Int> = []
        for node in references where !callees.contains(node.key) && seen.insert(node.fileOffset).inserted {
            found.append((node.spelling, node.fileOffset))
        }
        return found
    }
}
