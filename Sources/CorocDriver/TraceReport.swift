// TraceReport: what `coroc trace` and `coroc run --trace` print and draw.
// Input: trace files, each with a title (a mode name, or the file's name).
// Output: the summaries as one text; the SVG written atomically if asked;
// with `check`, TraceCheck's problems per file.

import Foundation

public enum TraceReport {
    public struct Result: Sendable {
        public var text: String
        public var problems: [String]   // "title: problem", empty when every trace is valid
    }

    public static func run(_ inputs: [(title: String, path: String)], svgPath: String?, check: Bool) throws -> Result {
        var traces: [(title: String, trace: Trace)] = []
        for input in inputs { traces.append((input.title, try Trace.load(input.path))) }
        var text = ""
        var problems: [String] = []
        for (title, trace) in traces {
            if !text.isEmpty { text += "\n" }
            text += TraceSummary(trace).text(title: title)
            if check { problems += TraceCheck.problems(trace).map { "\(title): \($0)" } }
        }
        if let svgPath {
            try FileIO.writeAtomically(bytes: Array(TraceSVG.render(traces).utf8), to: svgPath)
        }
        return Result(text: text, problems: problems)
    }
}
