// Pass 2, part of Lower: control flow that contains suspend points (if, guard,
// switch, condition chains for && / || and condition lists, loops).  See
// Lower.swift for the invariants these keep: every branch ends in a jump, loop
// back-edges carry the preemption check, jump targets are allocated first.
import CorocCore
import SwiftSyntax

extension Lower {
    // MARK: if / guard / switch

    func lowerIf(_ ifExpr: IfExprSyntax, label: String?) {
        let line = source.line(of: ifExpr)
        if needsConditionChain(ifExpr.conditions) {
            lowerIfChain(ifExpr, label: label)
            return
        }
        let replacements = hoistConditions(ifExpr.conditions)
        let join = newBlock(line: line)
        if let label { pushBlockContext(label: label, join: join) }
        let conditions = render(Syntax(ifExpr.conditions), replacements: replacements)
        let bindings = conditionBindings(ifExpr.conditions, replacements: replacements)
        let saved = cursor
        emit(.code("if \(conditions.text) {"), line: line, uses: conditions.uses.subtracting(bindings),
             targets: conditions.targets)
        cursor.indent += 1
        for name in bindings { emit(.bind(name: name), line: nil, kills: [name]) }
        lowerStatements(ifExpr.body.statements)
        jump(to: join)
        cursor = saved
        emit(.code("} else {"), line: nil, structural: true)
        cursor.indent += 1
        switch ifExpr.elseBody {
        case .ifExpr(let nested)?:
            if needsLowering(nested) {
                lowerIf(nested, label: nil)
            } else {
                emitNative(Syntax(nested))
            }
        case .codeBlock(let block)?:
            lowerStatements(block.statements)
        case nil:
            break
        }
        jump(to: join)
        cursor = saved
        emit(.code("}"), line: nil, structural: true)
        cursor.terminated = true
        if label != nil { jumpContexts.removeLast() }
        start(join)
    }

    func lowerGuard(_ guardStmt: GuardStmtSyntax) {
        let line = source.line(of: guardStmt)
        if needsConditionChain(guardStmt.conditions) {
            let elseBlock = newBlock(line: source.line(of: guardStmt.body))
            let after = newBlock(line: line)
            lowerConditionChain(guardStmt.conditions, ifTrue: after, ifFalse: elseBlock)
            start(elseBlock)
            lowerStatements(guardStmt.body.statements)
            if !cursor.terminated { emit(.trap("guard body of \(signature.name) fell through"), line: nil) }
            start(after)
            return
        }
        let replacements = hoistConditions(guardStmt.conditions)
        var conditions = render(Syntax(guardStmt.conditions), replacements: replacements)
        let bindings = conditionBindings(guardStmt.conditions, replacements: replacements)
        conditions.uses.subtract(bindings)
        if needsLowering(guardStmt.body) {
            let elseBlock = newBlock(line: source.line(of: guardStmt.body))
            let after = newBlock(line: line)
            emit(.code("guard \(conditions.text) else { co_hdr.pointee.state = \(elseBlock); continue co_dispatch }"),
                 line: line, uses: conditions.uses, targets: conditions.targets.union([elseBlock]))
            for name in bindings { emit(.bind(name: name), line: nil, kills: [name]) }
            jump(to: after)
            start(elseBlock)
            lowerStatements(guardStmt.body.statements)
            if !cursor.terminated {
                emit(.trap("guard body of \(signature.name) fell through"), line: nil)
            }
            start(after)
        } else {
            let body = render(Syntax(guardStmt.body), replacements: [:])
            emit(.code("guard \(conditions.text) else \(body.text)"), line: line,
                 uses: conditions.uses.union(body.uses), targets: conditions.targets.union(body.targets))
            for name in bindings { emit(.bind(name: name), line: nil, kills: [name]) }
        }
    }

    // MARK: condition chains

    /// A condition needs the chain lowering when a suspend point sits in a later
    /// element of a condition list or right of a top-level `&&` / `||`: it must
    /// run only when the conditions before it have decided so.
    func needsConditionChain(_ conditions: ConditionElementListSyntax) -> Bool {
        for (index, element) in conditions.enumerated() {
            let calls = SuspendCallCollector.collect(in: element, classifier: classifier).calls
            if calls.isEmpty { continue }
            if index > 0 { return true }
            for (call, _) in calls {
                if let op = conditionalEvaluation(of: call, within: Syntax(element)), op == "'&&'" || op == "'||'" {
                    return true
                }
            }
        }
        return false
    }

    /// Lowers `conditions` into tests that jump to `ifTrue` when all hold and to
    /// `ifFalse` as soon as one fails, evaluating each element (and each operand
    /// of a top-level `&&` / `||`) only when Swift would.  Bindings become frame
    /// fields when the code after the test uses them.
    func lowerConditionChain(_ conditions: ConditionElementListSyntax, ifTrue: Int, ifFalse: Int) {
        let elements = Array(conditions)
        for (index, element) in elements.enumerated() {
            let isLast = index == elements.count - 1
            let next = isLast ? ifTrue : newBlock(line: source.line(of: element))
            switch element.condition {
            case .expression(let expression):
                lowerBoolean(expression, ifTrue: next, ifFalse: ifFalse)
            default:
                let replacements = hoist(in: Syntax(element.condition))
                var rendered = render(Syntax(element.condition), replacements: replacements)
                let bindings = conditionBindings([element], replacements: replacements)
                rendered.uses.subtract(bindings)
                emit(.code("guard \(rendered.text) else { co_hdr.pointee.state = \(ifFalse); continue co_dispatch }"),
                     line: source.line(of: element), uses: rendered.uses, targets: rendered.targets.union([ifFalse]))
                for name in bindings { emit(.bind(name: name), line: nil, kills: [name]) }
                jump(to: next)
            }
            if !isLast { start(next) }
        }
    }

    /// `a || b` tests b only when a is false, `a && b` only when a is true.
    func lowerBoolean(_ expression: ExprSyntax, ifTrue: Int, ifFalse: Int) {
        if let sequence = expression.as(SequenceExprSyntax.self) {
            lowerOperand(Array(sequence.elements), ifTrue: ifTrue, ifFalse: ifFalse)
        } else {
            lowerOperand([expression], ifTrue: ifTrue, ifFalse: ifFalse)
        }
    }

    /// `elements`: a run of an unfolded operator sequence (operands and operators).
    func lowerOperand(_ elements: [ExprSyntax], ifTrue: Int, ifFalse: Int) {
        if let split = splitAtLowestLogical(elements) {
            for (index, operand) in split.operands.enumerated() {
                let isLast = index == split.operands.count - 1
                let next = isLast ? ifTrue : newBlock(line: source.line(of: operand.first!))
                let onTrue = isLast ? ifTrue : (split.isOr ? ifTrue : next)
                let onFalse = isLast ? ifFalse : (split.isOr ? next : ifFalse)
                lowerOperand(operand, ifTrue: onTrue, ifFalse: onFalse)
                if !isLast { start(next) }
            }
            return
        }
        var replacements: [SyntaxIdentifier: String] = [:]
        for element in elements { replacements.merge(hoist(in: Syntax(element)), uniquingKeysWith: { a, _ in a }) }
        var text: [String] = []
        var uses: Set<String> = []
        var targets: Set<Int> = [ifFalse]
        for element in elements {
            let rendered = render(Syntax(element), replacements: replacements)
            text.append(rendered.text)
            uses.formUnion(rendered.uses)
            targets.formUnion(rendered.targets)
        }
        emit(.code("guard \(text.joined(separator: " ")) else { co_hdr.pointee.state = \(ifFalse); continue co_dispatch }"),
             line: source.line(of: elements[0]), uses: uses, targets: targets)
        jump(to: ifTrue)
    }

    /// Splits a run of an unfolded operator sequence at its lowest-precedence
    /// logical operator (`||` binds looser than `&&`); nil when there is none, or
    /// when an operator binding looser still (`?:`, `=`) makes splitting wrong.
    func splitAtLowestLogical(_ elements: [ExprSyntax]) -> (isOr: Bool, operands: [[ExprSyntax]])? {
        var hasOr = false
        var hasAnd = false
        for element in elements {
            if element.is(UnresolvedTernaryExprSyntax.self) || element.is(AssignmentExprSyntax.self) { return nil }
            if let op = element.as(BinaryOperatorExprSyntax.self) {
                if op.operator.text == "||" { hasOr = true }
                if op.operator.text == "&&" { hasAnd = true }
            }
        }
        guard hasOr || hasAnd else { return nil }
        let splitter = hasOr ? "||" : "&&"
        var operands: [[ExprSyntax]] = [[]]
        for element in elements {
            if let op = element.as(BinaryOperatorExprSyntax.self), op.operator.text == splitter {
                operands.append([])
            } else {
                operands[operands.count - 1].append(element)
            }
        }
        return (hasOr, operands)
    }

    func lowerIfChain(_ ifExpr: IfExprSyntax, label: String?) {
        let line = source.line(of: ifExpr)
        let join = newBlock(line: line)
        let thenBlock = newBlock(line: source.line(of: ifExpr.body))
        let elseBlock = ifExpr.elseBody == nil ? join : newBlock(line: line)
        if let label { pushBlockContext(label: label, join: join) }
        lowerConditionChain(ifExpr.conditions, ifTrue: thenBlock, ifFalse: elseBlock)
        start(thenBlock)
        lowerStatements(ifExpr.body.statements)
        jump(to: join)
        switch ifExpr.elseBody {
        case .ifExpr(let nested)?:
            start(elseBlock)
            if needsLowering(nested) { lowerIf(nested, label: nil) } else { emitNative(Syntax(nested)) }
            jump(to: join)
        case .codeBlock(let block)?:
            start(elseBlock)
            lowerStatements(block.statements)
            jump(to: join)
        case nil:
            break
        }
        if label != nil { jumpContexts.removeLast() }
        start(join)
    }

    /// Hoists the suspend calls of a condition list that needs no chain
    /// (needsConditionChain is false: only the first element suspends, and not
    /// right of a short-circuit operator), so they run before the test.
    func hoistConditions(_ conditions: ConditionElementListSyntax) -> [SyntaxIdentifier: String] {
        guard let first = conditions.first else { return [:] }
        return hoist(in: Syntax(first))
    }

    /// Names bound by `if let x`, `if case .a(let x)`, with their types when visible.
    /// `replacements`: the hoisted suspend calls of the conditions, so a binding
    /// of a coroutine's result (`guard let n = name(id)`) takes its declared type.
    func conditionBindings(_ conditions: some Sequence<ConditionElementSyntax>,
                           replacements: [SyntaxIdentifier: String] = [:]) -> [String] {
        var names: [String] = []
        for condition in conditions {
            switch condition.condition {
            case .optionalBinding(let binding):
                guard let pattern = binding.pattern.as(IdentifierPatternSyntax.self) else { continue }
                let name = pattern.identifier.text
                var type = binding.typeAnnotation?.type.trimmedDescription
                if type == nil {
                    if let value = binding.initializer?.value {
                        if let temp = replacements[Syntax(value).id] ?? replacements[tryWrapped(value).id] {
                            type = known[temp]
                        } else {
                            type = TypeRule.visibleType(of: value, known: known, generics: generics)
                        }
                    } else {
                        type = known[name]
                    }
                    if let optional = type, optional.hasSuffix("?") { type = String(optional.dropLast()) } else { type = nil }
                }
                declareVariable(name, type: type, at: pattern)
                names.append(name)
            case .matchingPattern(let match):
                for name in boundNames(in: Syntax(match.pattern)) {
                    declareVariable(name, type: nil, at: match.pattern)
                    names.append(name)
                }
            default:
                continue
            }
        }
        return names
    }

    func lowerSwitch(_ switchExpr: SwitchExprSyntax, label: String?) {
        let line = source.line(of: switchExpr)
        let replacements = hoist(in: Syntax(switchExpr.subject))
        let subject = render(Syntax(switchExpr.subject), replacements: replacements)
        let exit = newBlock(line: line)
        jumpContexts.append(JumpContext(kind: .switchCase, label: label, breakTarget: exit, continueTarget: nil,
                                        continueIsBackedge: false, deferDepth: deferContext.count))
        let saved = cursor
        emit(.code("switch \(subject.text) {"), line: line, uses: subject.uses)
        // A case that falls through jumps to a block of the next case's body
        // (allocated here, started after that case's label), so a suspend point
        // in the next case stores its own state.
        var entryOfNext: Int?
        for element in switchExpr.cases {
            guard let switchCase = element.as(SwitchCaseSyntax.self) else {
                diagnostics.append(source.diagnostic(at: element, Messages.ifConfigInSwitch))
                continue
            }
            cursor = saved
            let caseLabel = render(Syntax(switchCase.label), replacements: [:])
            let bound = boundNames(in: Syntax(switchCase.label))
            // No line: a #sourceLocation between `switch {` and a case label is not allowed.
            emit(.code(caseLabel.text), line: nil, uses: caseLabel.uses.subtracting(bound), structural: true)
            cursor.indent += 1
            for name in bound {
                declareVariable(name, type: nil, at: switchCase.label)
                emit(.bind(name: name), line: nil, kills: [name])
            }
            if let entry = entryOfNext {
                jump(to: entry)
                start(entry)
            }
            entryOfNext = FallthroughFinder.fallsThrough(switchCase) ? newBlock(line: source.line(of: switchCase)) : nil
            jumpContexts[jumpContexts.count - 1].fallthroughTarget = entryOfNext
            lowerStatements(switchCase.statements)
            jump(to: exit)
        }
        if let entry = entryOfNext {   // `fallthrough` in the last case: Swift rejects it; keep the block graph whole
            start(entry)
            jump(to: exit)
        }
        cursor = saved
        emit(.code("}"), line: nil, structural: true)
        cursor.terminated = true
        jumpContexts.removeLast()
        start(exit)
    }

    func pushBlockContext(label: String, join: Int) {
        jumpContexts.append(JumpContext(kind: .block, label: label, breakTarget: join, continueTarget: nil,
                                        continueIsBackedge: false, deferDepth: deferContext.count))
    }
}

/// Whether a case's body contains a `fallthrough` of this switch (not of a
/// switch nested in it; closures and local functions cannot fall through).
enum FallthroughFinder {
    static func fallsThrough(_ switchCase: SwitchCaseSyntax) -> Bool {
        final class Finder: SyntaxVisitor {
            var found = false
            override func visit(_ node: FallThroughStmtSyntax) -> SyntaxVisitorContinueKind { found = true; return .skipChildren }
            override func visit(_ node: SwitchExprSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
            override func visit(_ node: ClosureExprSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
            override func visit(_ node: FunctionDeclSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
        }
        let finder = Finder(viewMode: .sourceAccurate)
        finder.walk(switchCase.statements)
        return finder.found
    }
}
