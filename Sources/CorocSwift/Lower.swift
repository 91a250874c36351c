// Pass 2: lower one coroutine body into state blocks (regenerator's "explode").
// This file holds the driver of the pass: its state, the entry, blocks and the
// cursor.  Extensions, one job each: LowerStatements.swift (statements and
// declarations), LowerUnwinding.swift (do/catch, defer, return, trampolines,
// the unwind table), LowerNativeText.swift (statements kept as written, jumps
// out of them), LowerSuspendPoints.swift, LowerTypedOperations.swift,
// LowerControlFlow.swift (if/guard/switch, condition chains) and
// LowerLoops.swift.
//
// Input:  a CoroutineSignature whose body passed CoroutineFinder, the classifier.
// Output: a LoweredCoroutine: blocks whose items are native Swift text or abstract
//         items (see LoweredCoroutine.swift), or diagnostics.
//
// Invariants of the output:
//  - Block 0 is the entry.  Every suspend point (catalogue call, runtime call,
//    await) starts a block of its own whose first item is the operation, so the
//    "call again" protocol of coro.h re-runs exactly that call on resumption.
//  - A statement that contains no suspend point and no loop is emitted as written,
//    except that `return`, and `break`/`continue` leaving lowered code, become
//    jumps (`state = k; continue co_dispatch`), and coro_go / coro_main become spawns.
//  - Every loop is lowered (its back-edge is a suspend point: the preemption
//    check), unless the coroutine is @nopreempt and the loop has no suspend point.
//  - Control flow that contains a suspend point is emitted as native `if` /
//    `switch` / `do-catch` shells whose branches run inline until their first
//    suspend point and then jump between blocks; every branch ends in a jump.
//  - In a coroutine that errors can leave (needsUnwindTable), a `defer` of
//    lowered code starts a block, and leaving its scope starts one, so all code
//    of a block runs under the same set of defers (the unwind table is per
//    state); the defers run inline on fall-off and in trampoline blocks on
//    jumps, returns and throws.
//  - Locals keep their source names (frame fields are properties of the frame
//    class, so the body's references resolve to them unchanged); generated names
//    start with `co_`.
// Jump targets are allocated before their code exists (late-bound, like
// regenerator's loc/mark) and filled exactly once by `start`.
import CorocCore
import SwiftSyntax

final class Lower {
    let signature: CoroutineSignature
    let classifier: SuspendClassifier
    let source: SourceContext
    var diagnostics: [Diagnostic] = []

    var blocks: [StateBlock] = []
    var started: Set<Int> = []
    var cursor = Cursor(block: 0, indent: 0, terminated: false)
    var variables: [String: FrameVariable] = [:]
    var known: [String: String] = [:]
    var alwaysFields: Set<String> = []
    var temporaryCounter = 0
    /// Lowering a short-circuit sequence written under `try` (`try a && f()`):
    /// operands that keep calls are emitted under `try` of their own.
    var shortCircuitUnderTry = false
    /// Some call goes to the blocking pool: the file needs the co_BlockingCall helpers.
    var usesBlockingPool = false

    var defers: [Int: DeferStmtSyntax] = [:]
    var deferContext: [Int] = []
    var jumpContexts: [JumpContext] = []
    var regions: [Region] = []
    var regionStack: [Int] = []
    var trampolines: [String: Int] = [:]
    var finishBlock: Int?
    var trapBlock: Int?
    /// Closures of the body that may escape, with the names they read.
    var escapingClosures: [(closure: ClosureExprSyntax, names: Set<String>)] = []

    struct Cursor {
        var block: Int
        var indent: Int
        var terminated: Bool
    }

    struct JumpContext {
        enum Kind { case loop, switchCase, block }
        var kind: Kind
        var label: String?
        var breakTarget: Int
        /// Loops only: where `continue` goes, and whether that jump is a back-edge.
        var continueTarget: Int?
        var continueIsBackedge: Bool
        var deferDepth: Int
        /// Switch cases only: the block where the next case's body starts, when
        /// this case falls through into it (`fallthrough` becomes a jump there).
        var fallthroughTarget: Int? = nil
    }

    struct Region {
        var dispatch: Int
        var deferDepth: Int
    }

    /// Pseudo-targets of unwinding.
    static let finishTarget = -1

    /// Errors can leave states of this coroutine (it throws, or it has a do/catch
    /// around a suspend point), so each state must know its active defers: a
    /// `defer`, and the end of a scope with defers, then start a new state.
    /// Otherwise no split is needed, and values do not have to cross one.
    let needsUnwindTable: Bool

    /// Callees (qualified names) whose frames this coroutine may keep and reuse:
    /// those that cannot call back into it (no recursion through them).
    let reusableCallees: Set<String>

    /// Generic type names whose bare constructor names no type (TypeRule).
    let generics: Set<String>

    init(signature: CoroutineSignature, classifier: SuspendClassifier, source: SourceContext,
         reusableCallees: Set<String> = [], generics: Set<String> = TypeRule.standardGenerics) {
        self.signature = signature
        self.generics = generics
        self.reusableCallees = reusableCallees
        self.classifier = classifier
        self.source = source
        self.needsUnwindTable = signature.throwsError
            || LoweredCatchFinder.containsLoweredCatch(signature.decl, classifier: classifier)
        for parameter in signature.parameters { known[parameter.name] = parameter.type }
        if let receiver = signature.parameters.first(where: \.isSelf) { known["self"] = receiver.type }
    }

    func run() -> LoweredCoroutine? {
        guard let body = signature.decl.body else {
            diagnostics.append(source.diagnostic(at: signature.decl.name, Messages.noBody(signature.name)))
            return nil
        }
        let entry = newBlock(kind: .entry, line: source.line(of: signature.decl), what: "start")
        start(entry)
        lowerStatements(body.statements)
        if !cursor.terminated {
            if signature.returnType != nil {
                emit(.trap("coroutine \(signature.name) fell off its end without returning a value"), line: nil)
            } else {
                emit(.finish, line: nil)
            }
        }
        let unwind = computeUnwindTargets()
        for block in blocks where !started.contains(block.id) {
            preconditionFailure("Lower: block \(block.id) of \(signature.name) was allocated but never started")
        }
        if !diagnostics.isEmpty { return nil }
        return LoweredCoroutine(signature: signature, blocks: blocks, variables: variables,
                                unwindTargets: unwind, usesErrorDispatch: !unwind.isEmpty,
                                alwaysFields: alwaysFields, usesBlockingPool: usesBlockingPool,
                                escapingClosures: escapingClosures)
    }

    // MARK: blocks and the cursor

    func newBlock(kind: CoroutineReport.StateKind? = nil, line: Int, what: String = "") -> Int {
        let id = blocks.count
        blocks.append(StateBlock(id: id, kind: kind, line: line, what: what, deferContext: deferContext,
                                 region: regionStack.last))
        return id
    }

    func start(_ block: Int) {
        precondition(!started.contains(block), "Lower: block \(block) started twice")
        started.insert(block)
        cursor = Cursor(block: block, indent: 0, terminated: false)
    }

    func emit(_ kind: LoweredItem.Kind, line: Int?, uses: Set<String> = [], kills: Set<String> = [],
                      targets: Set<Int> = [], structural: Bool = false) {
        if cursor.terminated && !structural { return }
        blocks[cursor.block].items.append(LoweredItem(kind: kind, indent: cursor.indent, line: line, uses: uses,
                                                      kills: kills, targets: targets))
        switch kind {
        case .jump, .backedge, .finish, .trap: cursor.terminated = true
        case .code, .declare, .result, .bind: break
        }
    }

    func jump(to target: Int) { emit(.jump(target), line: nil) }

    /// Ends the current block and continues in a fresh one (used where the set of
    /// active defers or the catch region changes).
    func split(line: Int) {
        let next = newBlock(line: line)
        jump(to: next)
        start(next)
    }
}
