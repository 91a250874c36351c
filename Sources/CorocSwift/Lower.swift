// Pass 2: lower one coroutine body into state blocks (regenerator's "explode").
// This file holds the driver of the pass (blocks, the cursor, statements,
// declarations, defer/return/trampolines, unwinding, kept statements);
// LowerSuspendPoints.swift and LowerControlFlow.swift extend it.
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
        case .code, .declare, .bind: break
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

    // MARK: native statements

    func emitNative(_ node: Syntax, replacements: [SyntaxIdentifier: String] = [:], kills declared: Set<String> = []) {
        let rendered = render(node, replacements: replacements)
        if rendered.text.isEmpty { return }
        var kills = declared
        if let sequence = node.as(ExpressionStmtSyntax.self)?.expression.as(SequenceExprSyntax.self) ?? node.as(SequenceExprSyntax.self) {
            let elements = Array(sequence.elements)
            if elements.count == 3, elements[1].is(AssignmentExprSyntax.self),
               let target = elements[0].as(DeclReferenceExprSyntax.self) {
                kills.insert(target.baseName.text)
            }
        }
        var uses = rendered.uses
        // A recursive local function names itself in its body: that is not a use of
        // an earlier value (it would make the function look live into this state).
        if let function = node.as(FunctionDeclSyntax.self) { uses.remove(function.name.text) }
        emit(.code(rendered.text), line: source.line(of: node), uses: uses, kills: kills,
             targets: rendered.targets)
    }

    struct Rendered {
        var text: String
        var uses: Set<String>
        var targets: Set<Int>
    }

    /// The text of `node` with `replacements`, spawns rewritten, and `return` /
    /// `break` / `continue` that leave lowered code turned into jumps.  Lines after
    /// the first keep their indentation relative to the node's first line.
    func render(_ node: Syntax, replacements: [SyntaxIdentifier: String]) -> Rendered {
        let renderer = NativeRenderer(lower: self, replacements: replacements)
        var text = renderer.render(node)
        text = reindent(text.trimmingWhitespace(), column: source.column(of: node))
        // The temporaries that replaced suspend calls are read here too ("co_t1"
        // also matches "co_t10": an over-approximation, which Liveness tolerates).
        let temporaries = Set(replacements.values.filter { $0.hasPrefix("co_t") && text.contains($0) })
        return Rendered(text: text, uses: referencedNames(in: node, skipping: Set(replacements.keys)).union(temporaries),
                        targets: renderer.targets)
    }

    func reindent(_ text: String, column: Int) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 1 else { return text }
        var result = [String(lines[0])]
        for line in lines.dropFirst() {
            let leading = line.prefix(while: { $0 == " " }).count
            result.append(String(line.dropFirst(min(leading, column - 1))))
        }
        return result.joined(separator: "\n")
    }

    /// Names read by `node`, not counting the subtrees in `skipping` (suspend
    /// calls already hoisted into earlier states: their arguments were read there).
    func referencedNames(in node: Syntax, skipping: Set<SyntaxIdentifier> = []) -> Set<String> {
        final class References: SyntaxAnyVisitor {
            var names: Set<String> = []
            var skipping: Set<SyntaxIdentifier> = []
            override func visitAny(_ node: Syntax) -> SyntaxVisitorContinueKind {
                skipping.contains(node.id) ? .skipChildren : .visitChildren
            }
            override func visit(_ node: DeclReferenceExprSyntax) -> SyntaxVisitorContinueKind {
                if skipping.contains(node.id) { return .skipChildren }
                if let member = node.parent?.as(MemberAccessExprSyntax.self), member.declName.id == node.id {
                    return .skipChildren
                }
                // `self` of an instance-method coroutine is the frame field co_self.
                names.insert(node.baseName.tokenKind == .keyword(.self) ? "co_self" : node.baseName.text)
                return .skipChildren
            }
        }
        let visitor = References(viewMode: .sourceAccurate)
        visitor.skipping = skipping
        visitor.walk(node)
        return visitor.names
    }

    /// Closures of the body that may escape, with the names they read.
    var escapingClosures: [(closure: ClosureExprSyntax, names: Set<String>)] = []

    func noteEscapingClosure(_ closure: ClosureExprSyntax) {
        if escapingClosures.contains(where: { $0.closure.id == closure.id }) { return }
        escapingClosures.append((closure, referencedNames(in: Syntax(closure))))
    }

    /// Text of a jump out of lowered code to a break/continue target or a return.
    func jumpText(for statement: Syntax, label: String?, isContinue: Bool) -> (String, Int)? {
        let context: JumpContext?
        if let label {
            context = jumpContexts.last { $0.label == label }
        } else if isContinue {
            context = jumpContexts.last { $0.kind == .loop }
        } else {
            context = jumpContexts.last { $0.kind != .block }
        }
        guard let context else {
            diagnostics.append(source.diagnostic(at: statement, Messages.jumpTarget(label)))
            return nil
        }
        if isContinue {
            guard let target = context.continueTarget else {
                diagnostics.append(source.diagnostic(at: statement, Messages.jumpTarget(label)))
                return nil
            }
            let via = trampoline(from: deferContext, to: context.deferDepth, target: target, backedge: context.continueIsBackedge)
            if via == target && context.continueIsBackedge {
                return ("co_hdr.pointee.state = \(target); if coro_preempt_pending() != 0 { return CORO_YIELDED }; continue co_dispatch", target)
            }
            return ("co_hdr.pointee.state = \(via); continue co_dispatch", via)
        }
        let via = trampoline(from: deferContext, to: context.deferDepth, target: context.breakTarget, backedge: false)
        return ("co_hdr.pointee.state = \(via); continue co_dispatch", via)
    }

    /// Text of `fallthrough` in a case of a lowered switch: a jump to the block
    /// where the next case's body starts (through the case's defers).
    func fallthroughText(for statement: Syntax) -> (String, Int)? {
        guard let context = jumpContexts.last(where: { $0.kind == .switchCase }),
              let target = context.fallthroughTarget else {
            diagnostics.append(source.diagnostic(at: statement, Messages.fallthroughTarget))
            return nil
        }
        let via = trampoline(from: deferContext, to: context.deferDepth, target: target, backedge: false)
        return ("co_hdr.pointee.state = \(via); continue co_dispatch", via)
    }

    func returnText(value: String?) -> (String, Int?) {
        var text = value.map { "co_ret = .some(\($0)); " } ?? ""
        if deferContext.isEmpty {
            text += "return CORO_DONE"
            return (text, nil)
        }
        let via = trampoline(from: deferContext, to: 0, target: Self.finishTarget, backedge: false)
        return (text + "co_hdr.pointee.state = \(via); continue co_dispatch", via)
    }

    func spawnText(_ call: FunctionCallExprSyntax, marker: String, renderArguments: (Syntax) -> String) -> String? {
        if marker == "coro_main" {
            diagnostics.append(source.diagnostic(at: call, Messages.mainInsideCoroutine))
            return nil
        }
        guard call.arguments.count == 1, let inner = call.arguments.first?.expression.as(FunctionCallExprSyntax.self),
              let callee = classifier.coroutine(calledBy: inner) else {
            diagnostics.append(source.diagnostic(at: call, Messages.spawnNeedsCoroutine(marker)))
            return nil
        }
        return SpawnRewrite.text(marker: marker, callee: callee, arguments: renderArguments(Syntax(inner.arguments)),
                                 receiver: SuspendClassifier.receiver(of: inner, callee: callee).map { renderArguments(Syntax($0)) })
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
