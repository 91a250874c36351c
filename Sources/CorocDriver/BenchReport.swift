// BenchReport: turns BenchRunner's samples into the outputs of `coroc bench` —
// the text table on stdout, bench.json, the SVG chart and the results section
// of docs/benchmarks.md (between the marker comments below).
//
// Every figure is a median over the rounds with its min..max; ratios are
// median / median of the same run.  Nothing here measures or runs anything.

import Foundation

public struct BenchStats: Sendable {
    public var median: Double
    public var min: Double
    public var max: Double
    public var count: Int

    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        count = s.count
        median = s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        min = s[0]
        max = s[s.count - 1]
    }
}

public struct BenchVerdict: Sendable {
    public var target: BenchTarget
    public var subject: String?        // the measurement judged (first of target.subjects with samples)
    public var value: Double?          // the ratio, or the metric itself for absolute targets
    public var met: Bool?              // nil when a side is unavailable
}

public struct BenchMachine: Sendable {
    public var date: String
    public var cores: Int
    public var cpu: String

    public static func current() -> BenchMachine {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        var cpu = "unknown CPU"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            cpu = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return BenchMachine(date: f.string(from: Date()), cores: ProcessInfo.processInfo.activeProcessorCount, cpu: cpu)
    }
}

public struct BenchReport {
    public var plan: BenchPlan
    public var outcomes: [String: BenchOutcome]
    public var runs: Int
    public var machine: BenchMachine

    public static let beginMarker = "<!-- bench:results:begin (written by `coroc bench`; edits here are overwritten) -->"
    public static let endMarker = "<!-- bench:results:end -->"

    func stats(_ id: String, _ metric: String) -> BenchStats? {
        BenchStats(outcomes[id]?.samples[metric] ?? [])
    }

    func label(_ id: String) -> String {
        plan.measurements.first { $0.id == id }?.label ?? id
    }

    public var verdicts: [BenchVerdict] {
        plan.targets.map { t in
            guard let subject = t.subjects.first(where: { stats($0, t.metric) != nil }),
                  let s = stats(subject, t.metric) else {
                return BenchVerdict(target: t, subject: nil, value: nil, met: nil)
            }
            var value = s.median
            if let r = t.reference {
                guard let ref = stats(r, t.metric), ref.median > 0 else {
                    return BenchVerdict(target: t, subject: subject, value: nil, met: nil)
                }
                value = s.median / ref.median
            }
            let met = t.bound == .atMost ? value <= t.limit : value >= t.limit
            return BenchVerdict(target: t, subject: subject, value: value, met: met)
        }
    }

    static func format(_ v: Double) -> String {
        let a = abs(v)
        if a >= 10_000 { return String(format: "%.0f", v) }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 10 { return String(format: "%.1f", v) }
        return String(format: "%.2f", v)
    }

    /// The results as Markdown: machine line, one table per row of the plan, targets.
    public func markdown() -> String {
        var out = "Measured \(machine.date) on \(machine.cores) cores (\(machine.cpu)), "
        out += "\(runs) interleaved runs; median [min..max].\n\n"
        out += "| scenario | variant | median | min..max | vs reference |\n|---|---|---|---|---|\n"
        for row in plan.rows {
            let ref = row.reference.flatMap { stats($0, row.metric) }
            for (i, id) in row.entries.enumerated() {
                let title = i == 0 ? "\(row.title) (\(row.unit), \(row.lowerIsBetter ? "lower" : "higher") is better)" : ""
                guard let s = stats(id, row.metric) else {
                    let why = outcomes[id]?.unavailable ?? "no value"
                    out += "| \(title) | \(label(id)) | — | unavailable: \(why.replacingOccurrences(of: "|", with: "/")) | |\n"
                    continue
                }
                var ratio = ""
                if let ref, ref.median != 0, row.reference != id {
                    ratio = Self.format(s.median / ref.median) + "x " + label(row.reference!)
                } else if row.reference == id {
                    ratio = "reference"
                }
                out += "| \(title) | \(label(id)) | \(Self.format(s.median)) | \(Self.format(s.min))..\(Self.format(s.max)) | \(ratio) |\n"
            }
        }
        out += "\n| target (issue 7) | measured | met |\n|---|---|---|\n"
        for v in verdicts {
            // Three significant digits: a ratio of 0.104 must not print as the 0.10 it misses.
            let unit = plan.rows.first { $0.metric == v.target.metric }?.unit ?? ""
            var shown = v.value.map {
                v.target.reference == nil ? Self.format($0) + " " + unit : String(format: "%.3g", $0) + "x"
            } ?? "—"
            if let used = v.subject, used != v.target.subjects.first, v.value != nil {
                shown += " (\(label(used)): \(v.target.subjects[0]) unavailable)"
            }
            let met = v.met.map { $0 ? "yes" : "**no**" } ?? "not measured"
            out += "| \(v.target.text) | \(shown) | \(met) |\n"
        }
        return out
    }

    /// Plain text for the terminal: the same content as the Markdown.
    public func text() -> String { markdown() }

    public func json() throws -> String {
        var ms: [String: Any] = [:]
        for m in plan.measurements {
            var entry: [String: Any] = ["label": m.label, "side": m.side.rawValue, "argv": m.argv,
                                        "environment": m.environment]
            if let why = outcomes[m.id]?.unavailable { entry["unavailable"] = why }
            var metrics: [String: Any] = [:]
            for (metric, values) in outcomes[m.id]?.samples ?? [:] {
                if let s = BenchStats(values) {
                    metrics[metric] = ["samples": values, "median": s.median, "min": s.min, "max": s.max]
                }
            }
            entry["metrics"] = metrics
            ms[m.id] = entry
        }
        let targets: [[String: Any]] = verdicts.map { v in
            var d: [String: Any] = ["target": v.target.text, "metric": v.target.metric,
                                    "subject": v.subject ?? v.target.subjects[0],
                                    "bound": v.target.bound.rawValue, "limit": v.target.limit]
            if let r = v.target.reference { d["reference"] = r }
            if let value = v.value { d["value"] = value }
            if let met = v.met { d["met"] = met }
            return d
        }
        let root: [String: Any] = ["date": machine.date, "cores": machine.cores, "cpu": machine.cpu, "runs": runs,
                                   "measurements": ms, "targets": targets]
        let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Replaces the section between the markers of `doc` (appends one when absent).
    public static func updateDocument(_ doc: String, results: String) -> String {
        let section = "\(beginMarker)\n\(results)\(endMarker)"
        if let b = doc.range(of: beginMarker), let e = doc.range(of: endMarker, range: b.upperBound..<doc.endIndex) {
            return doc.replacingCharacters(in: b.lowerBound..<e.upperBound, with: section)
        }
        return doc + (doc.hasSuffix("\n") || doc.isEmpty ? "" : "\n") + "\n## Results\n\n" + section + "\n"
    }
}
