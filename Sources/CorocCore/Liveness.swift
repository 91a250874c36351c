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
    /// liveIn[b] for each block index b (built from the bit sets when asked:
    /// Lower only reads `liveAcross`).
    public var liveIn: [Set<String>] {
        (0..<graph.blocks.count).map { b in set(live[(b * words)..<(b * words + words)]) }
    }
    private var afterSuspend: [Int: Set<String>] = [:]
    private let names: [String]
    private let words: Int
    /// liveIn of block b is words b*words ..< (b+1)*words.
    private let live: [UInt64]

    // The solver runs on bit sets over the graph's names (interned once):
    // with Set<String> unions, hashing was a fifth of `coroc translate`'s
    // time on bench/gen_big.sh's 250 coroutines.  The sets of all blocks are
    // one flat word array (one allocation, not one per block and item), and
    // an item's names are index lists: items name few variables.
    public init(_ graph: FlowGraph) {
        self.graph = graph
        let blocks = graph.blocks
        var index: [String: Int] = [:], names: [String] = []
        func intern(_ set: Set<String>) -> [Int] {
            set.map { name in
                if let i = index[name] { return i }
                index[name] = names.count
                names.append(name)
                return names.count - 1
            }
        }
        var uses: [[[Int]]] = [], defs: [[[Int]]] = []
        for block in blocks {
            var u: [[Int]] = [], d: [[Int]] = []
            for item in block.items {
                u.append(intern(item.uses))
                d.append(intern(item.defs))
            }
            uses.append(u)
            defs.append(d)
        }
        let words = max(1, (names.count + 63) / 64)
        self.names = names
        self.words = words
        func hasBit(_ bits: [UInt64], _ base: Int, _ i: Int) -> Bool { bits[base + (i >> 6)] & (1 << UInt64(i & 63)) != 0 }
        func setBit(_ bits: inout [UInt64], _ base: Int, _ i: Int) { bits[base + (i >> 6)] |= 1 << UInt64(i & 63) }
        // Upward-exposed uses (read before any def in the block) and the block's defs.
        var exposed = [UInt64](repeating: 0, count: blocks.count * words)
        var killed = exposed
        for b in blocks.indices {
            let base = b * words
            for i in blocks[b].items.indices {
                for u in uses[b][i] where !hasBit(killed, base, u) { setBit(&exposed, base, u) }
                for d in defs[b][i] { setBit(&killed, base, d) }
            }
        }
        let successors = blocks.map { $0.successors.filter { $0 >= 0 && $0 < blocks.count }.sorted() }
        var live = exposed
        var out = [UInt64](repeating: 0, count: words)
        func liveOut(_ b: Int) {
            for w in 0..<words { out[w] = 0 }
            for s in successors[b] {
                for w in 0..<words { out[w] |= live[s * words + w] }
            }
        }
        var changed = true
        while changed {
            changed = false
            for b in blocks.indices.reversed() {
                liveOut(b)
                let base = b * words
                for w in 0..<words {
                    let next = exposed[base + w] | (out[w] & ~killed[base + w])
                    if next != live[base + w] {
                        live[base + w] = next
                        changed = true
                    }
                }
            }
        }
        self.live = live
        var after: [Int: [UInt64]] = [:]
        for b in blocks.indices where blocks[b].items.contains(where: { $0.suspend != nil }) {
            liveOut(b)
            var current = out
            for i in blocks[b].items.indices.reversed() {
                if let id = blocks[b].items[i].suspend {
                    var acc = after[id] ?? [UInt64](repeating: 0, count: words)
                    for w in 0..<words { acc[w] |= current[w] }
                    after[id] = acc
                }
                for d in defs[b][i] { current[d >> 6] &= ~(1 << UInt64(d & 63)) }
                for u in uses[b][i] { setBit(&current, 0, u) }
            }
        }
        afterSuspend = after.mapValues { self.set($0[...]) }
    }

    private func set(_ bits: ArraySlice<UInt64>) -> Set<String> {
        var result: Set<String> = []
        for (w, word) in bits.enumerated() where word != 0 {
            for bit in 0..<64 where word & (1 << UInt64(bit)) != 0 { result.insert(names[w * 64 + bit]) }
        }
        return result
    }

    /// Variables whose value at suspend point `id` is read after it.
    public func liveAcross(suspend id: Int) -> Set<String> { afterSuspend[id] ?? [] }

    /// Every variable live on entry to some block.
    public var liveOnSomeEntry: Set<String> { liveIn.reduce(into: Set<String>()) { $0.formUnion($1) } }
}
