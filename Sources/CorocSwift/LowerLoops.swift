// Pass 2, part of Lower: loops.  Every loop is lowered (its back-edge is a
// suspend point, the preemption check) unless the coroutine is @nopreempt and
// the loop has no suspend point: while / repeat with their conditions as
// states, for-in over a hoisted iterator kept in the frame (TypeRule names its
// type), with break/continue targets on the jump-context stack.
import CorocCore
import SwiftSyntax

extension Lower {
    // MARK: loops

    /// Loops get the preemption check at their back-edges unless the coroutine is @nopreempt.
    var checksBackEdges: Bool { !signature.noPreempt }

    func enterLoop(label: String?, exit: Int, continueTarget: Int, backedge: Bool) {
        jumpContexts.append(JumpContext(kind: .loop, label: label, breakTarget: exit, continueTarget: continueTarget,
                                        continueIsBackedge: backedge, deferDepth: deferContext.count))
    }

    func emitBackedge(to head: Int) {
        emit(checksBackEdges ? .backedge(head) : .jump(head), line: nil)
    }

    func lowerWhile(_ loop: WhileStmtSyntax, label: String?) {
        let line = source.line(of: loop)
        let head = newBlock(kind: checksBackEdges ? .preempt : nil, line: line, what: "loop back-edge")
        let exit = newBlock(line: line)
        jump(to: head)
        start(head)
        if needsConditionChain(loop.conditions) {
            let body = newBlock(line: line)
            lowerConditionChain(loop.conditions, ifTrue: body, ifFalse: exit)
            start(body)
            enterLoop(label: label, exit: exit, continueTarget: head, backedge: checksBackEdges)
            lowerStatements(loop.body.statements)
            emitBackedge(to: head)
            jumpContexts.removeLast()
            start(exit)
            return
        }
        let replacements = hoistConditions(loop.conditions)
        var conditions = render(Syntax(loop.conditions), replacements: replacements)
        let bindings = conditionBindings(loop.conditions, replacements: replacements)
        conditions.uses.subtract(bindings)
        if conditions.text != "true" {   // `while true`: a guard would draw "will never be executed"
            emit(.code("guard \(conditions.text) else { co_hdr.pointee.state = \(exit); continue co_dispatch }"),
                 line: line, uses: conditions.uses, targets: conditions.targets.union([exit]))
        }
        for name in bindings { emit(.bind(name: name), line: nil, kills: [name]) }
        enterLoop(label: label, exit: exit, continueTarget: head, backedge: checksBackEdges)
        lowerStatements(loop.body.statements)
        emitBackedge(to: head)
        jumpContexts.removeLast()
        start(exit)
    }

    func lowerRepeat(_ loop: RepeatStmtSyntax, label: String?) {
        let line = source.line(of: loop)
        let body = newBlock(kind: checksBackEdges ? .preempt : nil, line: line, what: "loop back-edge")
        let check = newBlock(line: source.line(of: loop.condition))
        let exit = newBlock(line: line)
        jump(to: body)
        start(body)
        enterLoop(label: label, exit: exit, continueTarget: check, backedge: false)
        lowerStatements(loop.body.statements)
        jump(to: check)
        jumpContexts.removeLast()
        start(check)
        let replacements = hoist(in: Syntax(loop.condition))
        let condition = render(Syntax(loop.condition), replacements: replacements)
        let saved = cursor
        emit(.code("if \(condition.text) {"), line: source.line(of: loop.condition), uses: condition.uses,
             targets: condition.targets)
        cursor.indent += 1
        emitBackedge(to: body)
        cursor = saved
        emit(.code("}"), line: nil, structural: true)
        jump(to: exit)
        start(exit)
    }

    func lowerFor(_ loop: ForStmtSyntax, label: String?) {
        let line = source.line(of: loop)
        if loop.tryKeyword != nil || loop.awaitKeyword != nil || loop.caseKeyword != nil {
            diagnostics.append(source.diagnostic(at: loop, Messages.unsupportedFor))
            return
        }
        // `for var s in xs`: the names are mutable copies of each element.
        let binding = loop.pattern.as(ValueBindingPatternSyntax.self)
        let pattern = binding?.pattern ?? loop.pattern
        let keyword = binding?.bindingSpecifier.text ?? "let"
        let names = boundNames(in: Syntax(pattern))
        let tuple = pattern.as(TuplePatternSyntax.self)
        let simplePattern = { (pattern: PatternSyntax) in
            pattern.is(IdentifierPatternSyntax.self) || pattern.is(WildcardPatternSyntax.self)
        }
        guard simplePattern(pattern) || tuple.map({ $0.elements.allSatisfy { simplePattern($0.pattern) } }) == true else {
            diagnostics.append(source.diagnostic(at: loop.pattern, Messages.forPattern))
            return
        }
        let annotated = loop.typeAnnotation?.type.trimmedDescription
        let replacements = hoist(in: Syntax(loop.sequence))
        guard let types = TypeRule.iteratorType(of: loop.sequence, annotated: annotated, known: known, generics: generics) else {
            let written = tuple.map { _ in pattern.trimmedDescription } ?? names.first ?? "_"
            diagnostics.append(source.diagnostic(at: loop.pattern, Messages.forElementType(written)))
            return
        }
        // `for (a, b) in ...`: the element's tuple type gives each name its type.
        var componentTypes: [String?] = []
        if let tuple {
            guard let components = TypeRule.tupleComponents(types.element), components.count == tuple.elements.count else {
                diagnostics.append(source.diagnostic(at: loop.pattern, Messages.forTupleType(loop.pattern.trimmedDescription, types.element)))
                return
            }
            componentTypes = components
        }
        temporaryCounter += 1
        let iterator = "co_it\(temporaryCounter)"
        declareVariable(iterator, type: types.iterator, at: loop.forKeyword)
        let sequence = render(Syntax(loop.sequence), replacements: replacements)
        var makeIterator = "(\(sequence.text)).makeIterator()"
        if types.iterator.hasPrefix("AnyIterator<") {
            makeIterator = "AnyIterator((\(sequence.text)).lazy.map { (co_e) -> \(types.element) in co_e }.makeIterator())"
        }
        emit(.declare(name: iterator, keyword: "var", writtenType: types.iterator, initializer: makeIterator),
             line: line, uses: sequence.uses, kills: [iterator])
        let head = newBlock(kind: checksBackEdges ? .preempt : nil, line: line, what: "loop back-edge")
        let exit = newBlock(line: line)
        jump(to: head)
        start(head)
        if let tuple {
            // The element is bound to a local of this state, then taken apart.
            let element = "co_el\(temporaryCounter)"
            emit(.code("guard let \(element) = \(iterator).next() else { co_hdr.pointee.state = \(exit); continue co_dispatch }"),
                 line: line, uses: [iterator], kills: [iterator], targets: [exit])
            for (index, component) in tuple.elements.enumerated() {
                guard let name = component.pattern.as(IdentifierPatternSyntax.self)?.identifier.text else { continue }
                declareVariable(name, type: componentTypes[index], at: component.pattern)
                emit(.declare(name: name, keyword: keyword, writtenType: nil, initializer: "\(element).\(index)"),
                     line: nil, kills: [name])
            }
            if names.isEmpty { emit(.code("_ = \(element)"), line: nil) }   // `for (_, _) in`
        } else if let name = names.first, keyword == "var" {
            declareVariable(name, type: types.element, at: pattern)
            let element = "co_el\(temporaryCounter)"
            emit(.code("guard let \(element) = \(iterator).next() else { co_hdr.pointee.state = \(exit); continue co_dispatch }"),
                 line: line, uses: [iterator], kills: [iterator], targets: [exit])
            emit(.declare(name: name, keyword: "var", writtenType: nil, initializer: element), line: nil, kills: [name])
        } else if let name = names.first {
            declareVariable(name, type: types.element, at: loop.pattern)
            emit(.code("guard let \(name) = \(iterator).next() else { co_hdr.pointee.state = \(exit); continue co_dispatch }"),
                 line: line, uses: [iterator], kills: [iterator], targets: [exit])
            emit(.bind(name: name), line: nil, kills: [name])
        } else {
            emit(.code("guard \(iterator).next() != nil else { co_hdr.pointee.state = \(exit); continue co_dispatch }"),
                 line: line, uses: [iterator], kills: [iterator], targets: [exit])
        }
        if let whereClause = loop.whereClause {
            let condition = render(Syntax(whereClause.condition), replacements: [:])
            let saved = cursor
            emit(.code("if !(\(condition.text)) {"), line: line, uses: condition.uses)
            cursor.indent += 1
            emitBackedge(to: head)
            cursor = saved
            emit(.code("}"), line: nil, structural: true)
        }
        enterLoop(label: label, exit: exit, continueTarget: head, backedge: checksBackEdges)
        lowerStatements(loop.body.statements)
        emitBackedge(to: head)
        jumpContexts.removeLast()
        start(exit)
    }
}
