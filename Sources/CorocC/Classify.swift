// Pass 4: classify suspend points.
//
// In:  the unit, its coroutines, the catalogue.
// Out: for every call inside a coroutine body that suspends, what kind of
//      suspend point it is: a catalogue operation (coro_op_*), a blocking-pool
//      call, or an await of another coroutine.  Calls that reach the body
//      through a macro (`#define READ_ALL(fd,b) read(fd,b,sizeof(b))`) are AST
//      calls like any other and are classified the same way.  The call inside a
//      coro_go(...) / coro_main(...) marker is a spawn, not an await.
//      Also: the call graph between coroutines and which callee frames can be
//      embedded (callee defined earlier in the file and not on a cycle with the
//      caller: CorocCore's AwaitGraph), and coro_main inside a coroutine.
import CClang
import CorocCore

enum SuspendKind {
    case operation(IOCatalogue.Entry, function: String, hasResult: Bool)
    case blocking(IOCatalogue.Entry)
    case await(callee: String)
}

struct Classification {
    var suspends: [CursorKey: SuspendKind] = [:]
    /// Caller -> callees awaited (by name), for the SCC computation.
    var calls: [String: Set<String>] = [:]
    /// (caller, callee) pairs whose callee frame is embedded in the caller's frame.
    var embedded: Set<[String]> = []
    var diagnostics: [Diagnostic] = []
}

enum Classify {
    /// `calledPlain`: coroutines with a plain form that never suspends, whose
    /// calls are plain calls (PlainCopies' leaves), not awaits.
    static func run(_ unit: ParsedUnit, _ coroutines: [Coroutine], catalogue: IOCatalogue,
                    calledPlain: Set<String> = []) -> Classification {
        var result = Classification()
        let byName = Dictionary(uniqueKeysWithValues: coroutines.map { ($0.name, $0) })
        let markerRanges = unit.markers.map(\.range)
        func inMarker(_ call: Cursor) -> Bool {
            let offset = call.fileOffset
            return markerRanges.contains { $0.start <= offset && offset < $0.end }
                || unit.macros.textRange(call).map { r in markerRanges.contains { $0.contains(r) } } ?? false
        }
        // The spawned call of a coro_go(...) marker is its outermost coroutine
        // call; coroutine calls in its arguments (`coro_go(f(g(x)))`) are
        // awaits of the spawning coroutine, evaluated before the spawn.  The
        // walk visits parents first, so the first one met is the outermost.
        var spawnFound: Set<Int> = []
        func isSpawnedCall(_ call: Cursor) -> Bool {
            guard inMarker(call) else { return false }
            let offset = call.fileOffset
            guard let i = markerRanges.firstIndex(where: { $0.start <= offset && offset < $0.end })
                    ?? unit.macros.textRange(call).flatMap({ r in markerRanges.firstIndex { $0.contains(r) } }) else {
                return true
            }
            return spawnFound.insert(i).inserted
        }
        for coroutine in coroutines where coroutine.isDefinedHere {
            var callees: Set<String> = []
            coroutine.cursor.forEachDescendant { node in
                guard node.kind == CXCursor_CallExpr, let callee = node.referenced,
                      callee.kind == CXCursor_FunctionDecl else { return }
                let name = callee.spelling
                if byName[name] != nil {
                    if isSpawnedCall(node) || calledPlain.contains(name) { return }
                    result.suspends[node.key] = .await(callee: name)
                    callees.insert(name)
                } else if let entry = catalogue.lookup(name) {
                    switch entry.kind {
                    case .operation(let function, let hasResult):
                        result.suspends[node.key] = .operation(entry, function: function, hasResult: hasResult)
                    case .blocking:
                        result.suspends[node.key] = .blocking(entry)
                    }
                }
            }
            result.calls[coroutine.name] = callees
        }
        let graph = AwaitGraph(edges: result.calls)
        let startOf = Dictionary(uniqueKeysWithValues: coroutines.map { ($0.name, $0.definitionRange?.start ?? Int.max) })
        for (caller, callees) in result.calls {
            for callee in callees where !graph.isRecursive(caller, callee) {
                if let calleeStart = startOf[callee], let callerStart = startOf[caller], calleeStart < callerStart {
                    result.embedded.insert([caller, callee])
                }
            }
        }
        result.diagnostics = misuse(unit, coroutines, byName, inMarker)
        return result
    }

    /// coro_main inside a coroutine has no meaning.  (Calls of coroutines
    /// outside coroutines are PlainCopies': a plain copy, or an error.)
    private static func misuse(_ unit: ParsedUnit, _ coroutines: [Coroutine], _ byName: [String: Coroutine],
                               _ inMarker: (Cursor) -> Bool) -> [Diagnostic] {
        var found: [Diagnostic] = []
        func report(_ offset: Int, _ message: String) {
            let loc = unit.source.location(of: offset)
            found.append(Diagnostic(.error, at: loc, message, sourceLine: unit.source.lineText(loc.line)))
        }
        let bodies = coroutines.compactMap(\.definitionRange)
        for marker in unit.markers where marker.kind == .main {
            if bodies.contains(where: { $0.start <= marker.range.start && marker.range.start < $0.end }) {
                report(marker.range.start, Messages.mainInCoroutine)
            }
        }
        return found
    }

    enum Messages {
        static let mainInCoroutine = "coro_main(...) inside a coroutine; use it in main, outside coroutines"
    }
}
