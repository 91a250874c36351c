// Pass 3b: reject coroutines used as values.
//
// In:  the unit and its coroutines.
// Out: an error at every reference to a coroutine that is not the callee of a
//      call: `fp = f;`, `int (*cb)(int) = f;`, `{ f, g }` tables, `return f;`,
//      `&f`, passing `f` as an argument, a parenthesized callee `(f)(x)` —
//      anywhere in the main file, inside coroutines or not.
//
// Why: a stackless coroutine is no longer a C function of its declared type
// (it becomes a frame type plus a step function), so a pointer to it has no
// meaning a caller could use; the output would name a function that does not
// exist ("'f' undeclared"). Calling a coroutine through a pointer would need
// the callee known at translation time to lay out the caller's frame, so it
// is not supported; the error says so at the use.
import CClang
import CorocCore

enum CoroutineValues {
    static func run(_ unit: ParsedUnit, _ coroutines: [Coroutine]) -> [Diagnostic] {
        let names = Set(coroutines.map(\.name))
        guard !names.isEmpty else { return [] }
        var callees: Set<CursorKey> = []
        var references: [Cursor] = []
        for decl in unit.root.children where unit.isExpandedInMainFile(decl) {
            decl.forEachDescendant { node in
                if node.kind == CXCursor_CallExpr, var callee = node.children.first {
                    // Through the implicit decay cast only: the later passes do not
                    // see `(f)(x)` as a call of `f` (no referenced callee), so it is
                    // reported here rather than emitted as a call of a name that no
                    // longer exists.
                    while callee.kind == CXCursor_UnexposedExpr, callee.children.count == 1 {
                        callee = callee.children[0]
                    }
                    if callee.kind == CXCursor_DeclRefExpr { callees.insert(callee.key) }
                } else if node.kind == CXCursor_DeclRefExpr, let target = node.referenced,
                          target.kind == CXCursor_FunctionDecl, names.contains(target.spelling) {
                    references.append(node)
                }
            }
        }
        var found: [Diagnostic] = []
        var seen: Set<Int> = []
        for node in references where !callees.contains(node.key) && seen.insert(node.fileOffset).inserted {
            let loc = unit.source.location(of: node.fileOffset)
            found.append(Diagnostic(.error, at: loc, Messages.valueUse(node.spelling),
                                    sourceLine: unit.source.lineText(loc.line)))
        }
        return found
    }

    enum Messages {
        static func valueUse(_ name: String) -> String {
            "coroutine '\(name)' used as a value; a coroutine can only be called (coroc does not support pointers to coroutines)"
        }
    }
}
