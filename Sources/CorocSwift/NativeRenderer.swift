// Helper of Lower: the text of a statement kept as written.
//
// Input:  a syntax node of a coroutine body, the replacements Lower chose for
//         hoisted suspend calls, and Lower's jump contexts.
// Output: the node's text with those replacements, `coro_go` / `coro_main`
//         rewritten to spawns, and `return` / `break` / `continue` that leave
//         lowered code turned into jumps; closures and nested functions are
//         left alone (their `return` is their own).  Also the evaluation-order
//         checks on hoisted suspend calls (OrderCheck).
import SwiftSyntax

/// Walks a native statement and writes its text, substituting nodes.
final class NativeRenderer {
    unowned let lower: Lower
    let replacements: [SyntaxIdentifier: String]
    var targets: Set<Int> = []
    /// Native loops and switches the walk is inside, innermost last (label, isLoop).
    private var nativeConstructs: [(label: String?, isLoop: Bool)] = []
    private var closureDepth = 0

    init(lower: Lower, replacements: [SyntaxIdentifier: String]) {
        self.lower = lower
        self.replacements = replacements
    }

    func render(_ node: Syntax) -> String {
        var out = ""
        walk(node, into: &out)
        return out
    }

    private func walk(_ node: Syntax, into out: inout String) {
        if let replacement = replacements[node.id] {
            out += node.leadingTrivia.description + replacement + node.trailingTrivia.description
            return
        }
        if let token = node.as(TokenSyntax.self) {
            // In an instance-method coroutine `self` is the receiver the frame holds.
            if lower.signature.isInstance, token.tokenKind == .keyword(.self),
               token.parent?.is(DeclReferenceExprSyntax.self) == true {
                out += token.leadingTrivia.description + "co_self" + token.trailingTrivia.description
                return
            }
            out += token.description
            return
        }
        if let call = node.as(FunctionCallExprSyntax.self), let marker = spawnMarker(call) {
            let text = lower.spawnText(call, marker: marker) { self.render($0).trimmingWhitespace() }
            out += node.leadingTrivia.description + (text ?? "()") + node.trailingTrivia.description
            return
        }
        if closureDepth == 0, let closure = node.as(ClosureExprSyntax.self), closureMayEscape(closure) {
            lower.noteEscapingClosure(closure)
        }
        if node.is(ClosureExprSyntax.self) || node.is(FunctionDeclSyntax.self) {
            closureDepth += 1
            defer { closureDepth -= 1 }
            walkChildren(node, into: &out)
            return
        }
        if closureDepth == 0 {
            if let returnStmt = node.as(ReturnStmtSyntax.self) {
                let value = returnStmt.expression.map { render(Syntax($0)).trimmingWhitespace() }
                let (text, target) = lower.returnText(value: value)
                if let target { targets.insert(target) }
                out += node.leadingTrivia.description + text + node.trailingTrivia.description
                return
            }
            // `fallthrough` in kept text of a lowered case (not of a native switch in it).
            if node.is(FallThroughStmtSyntax.self), !nativeConstructs.contains(where: { !$0.1 }),
               let (text, target) = lower.fallthroughText(for: node) {
                targets.insert(target)
                out += node.leadingTrivia.description + text + node.trailingTrivia.description
                return
            }
            if node.is(BreakStmtSyntax.self) || node.is(ContinueStmtSyntax.self) {
                let isContinue = node.is(ContinueStmtSyntax.self)
                let label = node.as(BreakStmtSyntax.self)?.label?.text ?? node.as(ContinueStmtSyntax.self)?.label?.text
                if !isNative(label: label, isContinue: isContinue) {
                    if let (text, target) = lower.jumpText(for: node, label: label, isContinue: isContinue) {
                        targets.insert(target)
                        out += node.leadingTrivia.description + text + node.trailingTrivia.description
                        return
                    }
                }
            }
            let isLoop = node.is(WhileStmtSyntax.self) || node.is(ForStmtSyntax.self) || node.is(RepeatStmtSyntax.self)
            if isLoop || node.is(SwitchExprSyntax.self) {
                let label = node.parent?.as(LabeledStmtSyntax.self)?.label.text
                nativeConstructs.append((label, isLoop))
                defer { nativeConstructs.removeLast() }
                walkChildren(node, into: &out)
                return
            }
        }
        walkChildren(node, into: &out)
    }

    private func walkChildren(_ node: Syntax, into out: inout String) {
        for child in node.children(viewMode: .sourceAccurate) { walk(child, into: &out) }
    }

    /// A closure passed straight to a call is taken as non-escaping (if the
    /// parameter is @escaping, Swift itself rejects the implicit `self`); one that
    /// is stored, returned or put into a collection may outlive the state it was
    /// created in.
    private func closureMayEscape(_ closure: ClosureExprSyntax) -> Bool {
        // CoroSwift's `go { ... }` (a body other than one coroutine call, which
        // TypedAPINormalize made a spawn) runs the closure as a new coroutine.
        if let call = closure.parent?.as(FunctionCallExprSyntax.self),
           call.calledExpression.as(DeclReferenceExprSyntax.self)?.baseName.text == "go" { return true }
        if closure.parent?.is(FunctionCallExprSyntax.self) == true { return false }   // trailing closure
        if closure.parent?.is(MultipleTrailingClosureElementSyntax.self) == true { return false }
        if let argument = closure.parent?.as(LabeledExprSyntax.self),
           argument.parent?.parent?.is(FunctionCallExprSyntax.self) == true {
            return false
        }
        return true
    }

    private func isNative(label: String?, isContinue: Bool) -> Bool {
        if let label { return nativeConstructs.contains { $0.label == label } }
        if isContinue { return nativeConstructs.contains { $0.isLoop } }
        return !nativeConstructs.isEmpty
    }
}

/// Evaluation order around hoisted suspend calls (DESIGN.md: temporaries keep
/// the evaluation order).  Constructor calls (`T(...)`) count as pure conversions.
enum OrderCheck {
    /// Calls of `root` that run before `call` (they end before it starts), outside
    /// closures and the subtrees in `skipping` (suspend calls, lowered sequences).
    static func callsEvaluatedBefore(_ call: FunctionCallExprSyntax, in root: Syntax,
                                     skipping: Set<SyntaxIdentifier>) -> [FunctionCallExprSyntax] {
        calls(in: root, skipping: skipping).filter { $0.endPositionBeforeTrailingTrivia <= call.positionAfterSkippingLeadingTrivia }
    }

    /// Calls inside the arguments of `call`: an operation is re-issued with the
    /// same argument expressions each time it is resumed ("call again").
    static func callsInArguments(of call: FunctionCallExprSyntax, skipping: Set<SyntaxIdentifier>) -> [FunctionCallExprSyntax] {
        calls(in: Syntax(call.arguments), skipping: skipping)
    }

    /// Calls in `root` that are not constructors, spawns, or inside closures or `skipping`.
    static func calls(in root: Syntax, skipping: Set<SyntaxIdentifier>) -> [FunctionCallExprSyntax] {
        final class Calls: SyntaxVisitor {
            var found: [FunctionCallExprSyntax] = []
            var skipping: Set<SyntaxIdentifier> = []
            override func visit(_ node: ClosureExprSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
            override func visit(_ node: SequenceExprSyntax) -> SyntaxVisitorContinueKind {
                skipping.contains(node.id) ? .skipChildren : .visitChildren
            }
            override func visit(_ node: FunctionCallExprSyntax) -> SyntaxVisitorContinueKind {
                if skipping.contains(node.id) || spawnMarker(node) != nil { return .skipChildren }
                if TypeRule.constructorCallee(node) == nil { found.append(node) }
                return .visitChildren
            }
        }
        let visitor = Calls(viewMode: .sourceAccurate)
        visitor.skipping = skipping
        visitor.walk(root)
        return visitor.found
    }
}

/// The frame-class calls that replace `coro_go(f(args))` and `coro_main(f(args))`
/// (`coro_go(x.m(args))`: the receiver x is the frame's first argument).
enum SpawnRewrite {
    static func text(marker: String, callee: CoroutineSignature, arguments: String, receiver: String? = nil) -> String {
        // A throwing coroutine's spawned task reports an error nobody can catch.
        let method = marker == "coro_go" ? (callee.throwsError ? "co_spawnReportingErrors" : "co_spawn") : "co_runMain"
        var passed = arguments
        if let receiver { passed = "co_self: \(receiver)" + (arguments.isEmpty ? "" : ", " + arguments) }
        return "\(callee.frameClassName)(\(passed)).\(method)(\"\(callee.qualifiedName)\")"
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
