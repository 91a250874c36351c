// Analysis: which locals must live in the frame (LLVM's SuspendCrossingInfo, kept
// apart from the transform that uses it).
//
// Input:  the state blocks of one lowered coroutine, summarized as
//         BlockSummary: for each block, its items in order with the candidate
//         names each item reads (`uses`) and the names it certainly assigns
//         (`kills`), each at a nesting depth: a kill at depth d covers the items
//         after it until the code leaves that depth (the end of the branch it is
//         in); only kills at depth 0 kill for the whole block.  And the blocks
//         each block may jump to.
// Output: live-in sets per block; `frameVariables` = every candidate that is live
//         on entry to some block.
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
// Classic backward dataflow to a fixed point: liveIn(b) = UE(b) ∪ (liveOut(b) − KILL(b)),
// liveOut(b) = ∪ liveIn(s) over successors s.  The result is stale once blocks change.
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

struct Liveness {
    let candidates: Set<String>
    /// liveIn[b] for each block index b.
    private(set) var liveIn: [Set<String>]

    init(blocks: [BlockSummary], candidates: Set<String>) {
        self.candidates = candidates
        let local = blocks.map { block -> (exposed: Set<String>, killed: Set<String>) in
            let (exposed, killed) = block.exposedAndKilled
            return (exposed.intersection(candidates), killed)
        }
        var liveIn = local.map(\.exposed)
        var changed = true
        while changed {
            changed = false
            for index in blocks.indices.reversed() {
                var liveOut: Set<String> = []
                for successor in blocks[index].successors where successor >= 0 && successor < blocks.count {
                    liveOut.formUnion(liveIn[successor])
                }
                let next = local[index].exposed.union(liveOut.subtracting(local[index].killed))
                if next != liveIn[index] {
                    liveIn[index] = next
                    changed = true
                }
            }
        }
        self.liveIn = liveIn
    }

    /// Candidates that must be frame fields: live on entry to some block.
    var frameVariables: Set<String> {
        liveIn.reduce(into: Set<String>()) { $0.formUnion($1) }
    }
}
