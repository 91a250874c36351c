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
// Classic backward dataflow to a fixed point over blocks (on bit sets):
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

    // The solver runs on bit sets over the graph's names (interned once):
    // with Set<String> unions, hashing was a fifth of `coroc translate`'s
    // time on bench/gen_big.sh's 250 coroutines.
    public init(_ graph: FlowGraph) {
        self.graph = graph
        let blocks = graph.blocks
        var index: [String: Int] = [:], names: [String] = []
        for block in blocks {
            for item in block.items {
                for name in item.uses.union(item.defs) where index[name] == nil {
                    index[name] = names.count
                    names.append(name)
                }
            }
        }
        let words = (names.count + 63) / 64
        func bits(_ set: Set<String>) -> Bits {
            var b = Bits(words: words)
            for name in set { b.insert(index[name]!) }
            return b
        }
        let uses = blocks.map { $0.items.map { bits($0.uses) } }
        let defs = blocks.map { $0.items.map { bits($0.defs) } }
        // Upward-exposed uses (read before any def in the block) and the block's defs.
        var exposed: [Bits] = [], killed: [Bits] = []
        for b in blocks.indices {
            var e = Bits(words: words), k = Bits(words: words)
            for i in blocks[b].items.indices {
                e.formUnion(uses[b][i], minus: k)
                k.formUnion(defs[b][i])
            }
            exposed.append(e)
            killed.append(k)
        }
        let successors = blocks.map { $0.successors.filter { $0 >= 0 && $0 < blocks.count }.sorted() }
        func liveOut(_ b: Int, _ liveIn: [Bits]) -> Bits {
            var out = Bits(words: words)
            for s in successors[b] { out.formUnion(liveIn[s]) }
            return out
        }
        var live = exposed
        var changed = true
        while changed {
            changed = false
            for b in blocks.indices.reversed() {
                var next = exposed[b]
                next.formUnion(liveOut(b, live), minus: killed[b])
                if next != live[b] {
                    live[b] = next
                    changed = true
                }
            }
        }
        func set(_ b: Bits) -> Set<String> { Set(b.members.map { names[$0] }) }
        self.liveIn = live.map(set)
        var after: [Int: Bits] = [:]
        for b in blocks.indices where blocks[b].items.contains(where: { $0.suspend != nil }) {
            var current = liveOut(b, live)
            for i in blocks[b].items.indices.reversed() {
                if let id = blocks[b].items[i].suspend { after[id, default: Bits(words: words)].formUnion(current) }
                current.subtract(defs[b][i])
                current.formUnion(uses[b][i])
            }
        }
        afterSuspend = after.mapValues(set)
    }

    /// Variables whose value at suspend point `id` is read after it.
    public func liveAcross(suspend id: Int) -> Set<String> { afterSuspend[id] ?? [] }

    /// Every variable live on entry to some block.
    public var liveOnSomeEntry: Set<String> { liveIn.reduce(into: Set<String>()) { $0.formUnion($1) } }
}

/// A fixed-size bit set (the solver's sets of interned names).
private struct Bits: Equatable {
    var words: [UInt64]
    init(words count: Int) { words = Array(repeating: 0, count: count) }
    mutating func insert(_ i: Int) { words[i >> 6] |= 1 << UInt64(i & 63) }
    mutating func formUnion(_ other: Bits) { for w in words.indices { words[w] |= other.words[w] } }
    /// self ∪ (other − minus)
    mutating func formUnion(_ other: Bits, minus: Bits) {
        for w in words.indices { words[w] |= other.words[w] & ~minus.words[w] }
    }
    mutating func subtract(_ other: Bits) { for w in words.indices { words[w] &= ~other.words[w] } }
    var members: [Int] {
        var out: [Int] = []
        for (w, word) in words.enumerated() where word != 0 {
            for bit in 0..<64 where word & (1 << UInt64(bit)) != 0 { out.append(w * 64 + bit) }
        }
        return out
    }
}
