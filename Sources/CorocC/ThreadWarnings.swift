// Warnings for values tied to the thread that are used across a suspend point
// (DESIGN.md: a coroutine may resume on another worker thread).
//
// In:  a coroutine definition and the Classification.
// Out: warnings for each local that is assigned from `errno` (a pointer to it:
//      `&errno`), `pthread_self()` or a thread-local
//      variable, and is live across a suspend point (Liveness over ASTFlow's
//      graph: branches, loops, switch and goto modelled), pointing at the
//      assignment.  Reading errno itself after a suspension is fine: the runtime
//      restores it.
import CClang
import CorocCore

enum ThreadWarnings {
    static func run(_ coroutine: Coroutine, _ unit: ParsedUnit, _ classification: Classification) -> [Diagnostic] {
        guard mentionsThreadState(coroutine.cursor) else { return [] }
        var tainted: [String: (offset: Int, source: String)] = [:]
        let (graph, suspendCount) = ASTFlow.graph(
            coroutine.cursor, classification, isAssignment: { isAssignment($0, $1, unit) },
            onWrite: { name, variable, at, value in
                guard let what = threadSource(value), matters(what, variable.type) else { return }
                tainted[name] = (at.fileOffset, what)
            })
        guard !tainted.isEmpty, suspendCount > 0 else { return [] }
        let liveness = Liveness(graph)
        var warned: Set<String> = []
        var found: [Diagnostic] = []
        for id in 0..<suspendCount {
            for variable in liveness.liveAcross(suspend: id).sorted() where !warned.contains(variable) {
                guard let (offset, what) = tainted[variable] else { continue }
                warned.insert(variable)
                let loc = unit.source.location(of: offset)
                let local = String(variable.prefix { $0 != "@" })
                found.append(Diagnostic(.warning, at: loc, Messages.threadValue(local, what),
                                        sourceLine: unit.source.lineText(loc.line)))
            }
        }
        return found.sorted { $0.location! < $1.location! }
    }

    /// What thread-bound value an expression reads, if any.
    private static func threadSource(_ c: Cursor) -> String? {
        var found: String?
        func visit(_ n: Cursor) {
            if found != nil { return }
            if n.kind == CXCursor_CallExpr {
                switch n.spelling {
                case "__errno_location": found = "errno"
                case "pthread_self": found = "pthread_self()"
                default: break
                }
            }
            if n.kind == CXCursor_DeclRefExpr, let target = n.referenced, target.kind == CXCursor_VarDecl,
               clang_getCursorTLSKind(target.raw) != CXTLS_None {
                found = "thread-local '\(target.spelling)'"
            }
            n.children.forEach(visit)
        }
        visit(c)
        return found
    }

    /// Cheap pre-check: the body names errno, pthread_self or a thread-local.
    private static func mentionsThreadState(_ c: Cursor) -> Bool {
        c.anyDescendant { node in
            switch node.kind {
            case CXCursor_CallExpr:
                let name = node.spelling
                return name == "__errno_location" || name == "pthread_self"
            case CXCursor_DeclRefExpr:
                guard let target = node.referenced, target.kind == CXCursor_VarDecl else { return false }
                return clang_getCursorTLSKind(target.raw) != CXTLS_None
            default:
                return false
            }
        }
    }

    /// A copy of errno's value is just a number; a pointer to errno is the
    /// hazard (it points at the old thread's errno after a migration).
    private static func matters(_ what: String, _ type: CXType) -> Bool {
        what != "errno" || type.kind == CXType_Pointer
    }

    private static func isAssignment(_ c: Cursor, _ parts: [Cursor], _ unit: ParsedUnit) -> Bool {
        guard let l = unit.macros.textRange(parts[0]), let r = unit.macros.textRange(parts[1]), l.end <= r.start else {
            return false
        }
        return stripComments(unit.source.slice(TextRange(start: l.end, end: r.start))) == "="
    }

    enum Messages {
        static func threadValue(_ local: String, _ what: String) -> String {
            "'\(local)' holds a value of \(what) and is used after a suspend point; the coroutine may resume on another thread"
        }
    }
}
