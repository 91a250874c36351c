// Analysis: which coroutine awaits which, shared by both frontends.
//
// In:  caller name → names of the coroutines it awaits (each frontend collects
//      these from its own AST: C by function name, Swift by qualified name).
// Out: the strongly connected components (Tarjan), so a frontend can tell a
//      recursive await (caller and callee in one cycle, self-awaits included:
//      a fresh frame per call) from the others (a frame embedded in, or kept by,
//      the caller per call site).
//
// Deterministic: nodes and edges are visited in sorted order, so component
// numbers are the same for the same input.
public struct AwaitGraph: Sendable {
    public let edges: [String: Set<String>]
    /// Component index of each node (callers and callees).
    public let component: [String: Int]

    public init(edges: [String: Set<String>]) {
        self.edges = edges
        self.component = AwaitGraph.stronglyConnectedComponents(edges)
    }

    /// Coroutines `caller` awaits.
    public func callees(of caller: String) -> Set<String> { edges[caller] ?? [] }

    /// Does awaiting `callee` from `caller` close a cycle (`callee` can reach
    /// `caller` again through awaits)?  True for a self-await.
    public func isRecursive(_ caller: String, _ callee: String) -> Bool {
        if caller == callee { return true }
        guard let a = component[caller], let b = component[callee] else { return false }
        return a == b
    }

    /// Callees of `caller` that do not lead back to it.
    public func nonRecursiveCallees(of caller: String) -> Set<String> {
        callees(of: caller).filter { !isRecursive(caller, $0) }
    }

    /// Tarjan's algorithm; maps each node to its component's index.
    public static func stronglyConnectedComponents(_ graph: [String: Set<String>]) -> [String: Int] {
        var index = 0, stack: [String] = [], onStack: Set<String> = []
        var indices: [String: Int] = [:], low: [String: Int] = [:], component: [String: Int] = [:]
        var components = 0
        func visit(_ v: String) {
            indices[v] = index; low[v] = index; index += 1
            stack.append(v); onStack.insert(v)
            for w in (graph[v] ?? []).sorted() {
                if indices[w] == nil {
                    visit(w)
                    low[v] = min(low[v]!, low[w]!)
                } else if onStack.contains(w) {
                    low[v] = min(low[v]!, indices[w]!)
                }
            }
            if low[v] == indices[v] {
                while let w = stack.popLast() {
                    onStack.remove(w)
                    component[w] = components
                    if w == v { break }
                }
                components += 1
            }
        }
        for v in graph.keys.sorted() where indices[v] == nil { visit(v) }
        return component
    }
}
