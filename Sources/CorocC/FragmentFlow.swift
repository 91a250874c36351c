// Adapter: a normalized coroutine's fragments → CorocCore's FlowGraph, for
// Lower's choice of register locals to save at each suspension.
//
// In:  NormalizedCoroutine.fragments, the register locals' names, and the
//      user labels with their lines.
// Out: a FlowGraph with one block per fragment (in order, each falling through
//      to the next) and a suspend item per state number k (1, 2, ... in
//      fragment order, as Lower numbers them); uses are the register names a
//      fragment mentions.  Mentions are never taken as defs, so liveness is a
//      superset of the true one; the "call again" operation is a use after its
//      suspension (it is evaluated again on resumption).
//
// Edges beyond fall-through: a loop's end flows back to its start and its start
// may skip past the end (zero iterations); a `goto L` to a user label flows to
// the fragment holding `L:`.  Branches, switch, break and forward jumps need no
// edge of their own: with no defs, falling through to everything after is a
// superset.  A backward goto is the one jump that reaches code the order does
// not show.  Its target is the `L:;` fragment Normalize emits for a label it
// lowers; a label kept inside copied text is found by line: the latest fragment
// that starts at or before the label's line (its text may span the label), so
// the edge lands at or before the label, never after it.
import CorocCore

enum FragmentFlow {
    static func graph(_ fragments: [Fragment], registers: Set<String>, labelLines: [String: Int]) -> FlowGraph {
        var graph = FlowGraph(blocks: fragments.indices.map { i in
            FlowGraph.Block(items: [], successors: i + 1 < fragments.count ? [i + 1] : [])
        })
        func uses(_ text: String) -> FlowGraph.Item {
            FlowGraph.Item(uses: Lower.registerIdentifiers(in: text).intersection(registers))
        }
        var state = 0
        var open: [Int] = []
        for (i, fragment) in fragments.enumerated() {
            switch fragment {
            case .code(let text, _):
                graph.blocks[i].items = [uses(text)]
                for label in gotoTargets(text) {
                    guard let target = labelFragment(label, fragments, labelLines) else { continue }
                    graph.blocks[i].successors.insert(target)
                }
            case .suspend(let s):
                state += 1
                graph.blocks[i].items = [.suspend(state), uses(s.operation)]
            case .check:
                state += 1
                graph.blocks[i].items = [.suspend(state)]
            case .headerLabel:
                break   // a resume label before a loop statement: no uses, falls through to the loop
            case .loopStart:
                open.append(i)
            case .loopEnd:
                guard let start = open.popLast() else { continue }
                graph.blocks[i].successors.insert(start)                                   // next iteration
                if i + 1 < fragments.count { graph.blocks[start].successors.insert(i + 1) }   // zero iterations
            }
        }
        return graph
    }

    /// Labels named by `goto NAME` in a piece of C text.
    static func gotoTargets(_ text: String) -> [String] {
        guard text.contains("goto") else { return [] }
        return text.matches(of: /\bgoto\s+([A-Za-z_][A-Za-z0-9_]*)/).map { String($0.output.1) }
    }

    /// The fragment a jump to user label `label` lands at or before (nil: not a
    /// user label, e.g. Normalize's own forward `continue` labels).
    static func labelFragment(_ label: String, _ fragments: [Fragment], _ labelLines: [String: Int]) -> Int? {
        guard let labelLine = labelLines[label] else { return nil }
        if let exact = fragments.firstIndex(where: { if case .code("\(label):;", _) = $0 { true } else { false } }) {
            return exact
        }
        var best = 0
        for (i, fragment) in fragments.enumerated() {
            guard let line = line(fragment) else { continue }
            if line > labelLine { break }
            best = i
        }
        return best
    }

    private static func line(_ fragment: Fragment) -> Int? {
        switch fragment {
        case .code(_, let line): return line
        case .suspend(let s): return s.line
        case .check(let line): return line
        case .loopStart, .loopEnd, .headerLabel: return nil
        }
    }
}
