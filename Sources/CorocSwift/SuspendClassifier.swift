// Analysis: which calls in a coroutine body are suspend points (DESIGN.md
// "Suspend points" 1-3), and what the Swift side needs to lower each one.
//
// Input:  a FunctionCallExprSyntax inside a coroutine body.
// Output: nil (an ordinary call, emitted as written) or a SuspendSite:
//   .operation  a catalogue entry with a coro_op_* function (I/O, timers,
//               channels, wait groups, mutex), with the Swift type of its result
//               as Glibc's overlay imports it (ssize_t -> Int, int -> Int32, ...);
//   .blocking   a catalogue entry for the blocking pool;
//   .await      a call of another @coroutine of this file;
//   .typed      a call of CoroSwift's typed API that waits: `ch.send(v)`,
//               `ch.receive()`, `wg.wait()`, `m.lock()` on a receiver whose
//               type coroc sees (a parameter or local declared `Channel<T>`,
//               `WaitGroup`, `CoroMutex`, or initialized by their constructor),
//               and `select(cases..., orDefault:)`.  A receiver of invisible
//               type is an ordinary call; it fails loudly at run time if it has
//               to wait (CoroSwift's wouldBlock), never silently.
// Calls inside closures are never suspend points (the closure does not run on the
// coroutine's frame); calls written as the argument of coro_go / coro_main are
// spawns, not awaits.  The classifier only reads syntax: a user function that
// shadows a catalogue name (`func read(...)`) is still treated as the catalogue call.
import CorocCore
import SwiftSyntax

enum SuspendSite {
    case operation(name: String, function: String, resultType: String?, category: IOCatalogue.Category)
    case blocking(name: String)
    case await(CoroutineSignature)
    case typed(TypedOperation)

    var reportKind: CoroutineReport.StateKind {
        switch self {
        case .operation(_, _, _, let category):
            switch category {
            case .io: return .io
            case .blocking: return .blocking
            case .runtime: return .runtime
            }
        case .blocking: return .blocking
        case .await: return .await
        case .typed: return .runtime
        }
    }

    var what: String {
        switch self {
        case .operation(let name, _, _, _): return name
        case .blocking(let name): return name
        case .await(let callee): return callee.name
        case .typed(let operation): return operation.what
        }
    }

    /// The Swift type of the call's value; nil when it has none (coro_yield, Void coroutines).
    var resultType: String? {
        switch self {
        case .operation(_, _, let type, _): return type
        case .blocking: return nil
        case .await(let callee): return callee.returnType
        case .typed(let operation): return operation.resultType
        }
    }
}

/// A waiting call of the typed API (CoroSwift); `receiver` is the name of the
/// parameter or local it is called on, or `self.NAME` for a stored property.
enum TypedOperation {
    case send(receiver: String, element: String)
    case receive(receiver: String, element: String)
    case wait(receiver: String)
    case lock(receiver: String)
    case select

    var what: String {
        switch self {
        case .send: return "Channel.send"
        case .receive: return "Channel.receive"
        case .wait: return "WaitGroup.wait"
        case .lock: return "CoroMutex.lock"
        case .select: return "select"
        }
    }

    var resultType: String? {
        switch self {
        case .send: return "Bool"
        case .receive(_, let element): return TypedAPITypes.optional(element)
        case .wait, .lock: return nil
        case .select: return "Int"
        }
    }
}

struct SuspendClassifier {
    let catalogue: IOCatalogue
    let coroutines: [String: CoroutineSignature]
    /// Names of the current coroutine's parameters and locals whose type is one of
    /// the typed API's (`Channel<Int>`, `WaitGroup`, `CoroMutex`): see `.typed`.
    var typedReceivers: [String: String] = [:]

    /// Swift result types of the built-in operations (Glibc's imports of the C signatures).
    static let swiftResultTypes: [String: String] = [
        "read": "Int", "write": "Int", "recv": "Int", "send": "Int", "recvfrom": "Int", "sendto": "Int",
        "recvmsg": "Int", "sendmsg": "Int", "readv": "Int", "writev": "Int",
        "accept": "Int32", "accept4": "Int32", "connect": "Int32", "sleep": "UInt32", "usleep": "Int32",
        "nanosleep": "Int32", "poll": "Int32", "close": "Int32",
        "coro_sleep_ms": "Int32", "coro_chan_send": "Int32", "coro_chan_recv": "Int32", "coro_select": "Int32",
        "coro_wg_wait": "Int32", "coro_mutex_lock": "Int32",
    ]

    /// Swift result types of the built-in blocking-pool calls; others default to Int32 (C int).
    static let blockingResultTypes: [String: String] = [
        "pread": "Int", "pwrite": "Int", "getaddrinfo": "Int32", "open": "Int32", "openat": "Int32", "creat": "Int32",
    ]

    /// The name a call is made by: `read(...)`, `Glibc.read(...)`.
    static func calleeName(_ call: FunctionCallExprSyntax) -> String? {
        if let ref = call.calledExpression.as(DeclReferenceExprSyntax.self) {
            return ref.baseName.text
        }
        if let member = call.calledExpression.as(MemberAccessExprSyntax.self),
           let base = member.base?.as(DeclReferenceExprSyntax.self), base.baseName.text == "Glibc" {
            return member.declName.baseName.text
        }
        return nil
    }

    /// The coroutine `call` calls: `f(...)`, `T.f(...)` for a static coroutine of
    /// T, `x.m(...)` for an instance-method coroutine m (whatever x is: names are
    /// unique per file, and there is no type checker to read x's type; if x is
    /// not of m's type, swiftc rejects the frame's initializer at that line).
    /// An instance method called without a receiver (`m()`) is not recognized
    /// (ImplicitMemberCheck asks for `self.m()`).
    func coroutine(calledBy call: FunctionCallExprSyntax) -> CoroutineSignature? {
        if let ref = call.calledExpression.as(DeclReferenceExprSyntax.self) {
            guard let callee = coroutines[ref.baseName.text], !callee.isInstance else { return nil }
            return callee
        }
        if let member = call.calledExpression.as(MemberAccessExprSyntax.self), let base = member.base,
           let callee = coroutines[member.declName.baseName.text] {
            if callee.isInstance { return callee }
            if callee.owner == base.as(DeclReferenceExprSyntax.self)?.baseName.text { return callee }
        }
        return nil
    }

    /// The receiver expression of a call of an instance-method coroutine (`x` of `x.m(...)`).
    static func receiver(of call: FunctionCallExprSyntax, callee: CoroutineSignature) -> ExprSyntax? {
        guard callee.isInstance else { return nil }
        return call.calledExpression.as(MemberAccessExprSyntax.self)?.base
    }

    /// The typed API's waiting call `call` makes, if any.
    func typedOperation(_ call: FunctionCallExprSyntax) -> TypedOperation? {
        if let ref = call.calledExpression.as(DeclReferenceExprSyntax.self), ref.baseName.text == "select" {
            // Glibc's select(2) takes five unlabeled arguments; ours takes cases.
            let labels = call.arguments.map { $0.label?.text }
            if labels.count == 5 && labels.allSatisfy({ $0 == nil }) { return nil }
            return labels.allSatisfy({ $0 == nil || $0 == "orDefault" }) ? .select : nil
        }
        guard let member = call.calledExpression.as(MemberAccessExprSyntax.self), let base = member.base,
              call.trailingClosure == nil else { return nil }
        // `ch.send(v)` on a local or parameter; `self.ch.send(v)` on a stored property.
        var receiver: String
        if let name = base.as(DeclReferenceExprSyntax.self) {
            receiver = name.baseName.text
        } else if let property = base.as(MemberAccessExprSyntax.self),
                  property.base?.as(DeclReferenceExprSyntax.self)?.baseName.tokenKind == .keyword(.self) {
            receiver = "self." + property.declName.baseName.text
        } else {
            return nil
        }
        guard let type = typedReceivers[receiver] else { return nil }
        let method = member.declName.baseName.text
        let labels = call.arguments.map { $0.label?.text }
        if let element = TypedAPITypes.channelElement(type) {
            if method == "send", labels == [nil] { return .send(receiver: receiver, element: element) }
            if method == "receive", labels.isEmpty { return .receive(receiver: receiver, element: element) }
            return nil
        }
        if TypedAPITypes.bare(type) == "WaitGroup", method == "wait", labels.isEmpty { return .wait(receiver: receiver) }
        if TypedAPITypes.bare(type) == "CoroMutex", method == "lock", labels.isEmpty { return .lock(receiver: receiver) }
        return nil
    }

    /// This classifier for one coroutine: with the names its typed-API calls may be made on.
    func forCoroutine(_ signature: CoroutineSignature) -> SuspendClassifier {
        var copy = self
        copy.typedReceivers = TypedAPITypes.receivers(of: signature)
        return copy
    }

    func classify(_ call: FunctionCallExprSyntax) -> SuspendSite? {
        // First: `ch.send(v)` on a Channel is the channel's, even when the file
        // has an instance-method coroutine named `send`.
        if let operation = typedOperation(call) { return .typed(operation) }
        if let callee = coroutine(calledBy: call) { return .await(callee) }
        guard let name = Self.calleeName(call) else { return nil }
        guard let entry = catalogue.lookup(name) else { return nil }
        switch entry.kind {
        case .operation(let function, let hasResult):
            let type = hasResult ? (Self.swiftResultTypes[name] ?? "Int32") : nil
            return .operation(name: name, function: function, resultType: type, category: entry.category)
        case .blocking:
            return .blocking(name: name)
        }
    }
}

/// Is `node` one of the spawn markers `coro_go(...)` / `coro_main(...)`?
func spawnMarker(_ call: FunctionCallExprSyntax) -> String? {
    guard let ref = call.calledExpression.as(DeclReferenceExprSyntax.self) else { return nil }
    let name = ref.baseName.text
    return name == "coro_go" || name == "coro_main" ? name : nil
}

/// The suspend calls in `node`, in evaluation order (arguments before the call
/// that receives them, left to right), not looking into closures, nested
/// functions or the argument of a spawn marker.
final class SuspendCallCollector: SyntaxVisitor {
    let classifier: SuspendClassifier
    private(set) var calls: [(call: FunctionCallExprSyntax, site: SuspendSite)] = []
    /// Suspend calls that sit inside a closure: an error for an await.
    private(set) var inClosure: [(call: FunctionCallExprSyntax, site: SuspendSite)] = []
    private var closureDepth = 0

    init(classifier: SuspendClassifier) {
        self.classifier = classifier
        super.init(viewMode: .sourceAccurate)
    }

    static func collect(in node: some SyntaxProtocol, classifier: SuspendClassifier) -> SuspendCallCollector {
        let collector = SuspendCallCollector(classifier: classifier)
        collector.walk(node)
        return collector
    }

    override func visit(_ node: ClosureExprSyntax) -> SyntaxVisitorContinueKind {
        closureDepth += 1
        return .visitChildren
    }
    override func visitPost(_ node: ClosureExprSyntax) { closureDepth -= 1 }
    override func visit(_ node: FunctionDeclSyntax) -> SyntaxVisitorContinueKind { .skipChildren }

    override func visit(_ node: FunctionCallExprSyntax) -> SyntaxVisitorContinueKind {
        if spawnMarker(node) != nil { return .skipChildren }
        return .visitChildren
    }

    override func visitPost(_ node: FunctionCallExprSyntax) {
        if spawnMarker(node) != nil { return }
        guard let site = classifier.classify(node) else { return }
        if closureDepth > 0 { inClosure.append((node, site)) } else { calls.append((node, site)) }
    }
}

/// Does `node` contain a loop outside closures and nested functions?  Loops in a
/// coroutine are suspend points too (the back-edge check).
final class LoopFinder: SyntaxVisitor {
    private(set) var found = false
    init() { super.init(viewMode: .sourceAccurate) }
    static func containsLoop(_ node: some SyntaxProtocol) -> Bool {
        let finder = LoopFinder()
        finder.walk(node)
        return finder.found
    }
    override func visit(_ node: ClosureExprSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
    override func visit(_ node: FunctionDeclSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
    override func visit(_ node: WhileStmtSyntax) -> SyntaxVisitorContinueKind { found = true; return .skipChildren }
    override func visit(_ node: RepeatStmtSyntax) -> SyntaxVisitorContinueKind { found = true; return .skipChildren }
    override func visit(_ node: ForStmtSyntax) -> SyntaxVisitorContinueKind { found = true; return .skipChildren }
}
