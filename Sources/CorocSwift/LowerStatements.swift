// Pass 2, part of Lower: statements and declarations.  Each statement of a body
// is kept as written (no suspend point, no loop) or lowered: control flow to
// LowerControlFlow / LowerLoops, expressions with suspend calls to
// LowerSuspendPoints; each declaration becomes a frame variable candidate with
// its type as the type rule sees it (declareVariable is the one place that
// records a variable).  Invariants: see Lower.swift.
import CorocCore
import SwiftSyntax

extension Lower {
    // MARK: statements

    func lowerStatements(_ items: CodeBlockItemListSyntax) {
        let depthAtEntry = deferContext.count
        for item in items {
            lowerItem(item.item, label: nil)
        }
        if deferContext.count > depthAtEntry {
            let line = source.line(of: items.last ?? items.first!)
            if !cursor.terminated {
                for id in deferContext[depthAtEntry...].reversed() { emitDeferBody(id) }
            }
            deferContext.removeSubrange(depthAtEntry...)
            if !cursor.terminated && needsUnwindTable { split(line: line) }
        }
    }

    func lowerItem(_ item: CodeBlockItemSyntax.Item, label: String?) {
        switch item {
        case .decl(let decl):
            if let variable = decl.as(VariableDeclSyntax.self) {
                lowerVariable(variable)
            } else if let ifConfig = decl.as(IfConfigDeclSyntax.self), rejectSuspendInIfConfig(ifConfig) {
                return
            } else {
                // A local function or type lives in the state that declares it;
                // the translator rejects it if a later state uses it (Liveness).
                let name = decl.as(FunctionDeclSyntax.self)?.name.text ?? decl.asProtocol(NamedDeclSyntax.self)?.name.text
                if let name {
                    declareVariable(name, type: nil, at: decl, localDeclaration: true)
                }
                emitNative(Syntax(decl), kills: name.map { [$0] } ?? [])
            }
        case .stmt(let stmt):
            lowerStatement(stmt, label: label)
        case .expr(let expr):
            lowerExpression(expr, node: Syntax(expr), label: label)
        }
    }

    func lowerStatement(_ stmt: StmtSyntax, label: String?) {
        if let labeled = stmt.as(LabeledStmtSyntax.self) {
            lowerStatement(labeled.statement, label: labeled.label.text)
            return
        }
        if let expression = stmt.as(ExpressionStmtSyntax.self) {
            lowerExpression(expression.expression, node: Syntax(stmt), label: label)
            return
        }
        if let loop = stmt.as(WhileStmtSyntax.self), mustLowerLoop(loop) { lowerWhile(loop, label: label); return }
        if let loop = stmt.as(RepeatStmtSyntax.self), mustLowerLoop(loop) { lowerRepeat(loop, label: label); return }
        if let loop = stmt.as(ForStmtSyntax.self), mustLowerLoop(loop) { lowerFor(loop, label: label); return }
        if let guardStmt = stmt.as(GuardStmtSyntax.self) { lowerGuard(guardStmt); return }
        if let doStmt = stmt.as(DoStmtSyntax.self), needsLowering(doStmt) { lowerDo(doStmt, label: label); return }
        if let deferStmt = stmt.as(DeferStmtSyntax.self) { lowerDefer(deferStmt); return }
        if let returnStmt = stmt.as(ReturnStmtSyntax.self) { lowerReturn(returnStmt); return }
        if stmt.is(FallThroughStmtSyntax.self) {
            if let text = fallthroughText(for: Syntax(stmt)) {
                emit(.code(text.0), line: source.line(of: stmt), targets: [text.1])
            }
            cursor.terminated = true
            return
        }
        if stmt.is(BreakStmtSyntax.self) || stmt.is(ContinueStmtSyntax.self) {
            emitNative(Syntax(stmt))
            cursor.terminated = true
            return
        }
        if let throwStmt = stmt.as(ThrowStmtSyntax.self) {
            let replacements = hoist(in: Syntax(throwStmt.expression))
            emitNative(Syntax(stmt), replacements: replacements)
            cursor.terminated = true
            return
        }
        let replacements = hoist(in: Syntax(stmt))
        emitNative(Syntax(stmt), replacements: replacements)
    }

    func rejectSuspendInIfConfig(_ decl: IfConfigDeclSyntax) -> Bool {
        guard needsLowering(decl) else { return false }
        diagnostics.append(source.diagnostic(at: decl, Messages.suspendInIfConfig))
        return true
    }

    func lowerExpression(_ expr: ExprSyntax, node: Syntax, label: String?) {
        if let ifExpr = expr.as(IfExprSyntax.self), needsLowering(ifExpr) {
            lowerIf(ifExpr, label: label)
            return
        }
        if let switchExpr = expr.as(SwitchExprSyntax.self), needsLowering(switchExpr) {
            lowerSwitch(switchExpr, label: label)
            return
        }
        let replacements = hoist(in: Syntax(expr))
        // A statement that was only a suspend call has nothing left to run.
        if let replaced = replacements[Syntax(expr).id] ?? replacements[tryWrapped(expr).id], !replaced.hasPrefix("co_c") {
            if replaced == "()" || replaced.hasPrefix("co_t") { return }
        }
        emitNative(node, replacements: replacements)
    }

    /// `try f()` -> the `f()` node, so a statement `try f()` is recognized as a lone call.
    func tryWrapped(_ expr: ExprSyntax) -> Syntax {
        if let tryExpr = expr.as(TryExprSyntax.self) { return Syntax(tryExpr.expression) }
        return Syntax(expr)
    }

    func needsLowering(_ node: some SyntaxProtocol) -> Bool {
        let collector = SuspendCallCollector.collect(in: node, classifier: classifier)
        if !collector.calls.isEmpty { return true }
        if signature.noPreempt { return false }
        return LoopFinder.containsLoop(node)
    }

    func mustLowerLoop(_ loop: some SyntaxProtocol) -> Bool {
        !signature.noPreempt || !SuspendCallCollector.collect(in: loop, classifier: classifier).calls.isEmpty
    }

    // MARK: declarations

    func lowerVariable(_ decl: VariableDeclSyntax) {
        let replacements = hoist(in: Syntax(decl))
        let keyword = decl.bindingSpecifier.text
        let line = source.line(of: decl)
        let simple = decl.bindings.allSatisfy { $0.pattern.is(IdentifierPatternSyntax.self) && $0.accessorBlock == nil }
        if decl.attributes.isEmpty, decl.modifiers.isEmpty, decl.bindings.count == 1, let binding = decl.bindings.first,
           lowerTupleBinding(binding, keyword: keyword, replacements: replacements, line: line) {
            return
        }
        if !simple || !decl.attributes.isEmpty || !decl.modifiers.isEmpty {
            for binding in decl.bindings {
                for name in boundNames(in: Syntax(binding.pattern)) {
                    declareVariable(name, type: nil, at: binding.pattern, destructured: true)
                }
            }
            emitNative(Syntax(decl), replacements: replacements)
            return
        }
        for binding in decl.bindings {
            guard let pattern = binding.pattern.as(IdentifierPatternSyntax.self) else { continue }
            let name = pattern.identifier.text
            let writtenType = binding.typeAnnotation?.type.trimmedDescription
            var initializer: String?
            var uses: Set<String> = []
            var type = writtenType
            if let value = binding.initializer?.value {
                let rendered = render(Syntax(value), replacements: replacements)
                initializer = rendered.text
                uses = rendered.uses
                if type == nil {
                    if let temp = replacements[Syntax(value).id] ?? replacements[tryWrapped(value).id] {
                        type = known[temp]
                    } else {
                        type = TypeRule.visibleType(of: value, known: known, generics: generics)
                    }
                }
            }
            declareVariable(name, type: type, at: pattern)
            if type == nil, let value = binding.initializer?.value,
               let generic = TypeRule.genericConstructor(value, generics: generics) {
                variables[name]?.genericConstructor = generic
            }
            emit(.declare(name: name, keyword: keyword, writtenType: writtenType, initializer: initializer),
                 line: line, uses: uses, kills: initializer == nil ? [] : [name])
        }
    }

    /// `let (lo, hi): (Int, Int) = ...`, or `let (lo, hi) = f()` of a coroutine
    /// returning a tuple: the value goes into a temporary of the tuple type and
    /// each name takes its component, so each is a field of a visible type.
    /// False (nothing emitted) for any other pattern.
    func lowerTupleBinding(_ binding: PatternBindingSyntax, keyword: String, replacements: [SyntaxIdentifier: String],
                           line: Int) -> Bool {
        guard let tuple = binding.pattern.as(TuplePatternSyntax.self), let value = binding.initializer?.value,
              tuple.elements.allSatisfy({ $0.pattern.is(IdentifierPatternSyntax.self) || $0.pattern.is(WildcardPatternSyntax.self) })
        else { return false }
        var tupleType = binding.typeAnnotation?.type.trimmedDescription
        if tupleType == nil, let temp = replacements[Syntax(value).id] ?? replacements[tryWrapped(value).id] {
            tupleType = known[temp]
        }
        guard let tupleType, let components = TypeRule.tupleComponents(tupleType),
              components.count == tuple.elements.count else { return false }
        let rendered = render(Syntax(value), replacements: replacements)
        temporaryCounter += 1
        let temp = "co_t\(temporaryCounter)"
        declareVariable(temp, type: tupleType, at: binding.pattern)
        emit(.declare(name: temp, keyword: "let", writtenType: tupleType, initializer: rendered.text), line: line,
             uses: rendered.uses, kills: [temp], targets: rendered.targets)
        for (index, (element, type)) in zip(tuple.elements, components).enumerated() {
            guard let identifier = element.pattern.as(IdentifierPatternSyntax.self) else { continue }
            let name = identifier.identifier.text
            declareVariable(name, type: type, at: identifier)
            emit(.declare(name: name, keyword: keyword, writtenType: type, initializer: "\(temp).\(index)"), line: nil,
                 uses: [temp], kills: [name])
        }
        return true
    }

    func declareVariable(_ name: String, type: String?, at node: some SyntaxProtocol, destructured: Bool = false,
                                 localDeclaration: Bool = false) {
        let location = node.startLocation(converter: source.converter)
        if signature.parameters.contains(where: { $0.name == name }) {
            // Parameters are frame fields under their own names; a local of the
            // same name could not be told apart from them in later states.
            diagnostics.append(source.diagnostic(at: node, Messages.shadowsParameter(name)))
            return
        }
        if var existing = variables[name] {
            if let type, let previous = existing.type, previous != type {
                diagnostics.append(source.diagnostic(at: node, Messages.redeclared(name, previous, type)))
            }
            if existing.type == nil { existing.type = type }
            existing.destructured = existing.destructured || destructured
            existing.localDeclaration = existing.localDeclaration || localDeclaration
            variables[name] = existing
        } else {
            variables[name] = FrameVariable(name: name, type: type, line: location.line, column: location.column,
                                            destructured: destructured, localDeclaration: localDeclaration)
        }
        if let type { known[name] = type }
    }

    func boundNames(in node: Syntax) -> [String] {
        final class Names: SyntaxVisitor {
            var names: [String] = []
            override func visit(_ node: IdentifierPatternSyntax) -> SyntaxVisitorContinueKind {
                names.append(node.identifier.text)
                return .skipChildren
            }
            override func visit(_ node: ClosureExprSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
        }
        let visitor = Names(viewMode: .sourceAccurate)
        visitor.walk(node)
        return visitor.names
    }
}
