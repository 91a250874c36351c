// The data passed from Lower to Liveness and Emit: one coroutine as a list of
// state blocks.  A block is one `case` of the resume() dispatch `switch`; it is
// entered only through the dispatch, so it is also the unit of Liveness.
//
// Items are abstract where the rendering depends on Liveness: a `.declare` of a
// local becomes `let x = e` when x stays a local of resume() and `x = e` when x is
// a frame field; a `.bind` copies a condition or pattern binding into its frame
// field, and renders to nothing when the binding is not a field.
import CorocCore
import SwiftSyntax

struct LoweredItem {
    enum Kind {
        /// Native Swift text, already rewritten; lines after the first are relative to `indent`.
        case code(String)
        case declare(name: String, keyword: String, writtenType: String?, initializer: String?)
        /// The value of an await or a blocking-pool call, `let name = initializer`;
        /// `_ = initializer` when nothing reads it (a call written as a statement).
        case result(name: String, writtenType: String?, initializer: String)
        case bind(name: String)
        /// `state = k; continue co_dispatch`
        case jump(Int)
        /// The loop back-edge: `state = k`, then return CORO_YIELDED if the time slice is spent.
        case backedge(Int)
        /// `return CORO_DONE`
        case finish
        /// `fatalError(message)`: a state no correct program reaches.
        case trap(String)
    }

    var kind: Kind
    var indent: Int
    var line: Int?
    var uses: Set<String>
    var kills: Set<String>
    /// States that jumps written inside `.code` text lead to.
    var targets: Set<Int> = []
}

struct StateBlock {
    var id: Int
    var items: [LoweredItem] = []
    /// What the state waits for, for `coroc explain`; nil for joins and trampolines.
    var kind: CoroutineReport.StateKind?
    var line: Int
    var what: String
    /// Defer statements (ids) active while this block runs, outermost first.
    var deferContext: [Int]
    /// The innermost exploded do/catch this block runs in, if any.
    var region: Int?

    var successors: Set<Int> {
        var result: Set<Int> = []
        for item in items {
            result.formUnion(item.targets)
            switch item.kind {
            case .jump(let target), .backedge(let target): result.insert(target)
            case .code, .declare, .result, .bind, .finish, .trap: break
            }
        }
        return result
    }
}

struct FrameVariable {
    var name: String
    var type: String?
    /// Where it is declared, for the type-rule diagnostic.
    var line: Int
    var column: Int
    /// Declared by destructuring (`let (a, b) = ...`): cannot be split into a field.
    var destructured = false
    /// A local function or type: it cannot be moved into the frame.
    var localDeclaration = false
    /// Initialized by a generic type's constructor without arguments (`Array(...)`):
    /// named in the type-rule diagnostic.
    var genericConstructor: String? = nil
}

struct LoweredCoroutine {
    var signature: CoroutineSignature
    var blocks: [StateBlock]
    var variables: [String: FrameVariable]
    /// For each block that may throw: the state that unwinds it.
    var unwindTargets: [Int: Int]
    var usesErrorDispatch: Bool
    /// Extra names that reach the frame regardless of liveness (child frames awaited).
    var alwaysFields: Set<String>
    var usesBlockingPool: Bool
    /// Closures that are stored, returned or collected rather than passed to a call.
    var escapingClosures: [(closure: ClosureExprSyntax, names: Set<String>)]
}

extension LoweredCoroutine {
    /// The debug-build check between Lower and Emit: block numbers are their
    /// indices, every jump and unwind target exists, and no block is empty
    /// (each ends in a jump, a return or a trap).
    var isWellFormed: Bool {
        for (index, block) in blocks.enumerated() {
            if block.id != index || block.items.isEmpty { return false }
            if block.successors.contains(where: { $0 < 0 || $0 >= blocks.count }) { return false }
        }
        return unwindTargets.allSatisfy { $0.key < blocks.count && $0.value < blocks.count }
    }
}
