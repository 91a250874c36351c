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
// frontend builds a fresh one from the original body of each coroutine.
struct Liveness {
    enum Event: Equatable {
        case read(String)
        case write(String)
        case suspend(Int)
        case loopStart
        case loopEnd
    }

    private let events: [Event]
    private var liveOut: [Set<String>]

    init(events: [Event]) {
        self.events = events
        liveOut = Array(repeating: [], count: events.count)
        let successors = Liveness.successors(events)
        var liveIn = Array(repeating: Set<String>(), count: events.count)
        var changed = true
        while changed {
            changed = false
            for i in events.indices.reversed() {
                var out = Set<String>()
                for s in successors[i] { out.formUnion(liveIn[s]) }
                var into = out
                switch events[i] {
                case .read(let v): into.insert(v)
                case .write(let v): into.remove(v)
                default: break
                }
                if out != liveOut[i] || into != liveIn[i] {
                    liveOut[i] = out
                    liveIn[i] = into
                    changed = true
                }
            }
        }
    }

    /// Variables whose value at suspend point `id` is read after it.
    func liveAcross(suspend id: Int) -> Set<String> {
        guard let i = events.firstIndex(of: .suspend(id)) else { return [] }
        return liveOut[i]
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
