// TraceSVG: the timeline picture of `coroc trace --svg` (docs/trace.svg),
// written by hand so no plotting tool is needed.
//
// Input: one or more (title, Trace) panels; all share one time axis (0 to the
// longest span), drawn one above the other (`coroc run --mode both --trace`:
// stackless above stackful).  Each panel has one lane per worker, then one
// per blocking-pool thread that ran a job.  A lane is a band of turns, each
// coloured by its coroutine (hue from the id by the golden angle, so
// neighbours differ), with a strip under it marking why each turn ended
// (legend at the top); steals are black ticks above the band.
// Output: a standalone SVG 1.1 document, deterministic for a given input.
//
// Thousands of turns shorter than a pixel would make a heavy file that looks
// no different, so turns that fall in the same pixel merge into one rect with
// the colour of the coroutine that ran longest in it, and end marks keep one
// per pixel: the rarest kind of reason there (a preemption among fd reads is
// what a reader looks for; `markPriority`).

import Foundation

public enum TraceSVG {
    static let width = 1200.0
    static let left = 130.0, right = 20.0
    static let laneHeight = 18.0, stripHeight = 6.0, laneGap = 8.0
    static var plotWidth: Double { width - left - right }

    /// Reasons in legend order, with their colours.
    static let reasonColors: [(String, String)] = [
        ("fd read", "#1f77b4"), ("fd write", "#17becf"), ("timer", "#bcbd22"), ("chan send", "#9467bd"),
        ("chan recv", "#c39bd3"), ("select", "#8c564b"), ("wait group", "#e377c2"), ("mutex", "#2ca02c"),
        ("blocking pool", "#ff7f0e"), ("preempt", "#d62728"), ("yield", "#9a9a9a"), ("other", "#333333"),
    ]

    public static func render(_ panels: [(title: String, trace: Trace)]) -> String {
        let span = Swift.max(panels.map(\.trace.span).max() ?? 0, 1)
        var body = ""
        var y = 64.0
        for panel in panels {
            body += renderPanel(panel.title, panel.trace, span: span, top: y)
            y += panelHeight(panel.trace) + 18
        }
        body += axis(span: span, top: y - 10)
        let height = y + 30
        var svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" "
        svg += "viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"11\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        svg += "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">coroc trace: turns per worker, coloured by coroutine</text>\n"
        svg += legend(top: 30)
        svg += body
        svg += "</svg>\n"
        return svg
    }

    static func panelHeight(_ t: Trace) -> Double {
        20 + Double(t.lanes.count) * (laneHeight + stripHeight + laneGap)
    }

    static func x(_ us: Double, _ span: Double) -> Double { left + us / span * plotWidth }

    static func renderPanel(_ title: String, _ t: Trace, span: Double, top: Double) -> String {
        let summary = TraceSummary(t)
        var s = "<g class=\"panel\">\n"
        s += "<text x=\"10\" y=\"\(f(top + 12))\" font-size=\"13\" font-weight=\"bold\">\(esc(title))</text>\n"
        let busy = summary.workers.filter { $0.lane < 1000 }
            .map { String(format: "%.0f%%", summary.span > 0 ? 100 * $0.busy / summary.span : 0) }
        // after the title (bold 13 px: ~8 px a character), at least at a fixed column
        let infoX = Swift.max(left + 160, 10 + Double(title.count) * 8 + 16)
        s += "<text x=\"\(f(infoX))\" y=\"\(f(top + 12))\" fill=\"#555555\">\(summary.coroutines.count) coroutines, "
        s += "\(summary.coroutines.reduce(0) { $0 + $1.switches }) turns, \(esc(TraceSummary.time(summary.span))); "
        s += "workers busy \(busy.joined(separator: " / "))</text>\n"
        var y = top + 20
        for lane in t.lanes {
            s += "<text x=\"10\" y=\"\(f(y + laneHeight - 5))\">\(esc(t.laneName(lane)))</text>\n"
            s += "<rect x=\"\(f(left))\" y=\"\(f(y))\" width=\"\(f(x(t.span, span) - left))\" height=\"\(f(laneHeight))\" fill=\"#f2f2f2\"/>\n"
            s += laneBand(t, lane: lane, span: span, top: y)
            s += endStrip(t, lane: lane, span: span, top: y + laneHeight)
            s += steals(t, lane: lane, span: span, top: y)
            y += laneHeight + stripHeight + laneGap
        }
        return s + "</g>\n"
    }

    /// A run of turns merged into one rect.
    struct Block {
        var x0: Double, x1: Double
        var time: [Int: Double]   // coroutine -> µs in this block
        var title: String?        // tooltip, kept only for a block of one turn
    }

    static func laneBand(_ t: Trace, lane: Int, span: Double, top: Double) -> String {
        var pieces: [(x0: Double, x1: Double, coroutine: Int, us: Double, title: String)] = []
        for turn in t.turns where turn.lane == lane {
            let fd = turn.fd.map { " fd \($0)" } ?? ""
            pieces.append((x(turn.start, span), x(turn.finish, span), turn.coroutine, turn.duration,
                           "\(turn.name)#\(turn.coroutine): \(TraceSummary.time(turn.duration)), then \(turn.end)\(fd)"))
        }
        for job in t.jobs where job.lane == lane {
            let name = t.names[job.coroutine] ?? "coroutine"
            pieces.append((x(job.start, span), x(job.start + job.duration, span), job.coroutine, job.duration,
                           "\(name)#\(job.coroutine): blocking job, \(TraceSummary.time(job.duration))"))
        }
        var blocks: [Block] = []
        for p in pieces {
            if var last = blocks.last, p.x0 < floor(last.x1) + 1, p.x1 - p.x0 < 1 || last.x1 - last.x0 < 1 {
                last.x1 = Swift.max(last.x1, p.x1)
                last.time[p.coroutine, default: 0] += p.us
                last.title = nil
                blocks[blocks.count - 1] = last
            } else {
                blocks.append(Block(x0: p.x0, x1: p.x1, time: [p.coroutine: p.us], title: p.title))
            }
        }
        var s = ""
        for b in blocks {
            let main = b.time.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
            let w = Swift.max(b.x1 - b.x0, 0.8)
            s += "<rect x=\"\(f(b.x0))\" y=\"\(f(top))\" width=\"\(f(w))\" height=\"\(f(laneHeight))\" fill=\"\(color(main))\""
            if let title = b.title { s += "><title>\(esc(title))</title></rect>\n" } else { s += "/>\n" }
        }
        return s
    }

    static func endStrip(_ t: Trace, lane: Int, span: Double, top: Double) -> String {
        var perPixel: [Int: [String: Int]] = [:]
        for turn in t.turns where turn.lane == lane && turn.end != "done" {
            let px = Int(x(turn.finish, span))
            perPixel[px, default: [:]][turn.end, default: 0] += 1
        }
        var s = ""
        for (px, counts) in perPixel.sorted(by: { $0.key < $1.key }) {
            let reason = counts.keys.min { (markPriority[$0] ?? 99, $0) < (markPriority[$1] ?? 99, $1) }!
            s += "<rect x=\"\(px)\" y=\"\(f(top + 0.5))\" width=\"2\" height=\"\(f(stripHeight))\" fill=\"\(reasonColor(reason))\"/>\n"
        }
        return s
    }

    static func steals(_ t: Trace, lane: Int, span: Double, top: Double) -> String {
        var seen = Set<Int>()
        var s = ""
        for m in t.marks where m.kind == "steal" && m.lane == lane {
            let px = Int(x(m.time, span))
            if !seen.insert(px).inserted { continue }
            s += "<path d=\"M\(px - 3) \(f(top - 4)) h6 l-3 4 z\" fill=\"#000000\"/>\n"
        }
        return s
    }

    static func legend(top: Double) -> String {
        var s = ""
        var lx = 10.0
        for (reason, colour) in reasonColors {
            s += "<rect x=\"\(f(lx))\" y=\"\(f(top))\" width=\"10\" height=\"10\" fill=\"\(colour)\"/>"
            s += "<text x=\"\(f(lx + 14))\" y=\"\(f(top + 9))\">\(esc(reason))</text>\n"
            lx += 22 + Double(reason.count) * 6.4
        }
        s += "<path d=\"M\(f(lx + 2)) \(f(top + 1)) h8 l-4 6 z\" fill=\"#000000\"/>"
        s += "<text x=\"\(f(lx + 14))\" y=\"\(f(top + 9))\">steal</text>\n"
        s += "<text x=\"10\" y=\"\(f(top + 24))\" fill=\"#555555\">strip under each lane: why each turn ended "
        s += "(park reason, yield, preemption); bands: one colour per coroutine (hover for its name)</text>\n"
        return s
    }

    static func axis(span: Double, top: Double) -> String {
        let step = niceStep(span / 8)
        var s = "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(top))\" stroke=\"#000000\"/>\n"
        var v = 0.0
        while v <= span + step * 0.001 {
            let px = x(v, span)
            s += "<line x1=\"\(f(px))\" y1=\"\(f(top))\" x2=\"\(f(px))\" y2=\"\(f(top + 5))\" stroke=\"#000000\"/>"
            s += "<text x=\"\(f(px))\" y=\"\(f(top + 17))\" text-anchor=\"middle\">\(esc(TraceSummary.time(v)))</text>\n"
            v += step
        }
        return s
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0 else { return 1 }
        let p = pow(10, floor(log10(raw)))
        for m in [1.0, 2.0, 5.0, 10.0] where m * p >= raw { return m * p }
        return 10 * p
    }

    /// Which end mark wins a pixel: lower first (rare and telling before common).
    static let markPriority: [String: Int] = Dictionary(uniqueKeysWithValues: [
        "preempt", "blocking pool", "mutex", "wait group", "select", "chan send", "chan recv", "timer",
        "fd write", "fd read", "other", "yield",
    ].enumerated().map { ($1, $0) })

    static func reasonColor(_ reason: String) -> String {
        reasonColors.first { $0.0 == reason }?.1 ?? "#333333"
    }

    /// Hue by the golden angle from the id; fixed saturation and lightness.
    static func color(_ id: Int) -> String {
        let h = (Double(id) * 137.508).truncatingRemainder(dividingBy: 360) / 60
        let s = 0.50, l = 0.76   // pastel, so the saturated end marks stand out
        let c = (1 - abs(2 * l - 1)) * s
        let xx = c * (1 - abs(h.truncatingRemainder(dividingBy: 2) - 1))
        let (r, g, b): (Double, Double, Double)
        switch Int(h) {
        case 0: (r, g, b) = (c, xx, 0)
        case 1: (r, g, b) = (xx, c, 0)
        case 2: (r, g, b) = (0, c, xx)
        case 3: (r, g, b) = (0, xx, c)
        case 4: (r, g, b) = (xx, 0, c)
        default: (r, g, b) = (c, 0, xx)
        }
        let m = l - c / 2
        func hex(_ v: Double) -> String { String(format: "%02x", Int(((v + m) * 255).rounded())) }
        return "#" + hex(r) + hex(g) + hex(b)
    }

    static func f(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
