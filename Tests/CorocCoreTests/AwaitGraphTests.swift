// The shared await call graph: recursion = caller and callee in one cycle.
import CorocCore
import Testing

@Test func selfAwaitIsRecursive() {
    let g = AwaitGraph(edges: ["fib": ["fib"]])
    #expect(g.isRecursive("fib", "fib"))
    #expect(g.nonRecursiveCallees(of: "fib").isEmpty)
}

@Test func mutualAwaitIsRecursiveButAChainIsNot() {
    // even <-> odd form a cycle; main -> even -> leaf: main's and even's leaf awaits are not recursive.
    let g = AwaitGraph(edges: ["main": ["even"], "even": ["odd", "leaf"], "odd": ["even"], "leaf": []])
    #expect(g.isRecursive("even", "odd"))
    #expect(g.isRecursive("odd", "even"))
    #expect(!g.isRecursive("main", "even"))
    #expect(!g.isRecursive("even", "leaf"))
    #expect(g.nonRecursiveCallees(of: "even") == ["leaf"])
    #expect(g.nonRecursiveCallees(of: "main") == ["even"])
}

@Test func longCycleIsOneComponent() {
    let g = AwaitGraph(edges: ["a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]])
    #expect(g.component["a"] == g.component["c"])
    #expect(g.component["d"] != g.component["a"])
    #expect(g.isRecursive("c", "a"))
    #expect(!g.isRecursive("d", "a"))
}

@Test func unknownNamesAreNotRecursive() {
    let g = AwaitGraph(edges: ["a": ["b"]])
    #expect(!g.isRecursive("a", "zzz"))
    #expect(g.callees(of: "zzz").isEmpty)
}

@Test func componentsAreDeterministic() {
    let edges: [String: Set<String>] = ["x": ["y"], "y": ["x", "z"], "z": []]
    #expect(AwaitGraph(edges: edges).component == AwaitGraph(edges: edges).component)
}
