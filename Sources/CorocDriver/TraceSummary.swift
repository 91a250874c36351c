// TraceSummary: the terminal report of `coroc trace` — per worker its
// utilisation, turns and steals; per coroutine its running time, number of
// switches and time parked by reason.  Input: a Trace (TraceModel.swift).
//
// A coroutine is "parked" from a turn that ended in a park (anything but
// yield, preempt and done) to its ready event; "runnable" from its ready (or
// its yield, or its spawn) to its next turn.

import Foundation

public struct CoroutineStats: Sendable {
    public var id: Int
    public var name: String
    public var running = 0.0                    // µs
    public var runnable = 0.0                   // µs waiting in a run queue
    public var parked: [String: Double] = [:]   // reason -> µs
    public var parks: [String: Int] = [:]       // reason -> count
    public var switches = 0                     // turns
    public var parkedTotal: Double { parked.values.reduce(0, +) }
}

public struct WorkerStats: Sendable {
    public var lane: Int
    public var name: String
    public var busy = 0.0       // µs running coroutines (or jobs, for pool threads)
    public var turns = 0
    public var steals = 0
    public var polls = 0
}

public struct TraceSummary: Sendable {
    public var span: Double
    public var workers: [WorkerStats]
    public var coroutines: [CoroutineStats]   // by running time, longest first
    public var dropped: Int

    /// Reasons a turn can end without parking.
    static let notParks: Set<String> = ["yield", "preempt", "done"]

    public init(_ trace: Trace) {
        span = trace.span
        dropped = trace.dropped
        var byLane: [Int: WorkerStats] = [:]
        for lane in trace.lanes { byLane[lane] = WorkerStats(lane: lane, name: trace.laneName(lane)) }
        var stats: [Int: CoroutineStats] = [:]
        func entry(_ id: Int) -> CoroutineStats {
            stats[id] ?? CoroutineStats(id: id, name: trace.names[id] ?? "coroutine")
        }
        // Per coroutine, its turns and marks in time order.
        var timeline: [Int: [(time: Double, order: Int, turn: TraceTurn?, mark: TraceMark?)]] = [:]
        for turn in trace.turns {
            byLane[turn.lane, default: WorkerStats(lane: turn.lane, name: trace.laneName(turn.lane))].busy += turn.duration
            byLane[turn.lane]!.turns += 1
            timeline[turn.coroutine, default: []].append((turn.start, 2, turn, nil))
        }
        for job in trace.jobs {
            byLane[job.lane, default: WorkerStats(lane: job.lane, name: trace.laneName(job.lane))].busy += job.duration
        }
        for mark in trace.marks {
            if mark.kind == "steal" { byLane[mark.lane]?.steals += 1 }
            if mark.kind == "poll" { byLane[mark.lane]?.polls += 1 }
            if let c = mark.coroutine, mark.kind == "ready" || mark.kind == "spawn" {
                timeline[c, default: []].append((mark.time, mark.kind == "spawn" ? 0 : 1, nil, mark))
            }
        }
        for (id, events) in timeline {
            var s = entry(id)
            var waitingSince: Double? = nil         // runnable since
            var parkedSince: (Double, String)? = nil
            for e in events.sorted(by: { ($0.time, $0.order) < ($1.time, $1.order) }) {
                if let turn = e.turn {
                    if let w = waitingSince { s.runnable += turn.start - w }
                    s.running += turn.duration
                    s.switches += 1
                    if TraceSummary.notParks.contains(turn.end) {
                        waitingSince = turn.end == "done" ? nil : turn.finish
                        parkedSince = nil
                    } else {
                        waitingSince = nil
                        parkedSince = (turn.finish, turn.end)
                        s.parks[turn.end, default: 0] += 1
                    }
                } else if e.mark?.kind == "spawn" {
                    waitingSince = e.time
                } else if let (since, reason) = parkedSince {
                    s.parked[reason, default: 0] += Swift.max(0, e.time - since)
                    parkedSince = nil
                    waitingSince = e.time
                }
            }
            stats[id] = s
        }
        workers = byLane.values.sorted { $0.lane < $1.lane }
        coroutines = stats.values.sorted { ($0.running, $1.id) > ($1.running, $0.id) }
    }

    /// The report, for a terminal (80 columns).  `title` names the run.
    public func text(title: String, maxCoroutines: Int = 12) -> String {
        var out = "\(title): \(workers.filter { $0.lane < 1000 }.count) workers, \(TraceSummary.time(span)), "
        out += "\(coroutines.count) coroutines, \(coroutines.reduce(0) { $0 + $1.switches }) turns"
        out += dropped > 0 ? " (\(dropped) events dropped)\n" : "\n"
        out += "  lane               busy      util   turns  steals  polls\n"
        for w in workers {
            let util = span > 0 ? 100 * w.busy / span : 0
            out += "  " + pad(w.name, 16) + lpad(TraceSummary.time(w.busy), 9) + lpad(String(format: "%.1f%%", util), 9)
            out += lpad("\(w.turns)", 8) + lpad("\(w.steals)", 8) + lpad("\(w.polls)", 7) + "\n"
        }
        out += "  coroutine                running  runnable  turns  parked by reason\n"
        for c in coroutines.prefix(maxCoroutines) {
            out += "  " + pad("\(c.name)#\(c.id)", 22) + lpad(TraceSummary.time(c.running), 9)
            out += lpad(TraceSummary.time(c.runnable), 10) + lpad("\(c.switches)", 7) + "  " + reasons(c) + "\n"
        }
        if coroutines.count > maxCoroutines {
            let rest = coroutines.dropFirst(maxCoroutines)
            var all = CoroutineStats(id: 0, name: "")
            for c in rest {
                all.running += c.running
                all.runnable += c.runnable
                all.switches += c.switches
                for (r, v) in c.parked { all.parked[r, default: 0] += v }
                for (r, n) in c.parks { all.parks[r, default: 0] += n }
            }
            out += "  " + pad("(\(rest.count) more)", 22) + lpad(TraceSummary.time(all.running), 9)
            out += lpad(TraceSummary.time(all.runnable), 10) + lpad("\(all.switches)", 7) + "  " + reasons(all) + "\n"
        }
        return out
    }

    private func reasons(_ c: CoroutineStats) -> String {
        if c.parks.isEmpty { return "-" }
        return c.parks.keys.sorted().map { "\($0) \(TraceSummary.time(c.parked[$0] ?? 0)) x\(c.parks[$0]!)" }
            .joined(separator: ", ")
    }

    /// µs as a short human time: 850 ns, 12.3 µs, 4.56 ms, 1.23 s.
    public static func time(_ us: Double) -> String {
        if us < 1 { return String(format: "%.0f ns", us * 1000) }
        if us < 1000 { return String(format: "%.1f us", us) }
        if us < 1_000_000 { return String(format: "%.2f ms", us / 1000) }
        return String(format: "%.2f s", us / 1_000_000)
    }

    private func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? String(s.prefix(n - 1)) + " " : s + String(repeating: " ", count: n - s.count)
    }

    private func lpad(_ s: String, _ n: Int) -> String {
        s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s
    }
}
