// Pass 6: lower a normalized coroutine into a state machine.
//
// In:  a NormalizedCoroutine (suspend points are statements of their own).
// Out: the resume function's body as C pieces, each tagged with the original
//      line it comes from, the dispatch switch, and the states for `explain`.
//
// Each suspend point gets the next state number k (1, 2, ... in source order;
// 0 is the start) and becomes the "call again" shape of coro.h:
//
//     f->hdr.state = k; Sk: CORO_OP(coro_op_read(&f->hdr, &f->t1_, ...));
//
// and each preemption check of a loop (Normalize made it the first statement
// of the iteration, `.headerLabel` marks the place before the loop statement)
//
//     Sk:; for (;; inc) { if (coro_preempt_pending()) { f->hdr.state = k; return CORO_YIELDED; } ...
//
// (a check before a backward goto keeps its label inline: `...; return
// CORO_YIELDED; Sk:; } goto L;`).  The dispatch `switch (f->hdr.state) {
// case k: goto Sk; }` sits before the body, so case labels are never inside
// user code; `goto Sk` enters the unchanged control structure (legal C: no
// VLAs, Reject saw to that).
//
// Loops stay natural loops: a check's resume point is the loop's own entry,
// so the loop holding it has one header (its first block), which the dispatch
// and the code before the loop both reach from outside.  GCC and LLVM then
// keep optimizing it (invariant motion, vectorization, register allocation);
// with the label inside the body the dispatch would be a second entry and the
// loop irreducible.  A strip (StripLoops: `for (;;) { check; if (!(C))
// break; { for (; ...;) B } }`) is an inner loop with no resume point inside
// the checked one, so both stay natural and the strip is what GCC and LLVM
// vectorize.  What stays irreducible: a loop that encloses another resume
// point (a suspend, or the check of an inner loop) is entered from the side
// by that point's `goto`, since the dispatch is flat.  The golden test
// `loopsStayNatural` compiles the output with clang -O2 and counts vectorized
// loops against the original's.
//
// Register locals (scalars, and arrays and structs no pointer reaches, kept in
// C locals of the resume function, see RegisterPolicy) are saved to their
// frame fields (aggregates by memcpy) just before a suspension
// and reloaded in the dispatch case that resumes there, but only those live
// across that suspension (Liveness over the fragments: a local is live when
// its name appears in a fragment reachable afterwards, loops included; the
// "call again" operation counts as read after the suspension, since it is
// evaluated again on resumption; a `goto` to a user label flows to the label,
// see FragmentFlow).  Mentions are never taken as writes, so the set is a
// superset of the true one.
import CorocCore

struct LoweredCoroutine {
    var normalized: NormalizedCoroutine
    var pieces: [(text: String, line: Int?)]
    var dispatch: String
    var states: [CoroutineReport.State]
    var edges: [CoroutineReport.Edge]
}

enum Lower {
    static func run(_ input: NormalizedCoroutine, startLine: Int) -> LoweredCoroutine {
        let fp = input.framePointer, prefix = input.statePrefix
        // Register locals live across a suspension go back to the frame before
        // the return that leaves the frame suspended (the resume function's C
        // locals die with it), and come back in the dispatch case.
        let live = liveRegisters(input)
        var saved: [[RegisterLocal]] = [[]]   // per state; the start reloads parameters only
        func spill(_ k: Int) -> String {
            saved.append(live(k))
            return saved[k].map { copy(to: "\(fp)->\($0.field)", from: $0.local, $0.isAggregate) }.joined()
        }
        var pieces: [(text: String, line: Int?)] = []
        var states = [CoroutineReport.State(number: 0, kind: .entry, line: startLine, what: input.coroutine.name)]
        var edges: Set<CoroutineReport.Edge> = []
        var previous = 0
        var loopFirstState: [Int?] = []   // first state inside each open loop
        var headerLabel: Int?             // state whose label `.headerLabel` placed
        for fragment in input.fragments {
            switch fragment {
            case .code(let text, let line):
                if !text.isEmpty { pieces.append((text, line)) }
            case .suspend(let s):
                let k = states.count
                states.append(CoroutineReport.State(number: k, kind: s.kind, line: s.line, what: s.what))
                pieces.append(("\(fp)->hdr.state = \(k); \(spill(k))\(prefix)\(k): CORO_OP(\(s.operation));", s.line))
                edges.insert(CoroutineReport.Edge(from: previous, to: k))
                previous = k
                markLoops(&loopFirstState, k)
            case .headerLabel:
                headerLabel = states.count
                pieces.append(("\(prefix)\(states.count):;", nil))
            case .check(let line):
                let k = states.count
                states.append(CoroutineReport.State(number: k, kind: .preempt, line: line, what: "loop back-edge"))
                let inlineLabel = headerLabel == k ? "" : " \(prefix)\(k):;"
                headerLabel = nil
                pieces.append(("if (coro_preempt_pending()) { \(fp)->hdr.state = \(k); \(spill(k))return CORO_YIELDED;\(inlineLabel) }", line))
                edges.insert(CoroutineReport.Edge(from: previous, to: k))
                previous = k
                markLoops(&loopFirstState, k)
            case .loopStart:
                loopFirstState.append(nil)
            case .loopEnd:
                if let first = loopFirstState.removeLast() {
                    edges.insert(CoroutineReport.Edge(from: previous, to: first))
                }
            }
        }
        edges.insert(CoroutineReport.Edge(from: previous, to: CoroutineReport.done))
        var dispatch = ""
        for register in input.registers { dispatch += "    \(register.declaration)\(register.isAggregate ? "" : " = 0");\n" }
        func reload(_ registers: [RegisterLocal]) -> String {
            registers.map { copy(to: $0.local, from: "\(fp)->\($0.field)", $0.isAggregate) }.joined()
        }
        // Starting: the parameters; resuming at k: what was saved at k.
        dispatch += "    switch (\(fp)->hdr.state) {\n    case 0: \(reload(input.registers.filter(\.isParameter)))break;\n"
        for state in states.dropFirst() {
            dispatch += "    case \(state.number): \(reload(saved[state.number]))goto \(prefix)\(state.number);\n"
        }
        dispatch += "    default: __builtin_trap();   /* resumed a finished or corrupt frame */\n    }\n"
        return LoweredCoroutine(normalized: input, pieces: pieces, dispatch: dispatch, states: states,
                                edges: edges.sorted { ($0.from, $0.to) < ($1.from, $1.to) })
    }

    /// A register local's save or reload: arrays cannot be assigned, and a
    /// struct with a const member cannot either.
    private static func copy(to target: String, from source: String, _ aggregate: Bool) -> String {
        aggregate ? "__builtin_memcpy(&\(target), &\(source), sizeof \(target)); " : "\(target) = \(source); "
    }

    /// Register locals to save at each state number (1, 2, ... in fragment order).
    private static func liveRegisters(_ input: NormalizedCoroutine) -> (Int) -> [RegisterLocal] {
        let registers = input.registers
        if registers.isEmpty { return { _ in [] } }
        let graph = FragmentFlow.graph(input.fragments, registers: Set(registers.map(\.local)), labelLines: input.labelLines)
        let liveness = Liveness(graph)
        return { k in
            let live = liveness.liveAcross(suspend: k)
            return registers.filter { live.contains($0.local) }
        }
    }

    /// The C identifiers ending in `_r` (the register locals' suffix, see
    /// Normalize.access) in a piece of text, outside string and char literals;
    /// other identifiers are skipped without building a String.
    static func registerIdentifiers(in text: String) -> Set<String> {
        let bytes = Array(text.utf8)
        var found: Set<String> = [], i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                i += 1
                while i < bytes.count && bytes[i] != b { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
                i += 1
            } else if isIdentifierByte(b) {
                var j = i
                while j < bytes.count && isIdentifierByte(bytes[j]) { j += 1 }
                if !(b >= 48 && b <= 57) && j - i > 2 && bytes[j - 2] == UInt8(ascii: "_") && bytes[j - 1] == UInt8(ascii: "r") {
                    found.insert(String(decoding: bytes[i..<j], as: UTF8.self))
                }
                i = j
            } else {
                i += 1
            }
        }
        return found
    }

    private static func markLoops(_ loops: inout [Int?], _ state: Int) {
        for i in loops.indices where loops[i] == nil { loops[i] = state }
    }
}
