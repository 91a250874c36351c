// Analysis: which variables are live where (LLVM's SuspendCrossingInfo, kept
// apart from the transforms that use it).  Language-neutral: both frontends
// build a FlowGraph from their own AST or lowered form (one adapter file per
// frontend and use) and ask this one solver.
//
// In:  a FlowGraph: blocks, each a list of items in order and the blocks it
//      may continue to.  An item reads `uses` and then certainly assigns
//      `defs`; a suspend item marks suspend point `id` (it reads and writes
//      nothing: what the resumed operation reads is a use of the next item).
// Out: liveIn per block, and per suspend point the set live just after it
//      (read on some path from there before being assigned).
//
// Classic backward dataflow to a fixed point over blocks:
//     liveIn(b) = UE(b) ∪ (liveOut(b) − KILL(b)),  liveOut(b) = ∪ liveIn(succ)
// then one backward walk through each block that holds a suspend item.
// Over-approximating is the safe side for every user: an adapter that cannot
// model an edge precisely adds more successors, never fewer, and an item
// whose write is conditional lists it as a use-free non-def.
// The result is stale once the graph changes.
public struct FlowGraph: Equatable, Sendable {
    public struct Item: Equatable, Sendable {
        public var uses: Set<String>
        public var defs: Set<String>
        /// Suspend point id, when this item is a suspension.
        public var suspend: Int?
        public init(uses: Set<String> = [], defs: Set<String> = []) {
            self.uses = uses
            self.defs = defs
            self.suspend = nil
        }
        public static func suspend(_ id: Int) -> Item {
            var item = Item()
            item.suspend = id
            return item
        }
    }
    public struct Block: Equatable, Sendable {
        public var items: [Item]
        public var successors: Set<Int>
        public init(items: [Item] = [], successors: Set<Int> = []) {
            self.items = items
            self.successors = successors
        }
    }
    public var blocks: [Block]
    public init(blocks: [Block] = []) { self.blocks = blocks }
}

/// Builds a FlowGraph while walking structured code: the adapters' shared
/// helper.  `current` is the block items go to; `startBlock()` opens a new
/// one, `jump(to:)` adds an edge, `fallThrough(to:)` adds an edge from the
/// current block and continues in the target.
public struct FlowBuilder: Sendable {
    public private(set) var graph = FlowGraph(blocks: [FlowGraph.Block()])
    public private(set) var current = 0
    public init() {}

    public mutating func append(_ item: FlowGraph.Item) { graph.blocks[current].items.append(item) }
    public mutating func newBlock() -> Int {
        graph.blocks.append(FlowGraph.Block())
        return graph.blocks.count - 1
    }
    public mutating func edge(from: Int, to: Int) { graph.blocks[from].successors.insert(to) }
    /// Edge from the current block to `block`, which becomes current.
    public mutating func fallThrough(to block: Int) {
        edge(from: current, to: block)
        current = block
    }
    /// Continue in `block` without an edge (after a jump or a return).
    public mutating func move(to block: Int) { current = block }
    public mutating func edgeFromCurrent(to block: Int) { edge(from: current, to: block) }
    public mutating func fallThroughToNewBlock() {
        let block = newBlock()
        fallThrough(to: block)
    }
    /// Continue in a fresh block no edge reaches yet (code after a jump).
    public mutating func moveToNewBlock() {
        let block = newBlock()
        move(to: block)
    }
}

public struct Liveness: Sendable {
    public let graph: FlowGraph
    /// liveIn[b] for each block index b.
    public private(set) var liveIn: [Set<String>]
    private var afterSuspend: [Int: Set<String>] = [:]

    public init(_ graph: FlowGraph) {
        self.graph = graph
        let blocks = graph.blocks
        let local = blocks.map(Liveness.exposedAndKilled)
        var liveIn = local.map(\.exposed)
        var changed = true
        while changed {
            changed = false
            for index in blocks.indices.reversed() {
                let out = Liveness.liveOut(index, blocks, liveIn)
                let next = local[index].exposed.union(out.subtracting(local[index].killed))
                if next != liveIn[index] {
                    liveIn[index] = next
                    changed = true
                }
            }
        }
        self.liveIn = liveIn
        for index in blocks.indices where blocks[index].items.contains(where: { $0.suspend != nil }) {
            var live = Liveness.liveOut(index, blocks, liveIn)
            for item in blocks[index].items.reversed() {
                if let id = item.suspend { afterSuspend[id, default: []].formUnion(live) }
                live.subtract(item.defs)
                live.formUnion(item.uses)
            }
        }
    }

    /// Variables whose value at suspend point `id` is read after it.
    public func liveAcross(suspend id: Int) -> Set<String> { afterSuspend[id] ?? [] }

    /// Every variable live on entry to some block.
    public var liveOnSomeEntry: Set<String> { liveIn.reduce(into: Set<String>()) { $0.formUnion($1) } }

    private static func liveOut(_ index: Int, _ blocks: [FlowGraph.Block], _ liveIn: [Set<String>]) -> Set<String> {
        var out: Set<String> = []
        for successor in blocks[index].successors where successor >= 0 && successor < blocks.count {
            out.formUnion(liveIn[successor])
        }
        return out
    }

    /// Upward-exposed uses (read before any def in the block) and the block's defs.
    private static func exposedAndKilled(_ block: FlowGraph.Block) -> (exposed: Set<String>, killed: Set<String>) {
        var exposed: Set<String> = [], killed: Set<String> = []
        for item in block.items {
            exposed.formUnion(item.uses.subtracting(killed))
            killed.formUnion(item.defs)
        }
        return (exposed, killed)
    }
}
