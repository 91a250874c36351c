// TraceModel: reads a CORO_TRACE file (Chrome trace-event JSON, as written by
// Runtime/src/trace.c) into lanes, turns and events.
//
// Input contract (trace.c's header): pid 1; tid = worker id (or 1000 + n for
// other threads); "X" events of cat "run" are a coroutine's turns on a worker
// with args {coro, end, fd?}; "X" of cat "blocking" are blocking-pool jobs;
// "i" events spawn/ready/steal/poll carry args {coro, ...}; ts and dur are
// microseconds since the run began.  Other events (from other tools) are
// ignored; a file without traceEvents is rejected.
// Output: a Trace whose arrays are sorted by start time.

import Foundation

/// One turn of a coroutine on a worker: from RUN to STOP.
public struct TraceTurn: Sendable, Equatable {
    public var lane: Int
    public var start: Double     // µs since the run began
    public var duration: Double  // µs
    public var coroutine: Int
    public var name: String
    public var end: String       // why it stopped: "yield", "fd read", "done", ...
    public var fd: Int?
    public var finish: Double { start + duration }
}

/// A job a blocking-pool thread ran for a coroutine.
public struct TraceJob: Sendable, Equatable {
    public var lane: Int
    public var start: Double
    public var duration: Double
    public var coroutine: Int
}

/// spawn, ready, steal or poll.
public struct TraceMark: Sendable, Equatable {
    public var kind: String
    public var lane: Int
    public var time: Double
    public var coroutine: Int?
    public var early: Bool       // ready: the wake-up came while the task still ran
    public var woken: Int        // poll: tasks the poller handed back
    public var victim: Int?      // steal: the worker stolen from
}

public struct Trace: Sendable {
    public var workers: Int
    public var laneNames: [Int: String]
    public var turns: [TraceTurn]
    public var jobs: [TraceJob]
    public var marks: [TraceMark]
    public var names: [Int: String]   // coroutine id -> name (from spawn)
    public var dropped: Int

    /// Time from the run's start to its last event, µs.
    public var span: Double {
        let a = turns.map(\.finish).max() ?? 0
        let b = jobs.map { $0.start + $0.duration }.max() ?? 0
        let c = marks.map(\.time).max() ?? 0
        return Swift.max(a, b, c)
    }

    /// Worker lanes first (0..n-1), then the other threads that did something.
    public var lanes: [Int] {
        var used = Set(turns.map(\.lane)).union(jobs.map(\.lane))
        for w in 0..<workers { used.insert(w) }
        return used.sorted()
    }

    public func laneName(_ lane: Int) -> String { laneNames[lane] ?? "thread \(lane)" }

    public static func load(_ path: String) throws -> Trace {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DriverError.usage("no such file: \(path)")
        }
        do {
            return try parse(data)
        } catch let e as TraceFormatError {
            throw DriverError.usage("\(path): not a coro trace: \(e.reason)")
        }
    }

    public static func parse(_ data: Data) throws -> Trace {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw TraceFormatError(reason: "invalid JSON")
        }
        guard let object = root as? [String: Any], let events = object["traceEvents"] as? [[String: Any]] else {
            throw TraceFormatError(reason: "no traceEvents array")
        }
        let other = object["otherData"] as? [String: Any]
        var t = Trace(workers: (other?["workers"] as? Int) ?? 0, laneNames: [:], turns: [], jobs: [], marks: [],
                      names: [:], dropped: (other?["dropped"] as? Int) ?? 0)
        for e in events { t.add(e) }
        if t.workers == 0 { t.workers = (t.turns.map(\.lane).filter { $0 < 1000 }.max() ?? -1) + 1 }
        t.turns.sort { ($0.start, $0.lane) < ($1.start, $1.lane) }
        t.jobs.sort { $0.start < $1.start }
        t.marks.sort { $0.time < $1.time }
        return t
    }

    private mutating func add(_ e: [String: Any]) {
        guard let ph = e["ph"] as? String, let name = e["name"] as? String else { return }
        let lane = (e["tid"] as? Int) ?? 0
        let args = (e["args"] as? [String: Any]) ?? [:]
        let ts = number(e["ts"]) ?? 0
        let coroutine = args["coro"] as? Int
        switch ph {
        case "M":
            if name == "thread_name", let n = args["name"] as? String { laneNames[lane] = n }
        case "X":
            let duration = number(e["dur"]) ?? 0
            guard let coroutine else { return }
            if (e["cat"] as? String) == "blocking" {
                jobs.append(TraceJob(lane: lane, start: ts, duration: duration, coroutine: coroutine))
            } else {
                turns.append(TraceTurn(lane: lane, start: ts, duration: duration, coroutine: coroutine, name: name,
                                       end: (args["end"] as? String) ?? "other", fd: args["fd"] as? Int))
                if names[coroutine] == nil { names[coroutine] = name }
            }
        case "i", "I":
            if name == "spawn", let coroutine, let n = args["name"] as? String { names[coroutine] = n }
            marks.append(TraceMark(kind: name, lane: lane, time: ts, coroutine: coroutine,
                                   early: (args["early"] as? Int) == 1, woken: (args["woken"] as? Int) ?? 0,
                                   victim: args["victim"] as? Int))
        default:
            return
        }
    }

    private func number(_ v: Any?) -> Double? {
        if let d = v as? Double { return d }
        if let i = v as? Int { return Double(i) }
        return nil
    }
}

struct TraceFormatError: Error {
    var reason: String
}
