// Pass 0 (stackless only): give every local declaration of a coroutine its own
// name, as a compiler gives each its own storage.
//
// Input:  a parsed file and its coroutines (CoroutineFinder's signatures).
// Output: the file's text in which each local that hides a visible local of the
//         same coroutine (a shadowing `let k` inside `for k`, `if let x = x`)
//         is renamed `co_N_name`, with every reference that
//         resolves to it; or nil when nothing needs renaming.  Lines are kept
//         (only identifiers change), so `#sourceLocation` and diagnostics keep
//         pointing at the input's lines.
//
// Why: frame fields are named after locals (Lower.swift), so two locals of one
// name would share a field; a value of the outer one would be overwritten by the
// inner one across a suspend point.
//
// Scopes follow Swift: a declaration is visible from after it to the end of its
// block; `if`/`while` bindings in later conditions and the body; `guard`
// bindings after the guard (not in its `else`); `for` patterns in the `where`
// clause and the body; case and catch patterns in their bodies.  Closure and
// local-function parameters shadow without renaming (they are never frame
// fields).  Member names (`x.k`), labels and types are not references.
import SwiftParser
import SwiftSyntax

final class ShadowRenamer {
    private var scopes: [[String: String]] = []
    private var parameters: Set<String> = []
    private var counter = 0
    private var renames: [SyntaxIdentifier: String] = [:]
    /// `if let x {` whose `x` is renamed: the condition needs `= <outer x>`.
    private var shorthand: [SyntaxIdentifier: String] = [:]

    /// The renamed text of `tree`, or nil when no coroutine needs it.
    static func renamedText(of tree: SourceFileSyntax, coroutines: [CoroutineSignature]) -> String? {
        let renamer = ShadowRenamer()
        for coroutine in coroutines {
            guard let body = coroutine.decl.body else { continue }
            renamer.parameters = Set(coroutine.parameters.map(\.name))
            renamer.scopes = [[:]]
            for parameter in coroutine.parameters { renamer.scopes[0][parameter.name] = parameter.name }
            renamer.walkStatements(body.statements)
        }
        if renamer.renames.isEmpty { return nil }
        return Applier(renames: renamer.renames, shorthand: renamer.shorthand).rewrite(tree).description
    }

    // MARK: scopes

    private func lookup(_ name: String) -> String? {
        for scope in scopes.reversed() { if let found = scope[name] { return found } }
        return nil
    }

    private func declare(_ token: TokenSyntax, rename: Bool = true) {
        let name = token.text
        guard name != "_" else { return }
        // Only a declaration that hides a visible local is renamed: siblings with
        // disjoint lifetimes may share a field (Lower checks their types agree),
        // and a local hiding a parameter keeps its diagnostic (Lower.shadowsParameter).
        let hidden = scopes.dropLast().contains { $0[name] != nil } || scopes[scopes.count - 1][name] != nil
        if rename && hidden && !parameters.contains(name) {
            counter += 1
            let fresh = "co_\(counter)_\(name)"
            renames[token.id] = fresh
            scopes[scopes.count - 1][name] = fresh
        } else {
            scopes[scopes.count - 1][name] = name
        }
    }

    private func declarePatterns(in node: some SyntaxProtocol, rename: Bool = true) {
        for token in Self.patternNames(in: Syntax(node)) { declare(token, rename: rename) }
    }

    private func scoped(_ body: () -> Void) {
        scopes.append([:])
        body()
        scopes.removeLast()
    }

    /// Identifiers bound by a pattern (not those of expression patterns, which are references).
    static func patternNames(in node: Syntax) -> [TokenSyntax] {
        final class Names: SyntaxVisitor {
            var tokens: [TokenSyntax] = []
            override func visit(_ node: IdentifierPatternSyntax) -> SyntaxVisitorContinueKind {
                tokens.append(node.identifier)
                return .skipChildren
            }
            override func visit(_ node: ExpressionPatternSyntax) -> SyntaxVisitorContinueKind {
                // `case .some(let x)`: patterns nested in an expression pattern still bind.
                .visitChildren
            }
            override func visit(_ node: TypeAnnotationSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
            override func visit(_ node: ClosureExprSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
        }
        let names = Names(viewMode: .sourceAccurate)
        names.walk(node)
        return names.tokens
    }

    // MARK: statements

    private func walkStatements(_ items: CodeBlockItemListSyntax) {
        scoped { for item in items { walk(Syntax(item.item)) } }
    }

    private func walkConditions(_ conditions: ConditionElementListSyntax) {
        for element in conditions {
            switch element.condition {
            case .optionalBinding(let binding):
                if let initializer = binding.initializer {
                    walk(Syntax(initializer.value))
                } else if let identifier = binding.pattern.as(IdentifierPatternSyntax.self) {
                    // `if let x {`: reads the outer `x`.
                    let outer = lookup(identifier.identifier.text) ?? identifier.identifier.text
                    shorthand[binding.id] = outer
                }
                declarePatterns(in: binding.pattern)
            case .matchingPattern(let matching):
                walk(Syntax(matching.initializer.value))
                walkPattern(Syntax(matching.pattern))
            case .expression(let expression):
                walk(Syntax(expression))
            case .availability:
                break
            }
        }
    }

    /// A case or `if case` pattern: expression parts are references, the rest binds.
    private func walkPattern(_ pattern: Syntax) {
        final class References: SyntaxVisitor {
            var expressions: [ExprSyntax] = []
            override func visit(_ node: ExpressionPatternSyntax) -> SyntaxVisitorContinueKind {
                expressions.append(node.expression)
                return .skipChildren
            }
            override func visit(_ node: TypeAnnotationSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
        }
        let references = References(viewMode: .sourceAccurate)
        references.walk(pattern)
        for expression in references.expressions { walkExpressionPattern(Syntax(expression)) }
        declarePatterns(in: pattern)
    }

    /// References inside an expression pattern, skipping the `let x` patterns inside it.
    private func walkExpressionPattern(_ node: Syntax) {
        if node.is(PatternExprSyntax.self) || node.is(ValueBindingPatternSyntax.self) { return }
        walk(node, skipPatterns: true)
    }

    private func walk(_ node: Syntax, skipPatterns: Bool = false) {
        if skipPatterns, node.is(PatternExprSyntax.self) { return }
        if node.is(TypeSyntax.self) { return }
        if let reference = node.as(DeclReferenceExprSyntax.self) {
            let name = reference.baseName.text
            if let resolved = lookup(name), resolved != name { renames[reference.baseName.id] = resolved }
            return
        }
        if let member = node.as(MemberAccessExprSyntax.self) {
            if let base = member.base { walk(Syntax(base)) }
            return
        }
        if let variable = node.as(VariableDeclSyntax.self) {
            for binding in variable.bindings {
                if let initializer = binding.initializer { walk(Syntax(initializer.value)) }
                if let accessors = binding.accessorBlock { walk(Syntax(accessors)) }
                declarePatterns(in: binding.pattern)
            }
            return
        }
        if let codeBlock = node.as(CodeBlockSyntax.self) {
            walkStatements(codeBlock.statements)
            return
        }
        if let ifExpr = node.as(IfExprSyntax.self) {
            scoped {
                walkConditions(ifExpr.conditions)
                walk(Syntax(ifExpr.body))
            }
            if let elseBody = ifExpr.elseBody { walk(Syntax(elseBody)) }
            return
        }
        if let guardStmt = node.as(GuardStmtSyntax.self) {
            // Bindings are visible after the guard, not in its `else`.
            scopes.append([:])
            walkConditions(guardStmt.conditions)
            let bound = scopes.removeLast()
            walk(Syntax(guardStmt.body))
            scopes[scopes.count - 1].merge(bound) { _, new in new }
            return
        }
        if let whileStmt = node.as(WhileStmtSyntax.self) {
            scoped {
                walkConditions(whileStmt.conditions)
                walk(Syntax(whileStmt.body))
            }
            return
        }
        if let forStmt = node.as(ForStmtSyntax.self) {
            walk(Syntax(forStmt.sequence))
            scoped {
                walkPattern(Syntax(forStmt.pattern))
                if let whereClause = forStmt.whereClause { walk(Syntax(whereClause.condition)) }
                walk(Syntax(forStmt.body))
            }
            return
        }
        if let switchExpr = node.as(SwitchExprSyntax.self) {
            walk(Syntax(switchExpr.subject))
            for element in switchExpr.cases {
                guard let switchCase = element.as(SwitchCaseSyntax.self) else { walk(Syntax(element)); continue }
                scoped {
                    if case .case(let label) = switchCase.label {
                        for item in label.caseItems {
                            walkPattern(Syntax(item.pattern))
                            if let whereClause = item.whereClause { walk(Syntax(whereClause.condition)) }
                        }
                    }
                    walkStatements(switchCase.statements)
                }
            }
            return
        }
        if let doStmt = node.as(DoStmtSyntax.self) {
            walk(Syntax(doStmt.body))
            for clause in doStmt.catchClauses {
                scoped {
                    if clause.catchItems.isEmpty {
                        scopes[scopes.count - 1]["error"] = "error"
                    }
                    for item in clause.catchItems {
                        if let pattern = item.pattern { walkPattern(Syntax(pattern)) }
                        if let whereClause = item.whereClause { walk(Syntax(whereClause.condition)) }
                    }
                    walk(Syntax(clause.body))
                }
            }
            return
        }
        if let closure = node.as(ClosureExprSyntax.self) {
            scoped {
                if let signature = closure.signature {
                    if let captures = signature.capture {
                        for item in captures.items {
                            if let initializer = item.initializer {
                                walk(Syntax(initializer.value))
                                declare(item.name, rename: false)
                            } else {
                                // `[x]` captures the outer `x` under its (possibly renamed) name.
                                let resolved = lookup(item.name.text) ?? item.name.text
                                if resolved != item.name.text { renames[item.name.id] = resolved }
                                scopes[scopes.count - 1][item.name.text] = resolved
                            }
                        }
                    }
                    switch signature.parameterClause {
                    case .simpleInput(let parameters)?:
                        for parameter in parameters { declare(parameter.name, rename: false) }
                    case .parameterClause(let clause)?:
                        for parameter in clause.parameters { declare(parameter.secondName ?? parameter.firstName, rename: false) }
                    case nil:
                        break
                    }
                }
                for item in closure.statements { walk(Syntax(item.item)) }
            }
            return
        }
        if let function = node.as(FunctionDeclSyntax.self) {
            declare(function.name, rename: false)
            scoped {
                for parameter in function.signature.parameterClause.parameters {
                    declare(parameter.secondName ?? parameter.firstName, rename: false)
                }
                if let body = function.body { walk(Syntax(body)) }
            }
            return
        }
        for child in node.children(viewMode: .sourceAccurate) { walk(child, skipPatterns: skipPatterns) }
    }

    /// Applies the renames (identifier tokens) and completes renamed shorthand bindings.
    private final class Applier: SyntaxRewriter {
        let renames: [SyntaxIdentifier: String]
        let shorthand: [SyntaxIdentifier: String]
        init(renames: [SyntaxIdentifier: String], shorthand: [SyntaxIdentifier: String]) {
            self.renames = renames
            self.shorthand = shorthand
            super.init(viewMode: .sourceAccurate)
        }
        override func visit(_ token: TokenSyntax) -> TokenSyntax {
            guard let fresh = renames[token.id] else { return token }
            return token.with(\.tokenKind, .identifier(fresh))
        }
        override func visit(_ node: OptionalBindingConditionSyntax) -> OptionalBindingConditionSyntax {
            let original = node
            var node = super.visit(node)
            if let outer = shorthand[original.id], let pattern = original.pattern.as(IdentifierPatternSyntax.self),
               renames[pattern.identifier.id] != nil {
                node.pattern = node.pattern.with(\.trailingTrivia, .space)
                node.initializer = InitializerClauseSyntax(equal: .equalToken(trailingTrivia: .space),
                                                           value: ExprSyntax(DeclReferenceExprSyntax(baseName: .identifier(outer))))
            }
            return node
        }
    }
}
