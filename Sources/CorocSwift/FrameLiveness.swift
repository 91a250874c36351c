// Adapter: Swift's lowered states → CorocCore's FlowGraph, to choose which
// locals must live in the frame (the solver itself is CorocCore.Liveness).
//
// Input:  the state blocks of one lowered coroutine, summarized as
//         BlockSummary: for each block, its items in order with the candidate
//         names each item reads (`uses`) and the names it certainly assigns
//         (`kills`), each at a nesting depth: a kill at depth d covers the items
//         after it until the code leaves that depth (the end of the branch it is
//         in); only kills at depth 0 kill for the whole block.  And the blocks
//         each block may jump to.
// Output: `frameVariables` = every candidate that is live on entry to some block.
//
// Why "live on entry to a block" rather than "live across a suspend point": in
// Swift the states are separate `case`s of one `switch`, so a value that flows
// from one state into another cannot stay a Swift local even when no suspension
// happens between them (a join after an `if` whose other branch suspended).
// Every suspend point starts a block, so each local live across a suspend point
// is live on entry to a block: the frame holds at least those, and beyond them
// only values that flow between states.  A local used only inside one state
// stays a local of resume().
//
// The depth rule is resolved here, per block, into one FlowGraph item (the
// block's upward-exposed uses and its depth-0 kills), so the core solver
// needs no notion of nesting.
import CorocCore

struct BlockSummary: Equatable {
    struct Item: Equatable {
        var uses: Set<String>
        var kills: Set<String>
        var depth: Int
        init(uses: Set<String> = [], kills: Set<String> = [], depth: Int = 0) {
            self.uses = uses
            self.kills = kills
            self.depth = depth
        }
    }
    var items: [Item]
    var successors: Set<Int>

    init(items: [Item], successors: Set<Int>) {
        self.items = items
        self.successors = successors
    }

    /// Upward-exposed uses (read before any kill in this block) and the block's kills.
    var exposedAndKilled: (exposed: Set<String>, killed: Set<String>) {
        var exposed: Set<String> = []
        // killedAt[d]: names killed at depth d in the section the walk is in.
        var killedAt: [Int: Set<String>] = [:]
        for item in items {
            for depth in killedAt.keys where depth > item.depth { killedAt[depth] = nil }
            let killed = killedAt.values.reduce(into: Set<String>()) { $0.formUnion($1) }
            exposed.formUnion(item.uses.subtracting(killed))
            killedAt[item.depth, default: []].formUnion(item.kills)
        }
        return (exposed, killedAt[0] ?? [])
    }
}

struct FrameLiveness {
    let liveness: Liveness

    init(blocks: [BlockSummary], candidates: Set<String>) {
        let graph = FlowGraph(blocks: blocks.map { block in
            let (exposed, killed) = block.exposedAndKilled
            return FlowGraph.Block(items: [FlowGraph.Item(uses: exposed.intersection(candidates), defs: killed)],
                                   successors: block.successors)
        })
        liveness = Liveness(graph)
    }

    /// liveIn[b] for each block index b.
    var liveIn: [Set<String>] { liveness.liveIn }

    /// Candidates that must be frame fields: live on entry to some block.
    var frameVariables: Set<String> { liveness.liveOnSomeEntry }
}
