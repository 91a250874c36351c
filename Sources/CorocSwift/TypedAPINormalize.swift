// Pass 0a (both modes): the typed API's scheduling calls as the runtime calls
// the later passes know.
//
// Input:  a parsed file, its coroutines and those of the module's other files.
// Output: the file's text with
//   - `go { f(args) }` (a trailing closure holding one call of a coroutine of
//     the file, anywhere) rewritten to `coro_go(f(args))`: a spawn whose
//     arguments are evaluated at the spawn, as Go's `go f(x)` (a `go { }` with
//     any other body stays a call of CoroSwift's `go`, a stackful coroutine);
//   - inside coroutine bodies (not in their closures), `yield()` rewritten to
//     `coro_yield()` and `sleep(ms: e)` to `coro_sleep_ms(e)`, the runtime's
//     suspend points;
// or nil when nothing changed.  Lines are kept (the rewrites stay on their
// lines), so `#sourceLocation` and diagnostics still point at the input.
// The typed channel, wait-group and mutex calls need the receiver's type and
// are recognized later (SuspendClassifier.typedOperation).
import SwiftSyntax

enum TypedAPINormalize {
    static func normalizedText(of tree: SourceFileSyntax, coroutines: [CoroutineSignature]) -> String? {
        let names = Set(coroutines.map(\.name))
        // Only this file's bodies are in `tree`; the others' ids match nothing.
        let bodies = Set(coroutines.compactMap { $0.decl.body.map { Syntax($0).id } })
        let rewriter = Rewriter(coroutineNames: names, bodies: bodies)
        let rewritten = rewriter.rewrite(Syntax(tree))
        return rewriter.changed ? rewritten.description : nil
    }

    /// `go { call }`: the call when `node` is a `go` with a one-call trailing
    /// closure whose callee is a coroutine of the file (by name: `f(...)`,
    /// `T.f(...)`, `x.m(...)`).
    static func spawnedCall(_ node: FunctionCallExprSyntax, coroutineNames: Set<String>) -> FunctionCallExprSyntax? {
        guard let ref = node.calledExpression.as(DeclReferenceExprSyntax.self), ref.baseName.text == "go",
              node.arguments.isEmpty, node.additionalTrailingClosures.isEmpty,
              let closure = node.trailingClosure, closure.signature == nil, closure.statements.count == 1,
              let call = closure.statements.first?.item.as(FunctionCallExprSyntax.self) else { return nil }
        let callee: String?
        if let name = call.calledExpression.as(DeclReferenceExprSyntax.self) {
            callee = name.baseName.text
        } else {
            callee = call.calledExpression.as(MemberAccessExprSyntax.self)?.declName.baseName.text
        }
        guard let callee, coroutineNames.contains(callee) else { return nil }
        return call
    }

    private final class Rewriter: SyntaxRewriter {
        let coroutineNames: Set<String>
        let bodies: Set<SyntaxIdentifier>
        var changed = false
        private var bodyDepth = 0
        private var closureDepth = 0

        init(coroutineNames: Set<String>, bodies: Set<SyntaxIdentifier>) {
            self.coroutineNames = coroutineNames
            self.bodies = bodies
            super.init(viewMode: .sourceAccurate)
        }

        override func visit(_ node: CodeBlockSyntax) -> CodeBlockSyntax {
            let isBody = bodies.contains(node.id)
            if isBody { bodyDepth += 1 }
            defer { if isBody { bodyDepth -= 1 } }
            return super.visit(node)
        }

        override func visit(_ node: ClosureExprSyntax) -> ExprSyntax {
            closureDepth += 1
            defer { closureDepth -= 1 }
            return super.visit(node)
        }

        override func visit(_ node: FunctionCallExprSyntax) -> ExprSyntax {
            if let call = spawnedCall(node, coroutineNames: coroutineNames) {
                changed = true
                let inner = super.visit(call.with(\.leadingTrivia, []).with(\.trailingTrivia, []))
                let spawn = FunctionCallExprSyntax(
                    calledExpression: ExprSyntax(DeclReferenceExprSyntax(baseName: .identifier("coro_go"))),
                    leftParen: .leftParenToken(), arguments: [LabeledExprSyntax(expression: inner)],
                    rightParen: .rightParenToken())
                return ExprSyntax(spawn.with(\.leadingTrivia, node.leadingTrivia).with(\.trailingTrivia, node.trailingTrivia))
            }
            guard bodyDepth > 0, closureDepth == 0,
                  let ref = node.calledExpression.as(DeclReferenceExprSyntax.self), node.trailingClosure == nil else {
                return super.visit(node)
            }
            let labels = node.arguments.map { $0.label?.text }
            var renamed: String?
            if ref.baseName.text == "yield", labels.isEmpty { renamed = "coro_yield" }
            if ref.baseName.text == "sleep", labels == ["ms"] { renamed = "coro_sleep_ms" }
            guard let renamed else { return super.visit(node) }
            changed = true
            var node = node
            node.calledExpression = ExprSyntax(ref.with(\.baseName, .identifier(renamed, leadingTrivia: ref.baseName.leadingTrivia,
                                                                                   trailingTrivia: ref.baseName.trailingTrivia)))
            node.arguments = LabeledExprListSyntax(node.arguments.map {
                $0.with(\.label, nil).with(\.colon, nil).with(\.leadingTrivia, $0.label?.leadingTrivia ?? [])
            })
            return super.visit(node)
        }
    }
}
