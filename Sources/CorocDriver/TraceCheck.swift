// TraceCheck: is a trace a possible history of the scheduler?  Used by
// `coroc trace --check` and the tests.
//
// Rules (task.h's protocol seen from outside):
//   - per coroutine: spawn, then turns; a turn that ends in a park (any end
//     but yield, preempt, done) is followed by exactly one ready before its
//     next turn; a ready comes only after a park; nothing follows "done";
//     at the end of the run every coroutine is done (coro_run_main returns
//     only when no task is left);
//   - per lane: turns do not overlap.
// Output: the problems found, at most `limit`, each naming the coroutine
// and the time; empty when the trace is valid.

import Foundation

public enum TraceCheck {
    private enum State { case runnable, running, parked(String), done }

    public static func problems(_ trace: Trace, limit: Int = 20) -> [String] {
        var out: [String] = []
        func report(_ s: String) { if out.count < limit { out.append(s) } }

        // (time, order, what): order breaks ties so a turn's end precedes the
        // ready that an early wake-up writes at the same instant.
        // Times in whole ns: the file's µs have 3 decimals, and start + dur in
        // floating point may miss the ready stamped at the same ns.
        func ns(_ us: Double) -> Int64 { Int64((us * 1000).rounded()) }
        var events: [Int: [(Int64, Int, String, String)]] = [:]   // time, order, kind, detail
        for m in trace.marks {
            guard let c = m.coroutine, m.kind == "spawn" || m.kind == "ready" else { continue }
            events[c, default: []].append((ns(m.time), m.kind == "spawn" ? 0 : 2, m.kind, ""))
        }
        for t in trace.turns {
            events[t.coroutine, default: []].append((ns(t.start), 3, "run", ""))
            events[t.coroutine, default: []].append((ns(t.start) + ns(t.duration), 1, "stop", t.end))
        }
        for (c, list) in events.sorted(by: { $0.key < $1.key }) {
            let name = "\(trace.names[c] ?? "coroutine")#\(c)"
            var state = State.runnable
            for (time, _, kind, detail) in list.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
                let at = TraceSummary.time(Double(time) / 1000)
                switch (state, kind) {
                case (.runnable, "spawn"): break
                case (.runnable, "run"): state = .running
                case (.running, "stop"):
                    state = TraceSummary.notParks.contains(detail) ? (detail == "done" ? .done : .runnable) : .parked(detail)
                case (.parked, "ready"): state = .runnable
                case (.parked(let why), "run"): report("\(name) at \(at): runs again after parking on \(why) without a ready")
                    state = .running
                case (.runnable, "ready"): report("\(name) at \(at): ready while not parked (double wake-up)")
                case (.done, _): report("\(name) at \(at): \(kind) after it ended")
                default: report("\(name) at \(at): \(kind) while \(state)")
                }
            }
            switch state {
            case .done: break
            case .parked(let why): report("\(name): still parked on \(why) when the run ended")
            case .runnable, .running: report("\(name): not done when the run ended")
            }
        }
        var byLane: [Int: [TraceTurn]] = [:]
        for t in trace.turns { byLane[t.lane, default: []].append(t) }
        for (lane, turns) in byLane.sorted(by: { $0.key < $1.key }) {
            for (a, b) in zip(turns, turns.dropFirst()) where b.start < a.finish - 0.0005 {
                report("\(trace.laneName(lane)) at \(TraceSummary.time(b.start)): turns of #\(a.coroutine) and #\(b.coroutine) overlap")
            }
        }
        return out
    }
}
