// Pass 3a (stackless): which coroutines also, or only, run as plain C functions.
//
// In:  the unit, its coroutines, the catalogue, and Reject's problems of each
//      coroutine (variadic, alloca, VLA, setjmp, &&label...).
// Out: `demoted`: coroutines that are not lowered at all and stay the C
//      functions the user wrote; `copied`: coroutines that are lowered and get,
//      beside their state machine, a plain C copy under their own name (the
//      stackless output otherwise defines no function of that name); the
//      warnings saying so; errors for what needs a plain form but cannot have one.
//
// Why: a coroutine used as a value (`qsort(v, n, sizeof *v, cmp)`, a handler
// table, `return f;`), called from a plain function, or written with what a
// frame cannot hold (its arguments through `...`, alloca) has no state-machine
// form a plain caller could use.  It has a plain one when it never suspends:
// no catalogue call (I/O, runtime operation), no coro_go / coro_main, and every
// coroutine it calls never suspends either (a greatest fixpoint, so recursion is
// fine).  Then the plain form computes exactly what the coroutine does; it only
// has no preemption checks (like any plain C function it calls, e.g. qsort), and
// the warning says so.  A coroutine that does suspend keeps the error.
//
// Which form: a coroutine that Reject refused, or that no lowered coroutine
// awaits and no coro_go starts, is demoted: one form, no dead state machine
// (`coro_main(f(x))` of it becomes the plain call).  One that is also awaited
// or spawned keeps both, the copy for plain callers, unless it has a static
// local (each form would have its own): then it is demoted too if nothing
// spawns it, and an error if coro_go does.
// Every coroutine a plain form calls needs a plain form too (the closure).
//
// Leaves: a coroutine that never suspends, has no loop and no label (so no
// preemption check either) and awaits only leaves, none on a cycle, is called
// as a plain C function from every coroutine in this file (`calledPlain`): an
// await of it could only ever run it to completion, and as a state machine it
// costs a frame, a state and a spill of every live local around the call
// (`__builtin_constant_p(size)` of a local that crossed it is 0: torture
// builtin-constant; a call of a coroutine named `llabs` is GCC's builtin only
// as a plain call: 20021127-1).  A static leaf nothing spawns is demoted; one
// that another file may await (external linkage) or that coro_go starts is
// copied.  A leaf with a static local that would need both forms stays a
// state machine only, awaited as before.  No warning: a leaf loses nothing.
import CClang
import CorocCore

struct PlainForms {
    var demoted: Set<String> = []
    var copied: Set<String> = []
    /// Coroutines whose calls inside coroutines are plain calls (leaves).
    var calledPlain: Set<String> = []
    var warnings: [Diagnostic] = []
    var errors: [Diagnostic] = []
    /// Names that exist as plain C functions in the output.
    var plain: Set<String> { demoted.union(copied) }
}

enum PlainCopies {
    /// Why a coroutine needs a plain form: where, and what to say.
    private enum Need: Hashable, Comparable {
        case value(Int), plainCaller(Int)
    }

    /// What the unit says about each coroutine, gathered in one pass.
    private struct Facts {
        var callees: [String: [(name: String, offset: Int)]] = [:]   // awaits, in order
        var suspendsAt: [String: (what: String, offset: Int)] = [:]  // first own suspend point
        var staticLocal: [String: String] = [:]
        var hasLoop: Set<String> = []                                 // a loop or a label
        var spawned: Set<String> = []                                // called in a coro_go
        var awaitedBy: [String: Set<String>] = [:]
        var needs: [String: [Need]] = [:]                             // the roots
    }

    static func run(_ unit: ParsedUnit, _ coroutines: [Coroutine], catalogue: IOCatalogue,
                    problems: [String: [Diagnostic]]) -> PlainForms {
        let facts = gather(unit, coroutines, catalogue: catalogue, problems: problems)
        let computeOnly = neverSuspending(coroutines, facts, problems)
        // The plain set: the compute-only roots and everything they call.
        var plain: Set<String> = []
        var work = facts.needs.keys.filter { computeOnly.contains($0) }.sorted()
        while let name = work.popLast() {
            guard plain.insert(name).inserted else { continue }
            work += facts.callees[name, default: []].map(\.name).filter { !plain.contains($0) }
        }
        var forms = PlainForms()
        forms.demoted = demote(plain, facts, problems)
        forms.copied = plain.subtracting(forms.demoted)
        report(unit, coroutines, facts, computeOnly, problems, &forms)
        // Leaves outside the plain set: the static-local errors above cannot
        // concern them (a leaf that would need both forms with one is left out).
        let byName = Dictionary(uniqueKeysWithValues: coroutines.map { ($0.name, $0) })
        let leaves = leaves(computeOnly, facts, byName, plain: plain)
        for name in leaves.subtracting(plain).sorted() {
            if needsBothForms(name, facts, byName) { forms.copied.insert(name) } else { forms.demoted.insert(name) }
        }
        // Plain forms of leaves are what their callers in coroutines call.
        forms.calledPlain = leaves
        return forms
    }

    /// Whether a leaf keeps its state machine beside its plain form: another
    /// file may await it (external linkage), or coro_go starts it.
    private static func needsBothForms(_ name: String, _ facts: Facts, _ byName: [String: Coroutine]) -> Bool {
        byName[name].map { !$0.isStatic } ?? true || facts.spawned.contains(name)
    }

    /// Never-suspending coroutines without a loop or label whose awaits are
    /// all leaves and that are on no await cycle (a greatest fixpoint); not
    /// one with a static local that would need both forms (each form would
    /// have its own static), unless the plain set already holds it.
    private static func leaves(_ computeOnly: Set<String>, _ facts: Facts, _ byName: [String: Coroutine],
                               plain: Set<String>) -> Set<String> {
        let graph = AwaitGraph(edges: facts.callees.mapValues { Set($0.map(\.name)) })
        let leaves = computeOnly.filter { name in
            guard !facts.hasLoop.contains(name),
                  !facts.callees[name, default: []].contains(where: { graph.isRecursive(name, $0.name) }) else { return false }
            // A second, plain form is made only for a leaf without a static
            // local that something here calls (else it would be dead code).
            return plain.contains(name) || !needsBothForms(name, facts, byName)
                || (facts.staticLocal[name] == nil && !facts.awaitedBy[name, default: []].isEmpty)
        }
        return closedUnderAwaits(leaves, facts)
    }

    /// The largest subset of `set` whose members await only members.
    private static func closedUnderAwaits(_ set: Set<String>, _ facts: Facts) -> Set<String> {
        var set = set
        var changed = true
        while changed {
            changed = false
            for name in set where facts.callees[name, default: []].contains(where: { !set.contains($0.name) }) {
                set.remove(name)
                changed = true
            }
        }
        return set
    }

    private static func gather(_ unit: ParsedUnit, _ coroutines: [Coroutine], catalogue: IOCatalogue,
                               problems: [String: [Diagnostic]]) -> Facts {
        let byName = Dictionary(uniqueKeysWithValues: coroutines.map { ($0.name, $0) })
        let markerRanges = unit.markers.map(\.range)
        let goRanges = unit.markers.filter { $0.kind == .go }.map(\.range)
        func within(_ ranges: [TextRange], _ node: Cursor) -> Bool {
            let offset = node.fileOffset
            return ranges.contains { $0.start <= offset && offset < $0.end }
        }
        var facts = Facts()
        for coroutine in coroutines where coroutine.isDefinedHere {
            let name = coroutine.name
            var calls: [(name: String, offset: Int)] = []
            if let range = coroutine.definitionRange,
               let marker = markerRanges.first(where: { range.start <= $0.start && $0.start < range.end }) {
                facts.suspendsAt[name] = ("coro_go / coro_main", marker.start)
            }
            coroutine.cursor.forEachDescendant { node in
                if node.kind == CXCursor_VarDecl, node.storageClass == CX_SC_Static, facts.staticLocal[name] == nil {
                    facts.staticLocal[name] = node.spelling
                }
                switch node.kind {
                case CXCursor_ForStmt, CXCursor_WhileStmt, CXCursor_DoStmt, CXCursor_LabelStmt, CXCursor_IndirectGotoStmt:
                    facts.hasLoop.insert(name)
                default: break
                }
                guard node.kind == CXCursor_CallExpr, let callee = node.referenced,
                      callee.kind == CXCursor_FunctionDecl else { return }
                let calleeName = callee.spelling
                if byName[calleeName] != nil {
                    if !within(markerRanges, node) {
                        calls.append((calleeName, node.fileOffset))
                        facts.awaitedBy[calleeName, default: []].insert(name)
                    }
                } else if catalogue.lookup(calleeName) != nil, facts.suspendsAt[name] == nil {
                    facts.suspendsAt[name] = (calleeName, node.fileOffset)
                }
            }
            facts.callees[name] = calls
        }
        for decl in unit.root.children where unit.isExpandedInMainFile(decl) {
            // Calls of coroutines from plain functions, and coro_go spawns
            // anywhere.  (A coro_main of a plain form is a plain call, Emit:
            // nothing else can run beside a program that never suspends.)
            let plainFunction = decl.kind == CXCursor_FunctionDecl && decl.isDefinition
                && byName[decl.spelling]?.isDefinedHere != true
            decl.forEachDescendant { node in
                guard node.kind == CXCursor_CallExpr, let callee = node.referenced,
                      byName[callee.spelling] != nil else { return }
                if within(goRanges, node) { facts.spawned.insert(callee.spelling) }
                if plainFunction && !within(markerRanges, node) {
                    facts.needs[callee.spelling, default: []].append(.plainCaller(node.fileOffset))
                }
            }
        }
        for use in CoroutineValues.valueUses(unit, coroutines) { facts.needs[use.name, default: []].append(.value(use.offset)) }
        for (name, list) in problems where !list.isEmpty { facts.needs[name, default: []] += [] }
        return facts
    }

    /// Coroutines defined here that never suspend, nor does anything they
    /// await: a greatest fixpoint over the await graph.  A refused coroutine
    /// that coro_go spawns has no form at all, so it is not one.
    private static func neverSuspending(_ coroutines: [Coroutine], _ facts: Facts,
                                        _ problems: [String: [Diagnostic]]) -> Set<String> {
        let candidates = Set(coroutines.filter {
            $0.isDefinedHere && facts.suspendsAt[$0.name] == nil
                && ((problems[$0.name] ?? []).isEmpty || !facts.spawned.contains($0.name))
        }.map(\.name))
        return closedUnderAwaits(candidates, facts)
    }

    /// Which plain forms are the only form: what Reject refused, what has a
    /// static local and is not spawned, and then, until nothing changes, what
    /// no lowered coroutine awaits (itself aside) and nothing spawns.
    private static func demote(_ plain: Set<String>, _ facts: Facts, _ problems: [String: [Diagnostic]]) -> Set<String> {
        var demoted = plain.filter {
            !(problems[$0] ?? []).isEmpty || (facts.staticLocal[$0] != nil && !facts.spawned.contains($0))
        }
        var changed = true
        while changed {
            changed = false
            for name in plain.subtracting(demoted) where !facts.spawned.contains(name)
                && facts.awaitedBy[name, default: []].allSatisfy({ $0 == name || demoted.contains($0) }) {
                demoted.insert(name)
                changed = true
            }
        }
        return demoted
    }

    /// A warning at each root's definition, or, for a root that cannot have a
    /// plain form, an error at each use saying where it suspends.
    private static func report(_ unit: ParsedUnit, _ coroutines: [Coroutine], _ facts: Facts, _ computeOnly: Set<String>,
                               _ problems: [String: [Diagnostic]], _ forms: inout PlainForms) {
        let byName = Dictionary(uniqueKeysWithValues: coroutines.map { ($0.name, $0) })
        func diagnostic(_ kind: Severity, _ offset: Int, _ message: String) -> Diagnostic {
            let loc = unit.source.location(of: offset)
            return Diagnostic(kind, at: loc, message, sourceLine: unit.source.lineText(loc.line))
        }
        func suspension(_ name: String) -> String {
            var seen: Set<String> = []
            var at = name
            var path: [String] = []
            while seen.insert(at).inserted {
                if let (what, offset) = facts.suspendsAt[at] {
                    let loc = unit.source.location(of: offset)
                    return path.map { "awaits '\($0)', which " }.joined() + "suspends at '\(what)' (line \(loc.line))"
                }
                guard let next = facts.callees[at, default: []].first(where: { !computeOnly.contains($0.name) }) else { break }
                at = next.name
                path.append(at)
            }
            return "suspends"
        }
        for name in facts.needs.keys.sorted() {
            guard let coroutine = byName[name] else { continue }
            let start = coroutine.cursor.fileOffset
            if !forms.plain.contains(name) {
                // Reject's own errors stand for what Reject refused.  A
                // coroutine declared in another file has no body here.
                let why = coroutine.isDefinedHere ? suspension(name) : "is defined in another file"
                for need in Set(facts.needs[name]!).sorted() {
                    switch need {
                    case .value(let at): forms.errors.append(diagnostic(.error, at, Messages.valueUse(name, why)))
                    case .plainCaller(let at): forms.errors.append(diagnostic(.error, at, Messages.bareCall(name, why)))
                    }
                }
            } else if forms.copied.contains(name) {
                forms.warnings.append(diagnostic(.warning, start, Messages.copied(name)))
            } else if let problem = problems[name]?.first {
                forms.warnings.append(diagnostic(.warning, start, Messages.demotedProblem(name, problem.message)))
            } else {
                forms.warnings.append(diagnostic(.warning, start, Messages.demoted(name)))
            }
        }
        // A static local in a coroutine that must keep both forms.
        for name in forms.copied.sorted() {
            if let local = facts.staticLocal[name], let coroutine = byName[name] {
                forms.errors.append(diagnostic(.error, coroutine.cursor.fileOffset, Messages.staticLocal(name, local)))
            }
        }
    }

    enum Messages {
        static func valueUse(_ name: String, _ why: String) -> String {
            "coroutine '\(name)' used as a value; a pointer to it would call it as a plain C function, which it cannot be: it \(why)"
        }
        static func bareCall(_ name: String, _ why: String) -> String {
            CommonMessages.callOutsideCoroutine(name) + "; it cannot run as a plain C function: it \(why)"
        }
        static func copied(_ name: String) -> String {
            "coroutine '\(name)' is also used as a plain C function (a value, or called outside a coroutine): that copy of it never suspends and has no preemption checks"
        }
        static func demoted(_ name: String) -> String {
            "coroutine '\(name)' is only used as a plain C function (a value, or called outside a coroutine, or by such a function); it never suspends, so it stays one, without preemption checks"
        }
        static func demotedProblem(_ name: String, _ problem: String) -> String {
            "coroutine '\(name)' never suspends, so it stays a plain C function, without preemption checks (\(problem))"
        }
        static func staticLocal(_ name: String, _ local: String) -> String {
            "coroutine '\(name)' is started with coro_go and also used as a plain C function, and its static local '\(local)' would not be shared between the two forms"
        }
    }
}
