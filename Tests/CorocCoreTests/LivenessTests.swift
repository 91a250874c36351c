// The one liveness solver on hand-built flow graphs, apart from any frontend.
import CorocCore
import Testing

private typealias Item = FlowGraph.Item
private typealias Block = FlowGraph.Block

private func straight(_ items: [Item]) -> FlowGraph { FlowGraph(blocks: [Block(items: items)]) }

@Test func valueReadAfterSuspendIsLive() {
    let l = Liveness(straight([Item(defs: ["a"]), Item(defs: ["b"]), .suspend(0), Item(uses: ["a"]),
                               Item(defs: ["b"]), Item(uses: ["b"])]))
    #expect(l.liveAcross(suspend: 0) == ["a"])
}

@Test func valueOverwrittenAfterSuspendIsDead() {
    let l = Liveness(straight([Item(defs: ["x"]), .suspend(0), Item(defs: ["x"]), Item(uses: ["x"])]))
    #expect(l.liveAcross(suspend: 0).isEmpty)
    #expect(l.liveAcross(suspend: 7).isEmpty)   // unknown suspend point
}

@Test func useAndDefInOneItemReadsFirst() {
    // `x = x + 1` after the suspension reads the old x.
    let l = Liveness(straight([.suspend(0), Item(uses: ["x"], defs: ["x"])]))
    #expect(l.liveAcross(suspend: 0) == ["x"])
}

@Test func loopBackEdgeCarriesValues() {
    // x = ..; y = ..; loop { read x; suspend; x = .. }; read y
    let g = FlowGraph(blocks: [
        Block(items: [Item(defs: ["x"]), Item(defs: ["y"])], successors: [1]),
        Block(items: [Item(uses: ["x"]), .suspend(0), Item(defs: ["x"])], successors: [1, 2]),
        Block(items: [Item(uses: ["y"])]),
    ])
    #expect(Liveness(g).liveAcross(suspend: 0) == ["y"])
    // loop { suspend; read x; x = .. }: x read on the next iteration and right after.
    let h = FlowGraph(blocks: [
        Block(items: [Item(defs: ["x"])], successors: [1]),
        Block(items: [.suspend(0), Item(uses: ["x"]), Item(defs: ["x"])], successors: [1, 2]),
        Block(),
    ])
    #expect(Liveness(h).liveAcross(suspend: 0) == ["x"])
}

@Test func valueKilledOnOneBranchOnlyStaysLive() {
    // if (c) { suspend } else { me = 0 }; read me
    let g = FlowGraph(blocks: [
        Block(items: [Item(defs: ["me"]), Item(uses: ["c"])], successors: [1, 2]),
        Block(items: [.suspend(0)], successors: [3]),
        Block(items: [Item(defs: ["me"])], successors: [3]),
        Block(items: [Item(uses: ["me"])]),
    ])
    let l = Liveness(g)
    #expect(l.liveAcross(suspend: 0) == ["me"])
    #expect(l.liveIn[2].isEmpty)
    #expect(l.liveIn[0] == ["c"])
}

@Test func valueKilledOnEveryBranchIsDead() {
    let g = FlowGraph(blocks: [
        Block(items: [.suspend(0)], successors: [1, 2]),
        Block(items: [Item(defs: ["v"])], successors: [3]),
        Block(items: [Item(defs: ["v"])], successors: [3]),
        Block(items: [Item(uses: ["v"])]),
    ])
    #expect(Liveness(g).liveAcross(suspend: 0).isEmpty)
}

@Test func backwardGotoReachesEarlierReads() {
    // L: read r; suspend 0; suspend 1; if (..) goto L   (no loop, just an edge back)
    let g = FlowGraph(blocks: [
        Block(items: [Item(uses: ["r"])], successors: [1]),
        Block(items: [.suspend(0), .suspend(1)], successors: [0, 2]),
        Block(items: [Item(uses: ["s"])]),
    ])
    let l = Liveness(g)
    #expect(l.liveAcross(suspend: 1) == ["r", "s"])
    #expect(l.liveAcross(suspend: 0) == ["r", "s"])
    #expect(l.liveOnSomeEntry == ["r", "s"])
}

@Test func unreachableBlockDoesNotFeedLiveness() {
    // return; then dead code reading x: nothing flows into it from the suspension.
    let g = FlowGraph(blocks: [
        Block(items: [.suspend(0)], successors: []),
        Block(items: [Item(uses: ["x"])]),
    ])
    #expect(Liveness(g).liveAcross(suspend: 0).isEmpty)
}

@Test func builderWiresBlocks() {
    var b = FlowBuilder()
    b.append(Item(defs: ["x"]))
    let next = b.newBlock()
    b.fallThrough(to: next)
    b.append(.suspend(0))
    b.append(Item(uses: ["x"]))
    #expect(b.graph.blocks.count == 2)
    #expect(b.graph.blocks[0].successors == [1])
    #expect(Liveness(b.graph).liveAcross(suspend: 0) == ["x"])
}

@Test func moreNamesThanOneWordHolds() {
    // 150 names span three 64-bit words of the solver's flat bit array: block
    // 1 reads v0..v149 after its suspension, defines the even ones first and
    // loops back, so the odd ones are live across and liveIn of each block is
    // per block, not smeared across blocks' words.
    let names = (0..<150).map { "v\($0)" }
    let even = Set(names.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
    let g = FlowGraph(blocks: [
        Block(items: [Item(defs: Set(names))], successors: [1]),
        Block(items: [.suspend(0), Item(defs: even), Item(uses: Set(names))], successors: [1, 2]),
        Block(items: [Item(uses: ["v149"])]),
    ])
    let l = Liveness(g)
    #expect(l.liveAcross(suspend: 0) == Set(names).subtracting(even))
    #expect(l.liveIn[0].isEmpty)
    #expect(l.liveIn[1] == Set(names).subtracting(even))
    #expect(l.liveIn[2] == ["v149"])
}
