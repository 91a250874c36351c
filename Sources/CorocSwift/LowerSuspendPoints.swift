// Pass 2, part of Lower: suspend points.  Each suspend call of a statement
// becomes a state of its own, in evaluation order (see Lower.swift for the
// invariants); the rest of the statement reads the call's result from a
// temporary.  Also the evaluation-order checks of DESIGN.md's "normalize" step,
// and the lowering of `&&` / `||` / `?:` whose conditional operand suspends
// (a temporary and an `if`, keeping Swift's short-circuit order).
import CorocCore
import SwiftSyntax

extension Lower {
    // MARK: suspend points

    /// Turns each suspend call in `node` into a state of its own, in evaluation
    /// order, and returns the text that replaces each call in the rest of the
    /// statement (its result temporary, or `()`).
    func hoist(in node: Syntax) -> [SyntaxIdentifier: String] {
        let collector = SuspendCallCollector.collect(in: node, classifier: classifier)
        for (call, site) in collector.inClosure {
            if case .await(let callee) = site {
                diagnostics.append(source.diagnostic(at: call, Messages.awaitInClosure(callee.name)))
            }
        }
        var replacements: [SyntaxIdentifier: String] = [:]
        let suspendIDs = Set(collector.calls.map { $0.call.id })
        // Sequences lowered into states for a short-circuit operator: the calls
        // inside them are hoisted there, and checks skip them.
        // A sequence is lowered as a whole, from its first suspend call on (which
        // may itself be unconditional, `f() || g()`).
        var lowered: [SequenceExprSyntax] = []
        var skipped = suspendIDs
        var shortCircuits: [SequenceExprSyntax] = []
        for (call, _) in collector.calls {
            if let problem = conditionalEvaluation(of: call, within: node), problem != "'??'",
               let sequence = outermostSequence(containing: call, within: node) {
                shortCircuits.append(sequence)
            }
        }
        func inside(_ sequence: SequenceExprSyntax, _ call: FunctionCallExprSyntax) -> Bool {
            sequence.position <= call.position && call.endPosition <= sequence.endPosition
        }
        for (call, site) in collector.calls {
            if lowered.contains(where: { inside($0, call) }) { continue }
            let enclosing = shortCircuits.first { inside($0, call) }
            if let problem = conditionalEvaluation(of: call, within: node) ?? enclosing.map({ _ in "" }) {
                guard problem != "'??'", let sequence = enclosing else {
                    diagnostics.append(source.diagnostic(at: call, Messages.conditionalSuspend(site.what, problem)))
                    continue
                }
                if let earlier = OrderCheck.callsEvaluatedBefore(call, in: node, skipping: skipped).first(where: {
                    $0.endPositionBeforeTrailingTrivia <= sequence.positionAfterSkippingLeadingTrivia
                }) {
                    diagnostics.append(source.diagnostic(at: earlier, Messages.callBeforeSuspend(site.what)))
                    continue
                }
                lowered.append(sequence)
                skipped.insert(sequence.id)
                replacements[sequence.id] = lowerShortCircuit(sequence, replacements: replacements)
                continue
            }
            if let earlier = OrderCheck.callsEvaluatedBefore(call, in: node, skipping: skipped).first {
                diagnostics.append(source.diagnostic(at: earlier, Messages.callBeforeSuspend(site.what)))
                continue
            }
            // An await's arguments are evaluated once, into the callee's frame; a
            // typed-API call's too (an autoclosure run on the first attempt only).
            if case .await = site {} else if case .typed = site {} else if let inner = OrderCheck.callsInArguments(of: call, skipping: skipped).first {
                diagnostics.append(source.diagnostic(at: inner, Messages.callInSuspendArguments(site.what)))
                continue
            }
            // A `try?` / `try!` over more than the call (`try? f() + 1`): the await
            // would rethrow inside it, and the error would escape.
            if let wide = Self.enclosingOptionalTry(of: call, within: node) {
                diagnostics.append(source.diagnostic(at: wide, Messages.wideOptionalTry(wide.questionOrExclamationMark?.text ?? "?")))
                continue
            }
            // `try f()` of a coroutine: the error is rethrown by the await itself;
            // `try? f()` / `try! f()`: the await turns it into nil / a trap.
            var replaced = Syntax(call)
            var errorHandling = AwaitErrorHandling.rethrow
            if let tryExpr = call.parent?.as(TryExprSyntax.self) {
                replaced = Syntax(tryExpr)
                switch tryExpr.questionOrExclamationMark?.tokenKind {
                case .postfixQuestionMark?: errorHandling = .optional
                case .exclamationMark?: errorHandling = .trap
                default: break
                }
            }
            let value = lowerSuspendCall(call, site: site, replacements: replacements, errorHandling: errorHandling)
            replacements[replaced.id] = value
            replacements[Syntax(call).id] = value
        }
        return replacements
    }

    /// A `try?` / `try!` inside `root` that covers `call` but is not its direct parent.
    static func enclosingOptionalTry(of call: FunctionCallExprSyntax, within root: Syntax) -> TryExprSyntax? {
        var node = Syntax(call).parent
        var direct = true
        while let current = node {
            if current.is(ClosureExprSyntax.self) { return nil }
            if let tryExpr = current.as(TryExprSyntax.self), tryExpr.questionOrExclamationMark != nil {
                // Before operator folding `try? f() + 1` is `[try? f(), +, 1]`: the
                // `try?` still covers the whole sequence.
                if let list = tryExpr.parent?.as(ExprListSyntax.self), list.count > 1 { return tryExpr }
                return direct ? nil : tryExpr
            }
            direct = false
            if current.id == root.id { return nil }
            node = current.parent
        }
        return nil
    }

    // MARK: short-circuit operators around suspend points

    /// The outermost operator sequence around `call` inside `root` (closures
    /// excluded): the unit lowerShortCircuit takes apart by precedence.
    func outermostSequence(containing call: FunctionCallExprSyntax, within root: Syntax) -> SequenceExprSyntax? {
        var found: SequenceExprSyntax?
        var node: Syntax? = Syntax(call)
        while let current = node {
            if current.is(ClosureExprSyntax.self) { return nil }
            if let sequence = current.as(SequenceExprSyntax.self) { found = sequence }
            if current.id == root.id { break }
            node = current.parent
        }
        return found
    }

    /// Lowers an operator sequence in which a suspend point is evaluated only
    /// conditionally (right of `&&` / `||`, in a branch of `?:`), keeping Swift's
    /// short-circuit order: the operands that always run are evaluated into a
    /// temporary (a frame field), and an `if` on it leads to the states of the
    /// conditional operand, which stores its value into the same temporary.  As
    /// the C frontend does.  Returns the text that stands for the sequence.
    func lowerShortCircuit(_ sequence: SequenceExprSyntax, replacements: [SyntaxIdentifier: String]) -> String {
        var elements = Array(sequence.elements)
        // `try a && f()` parses as `(try a) && f()` before operator folding, but
        // the `try` covers the whole sequence: it moves to each operand that
        // keeps a call (a `try` over no call would draw a warning).
        let saved = shortCircuitUnderTry
        defer { shortCircuitUnderTry = saved }
        if let tryExpr = elements.first?.as(TryExprSyntax.self), tryExpr.questionOrExclamationMark == nil {
            elements[0] = tryExpr.expression
            shortCircuitUnderTry = true
        }
        return lowerRun(elements, in: sequence, replacements: replacements).text
    }

    /// `elements`: a run of an unfolded operator sequence (operands and
    /// operators).  Splits at the loosest operator first: assignment, `?:`
    /// (right-associative), `||`, `&&` (left-associative: the last one).
    private func lowerRun(_ elements: [ExprSyntax], in sequence: SequenceExprSyntax,
                          replacements outer: [SyntaxIdentifier: String]) -> Rendered {
        let line = source.line(of: elements[0])
        if let index = elements.firstIndex(where: { Self.isAssignment($0) }) {
            let left = lowerRun(Array(elements[..<index]), in: sequence, replacements: outer)
            let right = lowerRun(Array(elements[(index + 1)...]), in: sequence, replacements: outer)
            let op = elements[index].trimmedDescription
            return Rendered(text: "\(left.text) \(op) \(right.text)", uses: left.uses.union(right.uses),
                            targets: left.targets.union(right.targets))
        }
        if let index = elements.firstIndex(where: { $0.is(UnresolvedTernaryExprSyntax.self) }),
           let ternary = elements[index].as(UnresolvedTernaryExprSyntax.self), index > 0, index < elements.count - 1 {
            let condition = lowerRun(Array(elements[..<index]), in: sequence, replacements: outer)
            temporaryCounter += 1
            let temp = "co_t\(temporaryCounter)"
            let thenBlock = newBlock(line: source.line(of: ternary.thenExpression))
            let elseBlock = newBlock(line: source.line(of: elements[index + 1]))
            let join = newBlock(line: line)
            emit(.code("if \(condition.text) { co_hdr.pointee.state = \(thenBlock); continue co_dispatch }"), line: line,
                 uses: condition.uses, targets: condition.targets.union([thenBlock]))
            jump(to: elseBlock)
            var types: [String?] = []
            for (block, operand) in [(thenBlock, [ternary.thenExpression]), (elseBlock, Array(elements[(index + 1)...]))] {
                start(block)
                let value = lowerRun(operand, in: sequence, replacements: outer)
                types.append(known[value.text] ?? (operand.count == 1
                    ? TypeRule.visibleType(of: operand[0], known: known, generics: generics) : nil))
                emit(.code("\(temp) = \(value.text)"), line: source.line(of: operand[0]), uses: value.uses,
                     kills: [temp], targets: value.targets)
                jump(to: join)
            }
            start(join)
            let type = contextType(of: sequence) ?? types.compactMap { $0 }.first
            if type == nil {
                diagnostics.append(source.diagnostic(at: ternary, Messages.ternaryType))
            }
            declareVariable(temp, type: type, at: ternary)
            alwaysFields.insert(temp)
            return Rendered(text: temp, uses: [temp], targets: [])
        }
        for op in ["||", "&&"] {
            guard let index = elements.lastIndex(where: { $0.as(BinaryOperatorExprSyntax.self)?.operator.text == op }),
                  index > 0, index < elements.count - 1 else { continue }
            let left = lowerRun(Array(elements[..<index]), in: sequence, replacements: outer)
            temporaryCounter += 1
            let temp = "co_t\(temporaryCounter)"
            declareVariable(temp, type: "Bool", at: elements[index])
            alwaysFields.insert(temp)
            emit(.code("\(temp) = \(left.text)"), line: line, uses: left.uses, kills: [temp], targets: left.targets)
            let rightBlock = newBlock(line: source.line(of: elements[index + 1]))
            let join = newBlock(line: line)
            emit(.code("if \(op == "&&" ? "" : "!")\(temp) { co_hdr.pointee.state = \(rightBlock); continue co_dispatch }"),
                 line: nil, uses: [temp], targets: [rightBlock])
            jump(to: join)
            start(rightBlock)
            let right = lowerRun(Array(elements[(index + 1)...]), in: sequence, replacements: outer)
            emit(.code("\(temp) = \(right.text)"), line: source.line(of: elements[index + 1]), uses: right.uses,
                 kills: [temp], targets: right.targets)
            jump(to: join)
            start(join)
            return Rendered(text: temp, uses: [temp], targets: [])
        }
        // No short-circuit operator at this level: every operand runs, left to
        // right; a suspend call in a later operand must not follow other calls.
        var replacements = outer
        var text: [String] = []
        var uses: Set<String> = []
        var targets: Set<Int> = []
        for (index, element) in elements.enumerated() {
            let calls = SuspendCallCollector.collect(in: element, classifier: classifier).calls
            if index > 0, let first = calls.first {
                for earlier in elements[..<index] {
                    if let call = OrderCheck.calls(in: Syntax(earlier), skipping: []).first {
                        diagnostics.append(source.diagnostic(at: call, Messages.callBeforeSuspend(first.site.what)))
                        return Rendered(text: "()", uses: [], targets: [])
                    }
                }
            }
            replacements.merge(hoist(in: Syntax(element)), uniquingKeysWith: { a, _ in a })
        }
        var keepsCalls = false
        for element in elements {
            let rendered = render(Syntax(element), replacements: replacements)
            text.append(rendered.text)
            uses.formUnion(rendered.uses)
            targets.formUnion(rendered.targets)
            keepsCalls = keepsCalls || !OrderCheck.calls(in: Syntax(element), skipping: Set(replacements.keys)).isEmpty
        }
        let joined = text.joined(separator: " ")
        return Rendered(text: shortCircuitUnderTry && keepsCalls ? "try \(joined)" : joined, uses: uses, targets: targets)
    }

    /// `=` and the compound assignments (`+=`, ...): the loosest operators.
    static func isAssignment(_ element: ExprSyntax) -> Bool {
        if element.is(AssignmentExprSyntax.self) { return true }
        guard let op = element.as(BinaryOperatorExprSyntax.self)?.operator.text, op.hasSuffix("=") else { return false }
        return !["==", "!=", "<=", ">=", "===", "!=="].contains(op)
    }

    /// The type a `?:` sequence must have from where it stands: the annotation of
    /// the variable it initializes, or the coroutine's return type.
    func contextType(of sequence: SequenceExprSyntax) -> String? {
        if let binding = sequence.parent?.as(InitializerClauseSyntax.self)?.parent?.as(PatternBindingSyntax.self) {
            return binding.typeAnnotation?.type.trimmedDescription
        }
        if sequence.parent?.is(ReturnStmtSyntax.self) == true { return signature.returnType }
        return nil
    }

    /// A suspend call must run every time its statement runs and after everything
    /// to its left: not on the right of `&&`, `||`, `??` or in a branch of `?:`.
    func conditionalEvaluation(of call: FunctionCallExprSyntax, within root: Syntax) -> String? {
        if call.id == root.id { return nil }   // an operand split off by the condition chain
        var path: Set<SyntaxIdentifier> = [call.id]
        var node = call.parent
        while let current = node {
            if let sequence = current.as(SequenceExprSyntax.self) {
                // Operators are still unfolded: an operand is conditional when a
                // short-circuit operator stands anywhere to its left.
                for element in sequence.elements {
                    if path.contains(element.id) {
                        // The middle operand of `c ? x : y` sits inside the `? x :` element.
                        if element.is(UnresolvedTernaryExprSyntax.self) { return "'?:'" }
                        break
                    }
                    if let op = element.as(BinaryOperatorExprSyntax.self), ["&&", "||", "??"].contains(op.operator.text) {
                        return "'\(op.operator.text)'"
                    }
                    if element.is(UnresolvedTernaryExprSyntax.self) { return "'?:'" }
                }
            }
            if current.is(TernaryExprSyntax.self) { return "'?:'" }
            if current.id == root.id { break }
            path.insert(current.id)
            node = current.parent
        }
        return nil
    }

    /// What an await does with an error its callee threw: `try f()` rethrows it,
    /// `try? f()` makes the value nil, `try! f()` traps (as Swift would).
    enum AwaitErrorHandling { case rethrow, optional, trap }

    func lowerSuspendCall(_ call: FunctionCallExprSyntax, site: SuspendSite,
                          replacements: [SyntaxIdentifier: String],
                          errorHandling: AwaitErrorHandling = .rethrow) -> String {
        temporaryCounter += 1
        let number = temporaryCounter
        let line = source.line(of: call)
        var arguments = call.arguments.isEmpty ? "" : render(Syntax(call.arguments), replacements: replacements).text
        var argumentUses = referencedNames(in: Syntax(call.arguments))
        switch site {
        case .await(let callee):
            if let receiver = SuspendClassifier.receiver(of: call, callee: callee) {
                // The receiver is the callee frame's first parameter.
                let rendered = render(Syntax(receiver), replacements: replacements)
                arguments = "co_self: \(rendered.text)" + (arguments.isEmpty ? "" : ", " + arguments)
                argumentUses.formUnion(rendered.uses)
            }
            let child = "co_c\(number)"
            declareVariable(child, type: callee.frameClassName + "?", at: call)
            alwaysFields.insert(child)
            // A callee that cannot reach this coroutine again keeps its frame in
            // this frame's field and is reset for the next call at this site (the
            // Swift form of DESIGN.md's embedded frame); a recursive one gets a
            // fresh heap frame per call, freed as soon as its result is read.
            let reuse = reusableCallees.contains(callee.qualifiedName)
            if reuse {
                emit(.code("if let co_reuse = \(child) { co_reuse.co_reset(\(arguments)) } else { \(child) = \(callee.frameClassName)(\(arguments)); \(child)!.co_ownsCFrame = true }"),
                     line: line, uses: argumentUses.union([child]))
            } else {
                emit(.code("\(child) = \(callee.frameClassName)(\(arguments))"), line: line, uses: argumentUses, kills: [child])
            }
            emit(.code("\(child)!.co_retainForRuntime()"), line: nil, uses: [child])
            let state = newBlock(kind: .await, line: line, what: callee.name)
            jump(to: state)
            start(state)
            if reuse {
                let readsResult = callee.throwsError || callee.returnType != nil
                emit(.code("""
                    do { let co_st = coro_await(co_hdr, \(child)!.co_hdr); if co_st != 0 { return coro_status(rawValue: Swift.UInt32(co_st)) } }
                    """ + (readsResult ? "\nlet co_done\(number) = \(child)!" : "")), line: line, uses: [child])
            } else {
                emit(.code("""
                    do { let co_st = coro_await(co_hdr, \(child)!.co_hdr); if co_st != 0 { return coro_status(rawValue: Swift.UInt32(co_st)) } }
                    let co_done\(number) = \(child)!
                    \(child) = nil
                    coro_frame_free(co_done\(number).co_hdr)
                    """), line: line, uses: [child], kills: [child])
            }
            let temp = "co_t\(number)"
            switch errorHandling {
            case .optional where callee.throwsError:
                // Swift flattens `try?` of an Optional: `T?` stays `T?`.
                let base = callee.returnType ?? "()"
                let type = base.hasSuffix("?") ? base : (base.contains(" ") ? "(\(base))?" : "\(base)?")
                let value = callee.returnType == nil ? "()" : "co_done\(number).co_ret!"
                declareVariable(temp, type: type, at: call)
                emit(.result(name: temp, writtenType: type,
                             initializer: "co_done\(number).co_error == nil ? \(value) : nil"), line: nil, kills: [temp])
                return temp
            case .trap where callee.throwsError:
                emit(.code("if let co_e = co_done\(number).co_error { Swift.fatalError(\"'try!' expression unexpectedly raised an error: \\(co_e)\") }"),
                     line: line)
            case .rethrow where callee.throwsError:
                emit(.code("if let co_e = co_done\(number).co_error { throw co_e }"), line: nil)
            case .optional, .trap, .rethrow:
                break
            }
            guard let type = callee.returnType else { return "()" }
            declareVariable(temp, type: type, at: call)
            emit(.result(name: temp, writtenType: nil, initializer: "co_done\(number).co_ret!"),
                 line: nil, kills: [temp])
            return temp
        case .operation(let name, let function, let resultType, _):
            // `&x` of a local: the runtime may keep the pointer while the call is
            // parked (an unbuffered channel's peer copies straight into it), so it
            // must point into the frame.  A field stored as an Optional slot is
            // passed as its payload (`&co_slot_x!`, an address in the object), not
            // through its computed property (a temporary); Emit decides which.
            var pinned = replacements
            for argument in call.arguments {
                if let inOut = argument.expression.as(InOutExprSyntax.self),
                   let reference = inOut.expression.as(DeclReferenceExprSyntax.self), reference.argumentNames == nil {
                    pinned[Syntax(inOut).id] = "&" + Emit.framePointerMarker(reference.baseName.text)
                }
            }
            if !call.arguments.isEmpty { arguments = render(Syntax(call.arguments), replacements: pinned).text }
            let state = newBlock(kind: site.reportKind, line: line, what: name)
            jump(to: state)
            start(state)
            guard let resultType else {
                emit(.code("do { let co_st = \(function)(co_hdr\(arguments.isEmpty ? "" : ", " + arguments)); if co_st != 0 { return coro_status(rawValue: Swift.UInt32(co_st)) } }"),
                     line: line, uses: argumentUses)
                return "()"
            }
            let temp = "co_t\(number)"
            declareVariable(temp, type: resultType, at: call)
            emit(.declare(name: temp, keyword: "var", writtenType: resultType, initializer: "0"), line: line, kills: [temp])
            emit(.code("do { let co_st = \(function)(co_hdr, &\(temp)\(arguments.isEmpty ? "" : ", " + arguments)); if co_st != 0 { return coro_status(rawValue: Swift.UInt32(co_st)) } }"),
                 line: line, uses: argumentUses.union([temp]))
            return temp
        case .typed(let operation):
            return lowerTypedOperation(call, operation, number: number, replacements: replacements,
                                       argumentUses: argumentUses)
        case .blocking(let name):
            // The call runs on the blocking pool, so its arguments are evaluated
            // there, inside a closure owned by a frame field until it completes.
            // `[self]` lets the closure read frame fields; `_ = self` keeps the
            // capture used when the arguments happen to be locals only.
            usesBlockingPool = true
            let box = "co_b\(number)"
            let resultType = SuspendClassifier.blockingResultTypes[name] ?? "Int32"
            declareVariable(box, type: "CoroSwift.co_BlockingCall<\(resultType)>?", at: call)
            alwaysFields.insert(box)
            let callee = render(Syntax(call.calledExpression), replacements: [:]).text
            emit(.code("\(box) = CoroSwift.co_BlockingCall { [self] in _ = self; return \(callee)(\(arguments)) }"), line: line,
                 uses: argumentUses, kills: [box])
            let state = newBlock(kind: .blocking, line: line, what: name)
            jump(to: state)
            start(state)
            emit(.code("""
                do { let co_st = \(box)!.co_op(co_hdr); if co_st != 0 { return coro_status(rawValue: Swift.UInt32(co_st)) } }
                let co_done\(number) = \(box)!
                \(box) = nil
                errno = co_done\(number).savedErrno
                """), line: line, uses: [box], kills: [box])
            let temp = "co_t\(number)"
            declareVariable(temp, type: resultType, at: call)
            emit(.result(name: temp, writtenType: nil, initializer: "co_done\(number).result!"),
                 line: nil, kills: [temp])
            return temp
        }
    }
}
