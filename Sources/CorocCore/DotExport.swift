// Graphviz DOT for a coroutine's state graph (`coroc explain --dot`).  One
// node per state labelled with its number, kind and line; the return is the
// node "done".  Output is deterministic: nodes in state order, edges sorted.

public enum DotExport {
    public static func graph(_ report: CoroutineReport) -> String {
        var out = "digraph \"\(escape(report.name))\" {\n"
        out += "  node [shape=box, fontname=\"monospace\"];\n"
        for state in report.states {
            let label = "\(state.number): \(state.kind.rawValue)\\n\(escape(state.what)) (line \(state.line))"
            out += "  s\(state.number) [label=\"\(label)\"];\n"
        }
        out += "  done [shape=doublecircle, label=\"done\"];\n"
        let sorted = report.edges.sorted { ($0.from, $0.to) < ($1.from, $1.to) }
        for edge in sorted {
            out += "  \(node(edge.from)) -> \(node(edge.to));\n"
        }
        out += "}\n"
        return out
    }

    private static func node(_ state: Int) -> String {
        state == CoroutineReport.done ? "done" : "s\(state)"
    }

    private static func escape(_ text: String) -> String { QuotedLiteral.escaped(text) }
}

import Foundation
