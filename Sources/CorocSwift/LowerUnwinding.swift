// Pass 2, part of Lower: do/catch, defer and return around suspend points.
// A lowered `do` dispatches its catch clauses in a state of its own; a `defer`
// of lowered code runs inline on fall-off and in trampoline blocks on jumps,
// returns and throws; computeUnwindTargets gives each state the state that
// unwinds an error thrown in it (Lower.swift's invariant on per-state defers).
import CorocCore
import SwiftSyntax

extension Lower {
    // MARK: do / catch, defer, return

    func lowerDo(_ doStmt: DoStmtSyntax, label: String?) {
        let line = source.line(of: doStmt)
        let exit = newBlock(line: line)
        if let label { pushBlockContext(label: label, join: exit) }
        if doStmt.catchClauses.isEmpty {
            lowerStatements(doStmt.body.statements)
            jump(to: exit)
            if label != nil { jumpContexts.removeLast() }
            start(exit)
            return
        }
        let dispatch = newBlock(line: source.line(of: doStmt.catchClauses.first!))
        regions.append(Region(dispatch: dispatch, deferDepth: deferContext.count))
        regionStack.append(regions.count - 1)
        let body = newBlock(line: line)
        jump(to: body)
        start(body)
        lowerStatements(doStmt.body.statements)
        jump(to: exit)
        regionStack.removeLast()
        start(dispatch)
        declareVariable("co_error", type: "(any Swift.Error)?", at: doStmt.doKeyword)
        emit(.code("let co_e = co_error!\nco_error = nil\ndo {\n    throw co_e"), line: nil)
        let saved = cursor
        for clause in doStmt.catchClauses {
            cursor = saved
            let items = render(Syntax(clause.catchItems), replacements: [:]).text
            emit(.code("} catch \(items)\(items.isEmpty ? "" : " "){"), line: source.line(of: clause), structural: true)
            cursor.indent += 1
            if clause.catchItems.isEmpty {
                declareVariable("error", type: "any Swift.Error", at: clause.catchKeyword)
                emit(.bind(name: "error"), line: nil, kills: ["error"])
            }
            for item in clause.catchItems {
                guard let pattern = item.pattern else { continue }
                var type: String?
                if let binding = pattern.as(ValueBindingPatternSyntax.self),
                   let expression = binding.pattern.as(ExpressionPatternSyntax.self),
                   let sequence = expression.expression.as(SequenceExprSyntax.self),
                   let last = sequence.elements.last?.as(TypeExprSyntax.self) {
                    type = last.type.trimmedDescription
                }
                for name in boundNames(in: Syntax(pattern)) {
                    declareVariable(name, type: type, at: pattern)
                    emit(.bind(name: name), line: nil, kills: [name])
                }
            }
            lowerStatements(clause.body.statements)
            jump(to: exit)
        }
        cursor = saved
        emit(.code("}"), line: nil, structural: true)
        cursor.terminated = true
        if label != nil { jumpContexts.removeLast() }
        start(exit)
    }

    func lowerDefer(_ deferStmt: DeferStmtSyntax) {
        if needsLowering(deferStmt.body) {
            diagnostics.append(source.diagnostic(at: deferStmt, Messages.suspendInDefer))
            return
        }
        let id = defers.count
        defers[id] = deferStmt
        deferContext.append(id)
        if needsUnwindTable { split(line: source.line(of: deferStmt)) }
    }

    func emitDeferBody(_ id: Int) {
        guard let deferStmt = defers[id] else { return }
        for item in deferStmt.body.statements { emitNative(Syntax(item)) }
    }

    func lowerReturn(_ returnStmt: ReturnStmtSyntax) {
        let line = source.line(of: returnStmt)
        if let expression = returnStmt.expression {
            let replacements = hoist(in: Syntax(expression))
            let value = render(Syntax(expression), replacements: replacements)
            emit(.code("co_ret = .some(\(value.text))"), line: line, uses: value.uses, targets: value.targets)
        }
        if deferContext.isEmpty {
            emit(.finish, line: nil)
        } else {
            jump(to: trampoline(from: deferContext, to: 0, target: Self.finishTarget, backedge: false))
        }
    }

    /// A block that runs the defers of `context[depth...]` (innermost first), then
    /// jumps to `target` (Self.finishTarget: returns CORO_DONE).  Shared between
    /// jump sites with the same defers and target.
    func trampoline(from context: [Int], to depth: Int, target: Int, backedge: Bool) -> Int {
        if context.count <= depth && target >= 0 { return target }
        let key = "\(context[depth...].map(String.init).joined(separator: ","))->\(target)\(backedge ? "b" : "")"
        if let existing = trampolines[key] { return existing }
        let savedCursor = cursor
        let savedContext = deferContext
        deferContext = Array(context[..<min(depth, context.count)])
        let block = newBlock(line: blocks[cursor.block].line)
        trampolines[key] = block
        start(block)
        for id in context[depth...].reversed() { emitDeferBody(id) }
        if target == Self.finishTarget {
            emit(.finish, line: nil)
        } else if backedge {
            emit(.backedge(target), line: nil)
        } else {
            emit(.jump(target), line: nil)
        }
        deferContext = savedContext
        cursor = savedCursor
        return block
    }

    func computeUnwindTargets() -> [Int: Int] {
        let mayThrow = signature.throwsError || !regions.isEmpty
        guard mayThrow else { return [:] }
        var targets: [Int: Int] = [:]
        var index = 0
        while index < blocks.count {
            let block = blocks[index]
            index += 1
            if let region = block.region {
                targets[block.id] = trampoline(from: block.deferContext, to: regions[region].deferDepth,
                                               target: regions[region].dispatch, backedge: false)
            } else if signature.throwsError {
                if block.deferContext.isEmpty {
                    if finishBlock == nil {
                        let saved = cursor
                        finishBlock = newBlock(line: block.line)
                        start(finishBlock!)
                        emit(.finish, line: nil)
                        cursor = saved
                    }
                    targets[block.id] = finishBlock!
                } else {
                    targets[block.id] = trampoline(from: block.deferContext, to: 0, target: Self.finishTarget, backedge: false)
                }
            } else {
                if trapBlock == nil {
                    let saved = cursor
                    trapBlock = newBlock(line: block.line)
                    start(trapBlock!)
                    emit(.trap("an error escaped the non-throwing coroutine \(signature.name)"), line: nil)
                    cursor = saved
                }
                targets[block.id] = trapBlock!
            }
        }
        return targets
    }
}

/// Does a function body hold a `do`/`catch` that contains a suspend point (or a
/// loop), outside closures?  Such a catch is lowered into states.
final class LoweredCatchFinder: SyntaxVisitor {
    let classifier: SuspendClassifier
    private(set) var found = false

    init(classifier: SuspendClassifier) {
        self.classifier = classifier
        super.init(viewMode: .sourceAccurate)
    }

    static func containsLoweredCatch(_ function: FunctionDeclSyntax, classifier: SuspendClassifier) -> Bool {
        guard let body = function.body else { return false }
        let finder = LoweredCatchFinder(classifier: classifier)
        finder.walk(body)
        return finder.found
    }

    override func visit(_ node: ClosureExprSyntax) -> SyntaxVisitorContinueKind { .skipChildren }
    override func visit(_ node: DoStmtSyntax) -> SyntaxVisitorContinueKind {
        if !node.catchClauses.isEmpty,
           !SuspendCallCollector.collect(in: node, classifier: classifier).calls.isEmpty || LoopFinder.containsLoop(node) {
            found = true
        }
        return .visitChildren
    }
}
