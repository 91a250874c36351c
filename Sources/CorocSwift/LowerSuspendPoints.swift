// Pass 2, part of Lower: suspend points.  Each suspend call of a statement
// becomes a state of its own, in evaluation order (see Lower.swift for the
// invariants); the rest of the statement reads the call's result from a
// temporary.  Also the evaluation-order checks of DESIGN.md's "normalize" step.
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
        for (call, site) in collector.calls {
            if let problem = conditionalEvaluation(of: call, within: node) {
                diagnostics.append(source.diagnostic(at: call, Messages.conditionalSuspend(site.what, problem)))
                continue
            }
            if let earlier = OrderCheck.callsEvaluatedBefore(call, in: node, suspendCalls: suspendIDs).first {
                diagnostics.append(source.diagnostic(at: earlier, Messages.callBeforeSuspend(site.what)))
                continue
            }
            if case .await = site {} else if let inner = OrderCheck.callsInArguments(of: call, suspendCalls: suspendIDs).first {
                diagnostics.append(source.diagnostic(at: inner, Messages.callInSuspendArguments(site.what)))
                continue
            }
            let value = lowerSuspendCall(call, site: site, replacements: replacements)
            // `try f()` of a coroutine: the error is rethrown by the await itself.
            var replaced = Syntax(call)
            if let tryExpr = call.parent?.as(TryExprSyntax.self), tryExpr.questionOrExclamationMark == nil {
                replaced = Syntax(tryExpr)
            }
            replacements[replaced.id] = value
            replacements[Syntax(call).id] = value
        }
        return replacements
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

    func lowerSuspendCall(_ call: FunctionCallExprSyntax, site: SuspendSite,
                                  replacements: [SyntaxIdentifier: String]) -> String {
        temporaryCounter += 1
        let number = temporaryCounter
        let line = source.line(of: call)
        let arguments = call.arguments.isEmpty ? "" : render(Syntax(call.arguments), replacements: replacements).text
        let argumentUses = referencedNames(in: Syntax(call.arguments))
        switch site {
        case .await(let callee):
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
                    do { let co_st = coro_await(co_hdr, \(child)!.co_hdr); if co_st != 0 { return coro_status(rawValue: UInt32(co_st)) } }
                    """ + (readsResult ? "\nlet co_done\(number) = \(child)!" : "")), line: line, uses: [child])
            } else {
                emit(.code("""
                    do { let co_st = coro_await(co_hdr, \(child)!.co_hdr); if co_st != 0 { return coro_status(rawValue: UInt32(co_st)) } }
                    let co_done\(number) = \(child)!
                    \(child) = nil
                    coro_frame_free(co_done\(number).co_hdr)
                    """), line: line, uses: [child], kills: [child])
            }
            if callee.throwsError {
                emit(.code("if let co_e = co_done\(number).co_error { throw co_e }"), line: nil)
            }
            guard let type = callee.returnType else { return "()" }
            let temp = "co_t\(number)"
            declareVariable(temp, type: type, at: call)
            emit(.declare(name: temp, keyword: "let", writtenType: nil, initializer: "co_done\(number).co_ret!"),
                 line: nil, kills: [temp])
            return temp
        case .operation(let name, let function, let resultType, _):
            let state = newBlock(kind: site.reportKind, line: line, what: name)
            jump(to: state)
            start(state)
            guard let resultType else {
                emit(.code("do { let co_st = \(function)(co_hdr\(arguments.isEmpty ? "" : ", " + arguments)); if co_st != 0 { return coro_status(rawValue: UInt32(co_st)) } }"),
                     line: line, uses: argumentUses)
                return "()"
            }
            let temp = "co_t\(number)"
            declareVariable(temp, type: resultType, at: call)
            emit(.declare(name: temp, keyword: "var", writtenType: resultType, initializer: "0"), line: line, kills: [temp])
            emit(.code("do { let co_st = \(function)(co_hdr, &\(temp)\(arguments.isEmpty ? "" : ", " + arguments)); if co_st != 0 { return coro_status(rawValue: UInt32(co_st)) } }"),
                 line: line, uses: argumentUses.union([temp]))
            return temp
        case .blocking(let name):
            // The call runs on the blocking pool, so its arguments are evaluated
            // there, inside a closure owned by a frame field until it completes.
            // `[self]` lets the closure read frame fields; `_ = self` keeps the
            // capture used when the arguments happen to be locals only.
            usesBlockingPool = true
            let box = "co_b\(number)"
            let resultType = SuspendClassifier.blockingResultTypes[name] ?? "Int32"
            declareVariable(box, type: "co_BlockingCall<\(resultType)>?", at: call)
            alwaysFields.insert(box)
            let callee = render(Syntax(call.calledExpression), replacements: [:]).text
            emit(.code("\(box) = co_BlockingCall { [self] in _ = self; return \(callee)(\(arguments)) }"), line: line,
                 uses: argumentUses, kills: [box])
            let state = newBlock(kind: .blocking, line: line, what: name)
            jump(to: state)
            start(state)
            emit(.code("""
                do { let co_st = coro_op_blocking(co_hdr, { co_arg in Unmanaged<co_BlockingBase>.fromOpaque(co_arg!).takeUnretainedValue().run() }, Unmanaged.passUnretained(\(box)!).toOpaque()); if co_st != 0 { return coro_status(rawValue: UInt32(co_st)) } }
                let co_done\(number) = \(box)!
                \(box) = nil
                errno = co_done\(number).savedErrno
                """), line: line, uses: [box], kills: [box])
            let temp = "co_t\(number)"
            declareVariable(temp, type: resultType, at: call)
            emit(.declare(name: temp, keyword: "let", writtenType: nil, initializer: "co_done\(number).result!"),
                 line: nil, kills: [temp])
            return temp
        }
    }
}
