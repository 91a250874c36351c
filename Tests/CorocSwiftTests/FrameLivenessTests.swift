// FrameLiveness on hand-built block graphs: the analysis alone, apart from lowering.
import Testing
@testable import CorocSwift

private typealias Item = BlockSummary.Item

@Test func valueDefinedBeforeASuspendAndUsedAfterItIsLive() {
    // 0: let x = ...; jump 1     1: (suspend) print(x)
    let blocks = [
        BlockSummary(items: [Item(kills: ["x"])], successors: [1]),
        BlockSummary(items: [Item(uses: ["x"])], successors: []),
    ]
    let liveness = FrameLiveness(blocks: blocks, candidates: ["x"])
    #expect(liveness.frameVariables == ["x"])
    #expect(liveness.liveIn[0].isEmpty)
    #expect(liveness.liveIn[1] == ["x"])
}

@Test func valueUsedOnlyInItsOwnStateStaysLocal() {
    // 0: let t = ...; print(t); jump 1     1: let u = ...; print(u)
    let blocks = [
        BlockSummary(items: [Item(kills: ["t"]), Item(uses: ["t"])], successors: [1]),
        BlockSummary(items: [Item(kills: ["u"]), Item(uses: ["u"])], successors: []),
    ]
    #expect(FrameLiveness(blocks: blocks, candidates: ["t", "u"]).frameVariables.isEmpty)
}

@Test func redefinitionBeforeUseEndsTheLiveRange() {
    // 0: x = 1; jump 1     1: x = 2 (kill); print(x)
    let blocks = [
        BlockSummary(items: [Item(kills: ["x"])], successors: [1]),
        BlockSummary(items: [Item(kills: ["x"]), Item(uses: ["x"])], successors: []),
    ]
    #expect(FrameLiveness(blocks: blocks, candidates: ["x"]).frameVariables.isEmpty)
}

@Test func loopCarriedValueIsLiveAroundTheBackEdge() {
    // 0: sum = 0 -> 1 (head) -> 2 (body: sum += i, suspend) -> 1 ; 1 -> 3 (print(sum))
    let blocks = [
        BlockSummary(items: [Item(kills: ["sum"])], successors: [1]),
        BlockSummary(items: [Item()], successors: [2, 3]),
        BlockSummary(items: [Item(uses: ["sum"], kills: ["sum"])], successors: [1]),
        BlockSummary(items: [Item(uses: ["sum"])], successors: []),
    ]
    let liveness = FrameLiveness(blocks: blocks, candidates: ["sum"])
    #expect(liveness.liveIn[1] == ["sum"])
    #expect(liveness.liveIn[2] == ["sum"])
    #expect(liveness.frameVariables == ["sum"])
}

@Test func useBeforeKillInTheSameItemIsExposed() {
    // x = x + 1 reads x before it writes it.
    let block = BlockSummary(items: [Item(uses: ["x"], kills: ["x"])], successors: [])
    #expect(block.exposedAndKilled.exposed == ["x"])
}

@Test func namesThatAreNotCandidatesAreIgnored() {
    let blocks = [
        BlockSummary(items: [Item()], successors: [1]),
        BlockSummary(items: [Item(uses: ["print", "n"])], successors: []),
    ]
    #expect(FrameLiveness(blocks: blocks, candidates: ["x"]).frameVariables.isEmpty)
}

/// A kept statement reads a suspend call's temporary only when it names it as a
/// whole identifier: `co_t10` is no read of `co_t1` (it was, by substring).
@Test func temporaryReadsAreWholeIdentifiers() {
    #expect(Lower.names("print(co_t1)", "co_t1"))
    #expect(Lower.names("co_t1 + 1", "co_t1"))
    #expect(!Lower.names("print(co_t10)", "co_t1"))
    #expect(Lower.names("print(co_t10, co_t1)", "co_t1"))
    #expect(!Lower.names("xco_t1", "co_t1"))
}
