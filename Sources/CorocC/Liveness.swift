// Analysis: which variables are live across each suspend point.
//
// Kept apart from the transforms (like LLVM's SuspendCrossingInfo): it reads a
// small event list, knows nothing of libclang, and has its own tests.  The
// event list is a structured program in source order: reads and writes of
// named variables, suspend points, and balanced loop markers (a loop body may
// run zero or more times, so loopEnd flows back to loopStart and loopStart can
// skip past loopEnd).  Classic backward dataflow to a fixed point:
//     liveIn(n) = reads(n) ∪ (liveOut(n) − writes(n)),  liveOut(n) = ∪ liveIn(succ)
// A variable is live across suspend point s when it is in liveOut(s).
//
// Staleness: the result describes the event list it was built from; the C
// frontend builds a fresh one per coroutine: from the original body
// (ThreadWarnings) and from the normalized fragments (Lower's saves).
struct Liveness {
    enum Event: Equatable {
        case read(String)
        case write(String)
        case suspend(Int)
        case loopStart
        case loopEnd
    }

    private let events: [Event]
    /// Variable names, indexed; the sets below are bitsets over these indices
    /// (`words` UInt64s per event, flattened): the fixed point touches every
    /// event several times, and word operations keep it linear in practice.
    private let names: [String]
    private let words: Int
    private var liveOut: [UInt64]
    /// Event index of each suspend point.
    private var suspendAt: [Int: Int] = [:]

    init(events: [Event]) {
        self.events = events
        var index: [String: Int] = [:]
        var names: [String] = []
        let variable: [Int?] = events.map { event in
            switch event {
            case .read(let v), .write(let v):
                if let i = index[v] { return i }
                index[v] = names.count
                names.append(v)
                return names.count - 1
            default:
                return nil
            }
        }
        self.names = names
        let words = max(1, (names.count + 63) / 64)
        self.words = words
        var liveOut = [UInt64](repeating: 0, count: events.count * words)
        var liveIn = liveOut
        let successors = Liveness.successors(events)
        var out = [UInt64](repeating: 0, count: words)
        var changed = true
        while changed {
            changed = false
            for i in events.indices.reversed() {
                for w in 0..<words { out[w] = 0 }
                for s in successors[i] {
                    for w in 0..<words { out[w] |= liveIn[s * words + w] }
                }
                for w in 0..<words {
                    var into = out[w]
                    if let v = variable[i], v / 64 == w {
                        if case .read = events[i] { into |= 1 << UInt64(v % 64) } else { into &= ~(1 << UInt64(v % 64)) }
                    }
                    if out[w] != liveOut[i * words + w] || into != liveIn[i * words + w] {
                        liveOut[i * words + w] = out[w]
                        liveIn[i * words + w] = into
                        changed = true
                    }
                }
            }
        }
        self.liveOut = liveOut
        for (i, event) in events.enumerated() {
            if case .suspend(let id) = event, suspendAt[id] == nil { suspendAt[id] = i }
        }
    }

    /// Variables whose value at suspend point `id` is read after it.
    func liveAcross(suspend id: Int) -> Set<String> {
        guard let i = suspendAt[id] else { return [] }
        var live: Set<String> = []
        for (v, name) in names.enumerated() where liveOut[i * words + v / 64] & (1 << UInt64(v % 64)) != 0 {
            live.insert(name)
        }
        return live
    }

    private static func successors(_ events: [Event]) -> [[Int]] {
        var result = events.indices.map { $0 + 1 < events.count ? [$0 + 1] : [] }
        var open: [Int] = []
        for (i, event) in events.enumerated() {
            switch event {
            case .loopStart:
                open.append(i)
            case .loopEnd:
                guard let start = open.popLast() else { continue }
                result[i].append(start)                 // next iteration
                if i + 1 < events.count { result[start].append(i + 1) }   // zero iterations
            default:
                break
            }
        }
        return result
    }
}
