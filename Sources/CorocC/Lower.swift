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
// and each preemption check
//
//     if (coro_preempt_pending()) { f->hdr.state = k; return CORO_YIELDED; Sk:; }
//
// The dispatch `switch (f->hdr.state) { case k: goto Sk; }` sits before the
// body, so case labels are never inside user code; `goto Sk` enters the
// unchanged control structure (legal C: no VLAs, Reject saw to that).
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
        // Register locals go back to the frame before every return that leaves
        // the frame suspended (the resume function's C locals die with it).
        let spill = input.registers.map { "\(fp)->\($0.field) = \($0.local); " }.joined()
        var pieces: [(text: String, line: Int?)] = []
        var states = [CoroutineReport.State(number: 0, kind: .entry, line: startLine, what: input.coroutine.name)]
        var edges: Set<CoroutineReport.Edge> = []
        var previous = 0
        var loopFirstState: [Int?] = []   // first state inside each open loop
        for fragment in input.fragments {
            switch fragment {
            case .code(let text, let line):
                if !text.isEmpty { pieces.append((text, line)) }
            case .suspend(let s):
                let k = states.count
                states.append(CoroutineReport.State(number: k, kind: s.kind, line: s.line, what: s.what))
                pieces.append(("\(fp)->hdr.state = \(k); \(spill)\(prefix)\(k): CORO_OP(\(s.operation));", s.line))
                edges.insert(CoroutineReport.Edge(from: previous, to: k))
                previous = k
                markLoops(&loopFirstState, k)
            case .check(let line):
                let k = states.count
                states.append(CoroutineReport.State(number: k, kind: .preempt, line: line, what: "loop back-edge"))
                pieces.append(("if (coro_preempt_pending()) { \(fp)->hdr.state = \(k); \(spill)return CORO_YIELDED; \(prefix)\(k):; }", line))
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
        for register in input.registers { dispatch += "    \(register.declaration) = 0;\n" }
        let parameters = input.registers.filter(\.isParameter)
        if !input.registers.isEmpty {
            // Resuming: reload every register local; starting: only parameters.
            dispatch += "    if (\(fp)->hdr.state != 0) {"
            dispatch += input.registers.map { " \($0.local) = \(fp)->\($0.field);" }.joined()
            dispatch += " }" + (parameters.isEmpty ? "\n" : " else {" + parameters.map { " \($0.local) = \(fp)->\($0.field);" }.joined() + " }\n")
        }
        dispatch += "    switch (\(fp)->hdr.state) {\n    case 0: break;\n"
        for state in states.dropFirst() {
            dispatch += "    case \(state.number): goto \(prefix)\(state.number);\n"
        }
        dispatch += "    default: __builtin_trap();   /* resumed a finished or corrupt frame */\n    }\n"
        return LoweredCoroutine(normalized: input, pieces: pieces, dispatch: dispatch, states: states,
                                edges: edges.sorted { ($0.from, $0.to) < ($1.from, $1.to) })
    }

    private static func markLoops(_ loops: inout [Int?], _ state: Int) {
        for i in loops.indices where loops[i] == nil { loops[i] = state }
    }
}
