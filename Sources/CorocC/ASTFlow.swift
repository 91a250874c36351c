// Adapter: a C coroutine body (libclang AST) → CorocCore's FlowGraph, for
// ThreadWarnings' question "is this value read after a suspend point?".
//
// In:  the coroutine's cursor, the Classification (which calls suspend), and
//      `onWrite`, called for each assignment `x = e` and initialized
//      declaration with the variable's name and the value's cursor.
// Out: a FlowGraph whose items are reads (`uses`) and writes (`defs`) of
//      variables named `spelling@offset` of their declaration, and suspend
//      items numbered 0, 1, ... in source order.
//
// Control flow modelled: if/else, while, do, for, switch/case/default, break,
// continue, return, labels and goto.  Where the model is imprecise it errs
// toward more liveness (a missed warning is the bug, an extra one is not):
// a write inside a `for` header, a `?:` or a non-assignment binary operator
// (`c && (x = 1)`) may not run, so it is not a def there.
import CClang
import CorocCore

struct ASTFlow {
    private var builder = FlowBuilder()
    private var breakTargets: [Int] = []
    private var continueTargets: [Int] = []
    private var caseHeads: [Int] = []
    private var labelBlocks: [CursorKey: Int] = [:]
    private var conditional = 0
    private(set) var suspendCount = 0
    private let classification: Classification
    private let isAssignment: (Cursor, [Cursor]) -> Bool
    private let onWrite: (_ name: String, _ variable: Cursor, _ at: Cursor, _ value: Cursor) -> Void

    static func name(_ variable: Cursor) -> String { "\(variable.spelling)@\(variable.fileOffset)" }

    static func graph(_ body: Cursor, _ classification: Classification,
                      isAssignment: @escaping (Cursor, [Cursor]) -> Bool,
                      onWrite: @escaping (String, Cursor, Cursor, Cursor) -> Void) -> (FlowGraph, suspends: Int) {
        var flow = ASTFlow(classification: classification, isAssignment: isAssignment, onWrite: onWrite)
        flow.walk(body)
        return (flow.builder.graph, flow.suspendCount)
    }

    private init(classification: Classification, isAssignment: @escaping (Cursor, [Cursor]) -> Bool,
                 onWrite: @escaping (String, Cursor, Cursor, Cursor) -> Void) {
        self.classification = classification
        self.isAssignment = isAssignment
        self.onWrite = onWrite
    }

    private mutating func write(_ variable: Cursor, at: Cursor, value: Cursor) {
        let name = ASTFlow.name(variable)
        if conditional == 0 { builder.append(FlowGraph.Item(defs: [name])) }
        onWrite(name, variable, at, value)
    }

    private mutating func labelBlock(_ key: CursorKey) -> Int {
        if let b = labelBlocks[key] { return b }
        let b = builder.newBlock()
        labelBlocks[key] = b
        return b
    }

    /// Leave the current block for good (after a jump): what follows is unreachable until a label or case.
    private mutating func jump(to target: Int?) {
        if let target { builder.edgeFromCurrent(to: target) }
        builder.moveToNewBlock()
    }

    private mutating func walk(_ c: Cursor) {
        let parts = c.children
        switch c.kind {
        case CXCursor_VarDecl:
            parts.forEach { walk($0) }
            let initializer = Cursor(raw: clang_Cursor_getVarDeclInitializer(c.raw))
            if !initializer.isNull { write(c, at: c, value: initializer) }
            return
        case CXCursor_BinaryOperator:
            if parts.count == 2, parts[0].kind == CXCursor_DeclRefExpr, let target = parts[0].referenced,
               isAssignment(c, parts) {
                walk(parts[1])
                write(target, at: c, value: parts[1])
                return
            }
            walkConditionally(parts)
            return
        case CXCursor_ConditionalOperator:
            walkConditionally(parts)
            return
        case CXCursor_DeclRefExpr:
            if let target = c.referenced, target.kind == CXCursor_VarDecl || target.kind == CXCursor_ParmDecl {
                builder.append(FlowGraph.Item(uses: [ASTFlow.name(target)]))
            }
            return
        case CXCursor_IfStmt:
            walkIf(parts)
            return
        case CXCursor_WhileStmt, CXCursor_ForStmt:
            walkWhileOrFor(parts)
            return
        case CXCursor_DoStmt:
            walkDo(parts)
            return
        case CXCursor_SwitchStmt:
            if let first = parts.first { walk(first) }
            let head = builder.current, exit = builder.newBlock()
            breakTargets.append(exit); caseHeads.append(head)
            builder.moveToNewBlock()
            parts.dropFirst().forEach { walk($0) }
            breakTargets.removeLast(); caseHeads.removeLast()
            builder.edge(from: head, to: exit)
            builder.fallThrough(to: exit)
            return
        case CXCursor_CaseStmt, CXCursor_DefaultStmt:
            let entry = builder.newBlock()
            if let head = caseHeads.last { builder.edge(from: head, to: entry) }
            builder.fallThrough(to: entry)
        case CXCursor_LabelStmt:
            builder.fallThrough(to: labelBlock(c.key))
        case CXCursor_GotoStmt:
            var target: Int?
            if let label = c.referenced { target = labelBlock(label.key) }
            jump(to: target)
            return
        case CXCursor_BreakStmt:
            jump(to: breakTargets.last)
            return
        case CXCursor_ContinueStmt:
            jump(to: continueTargets.last)
            return
        case CXCursor_ReturnStmt:
            parts.forEach { walk($0) }
            jump(to: nil)
            return
        default:
            break
        }
        parts.forEach { walk($0) }
        if classification.suspends[c.key] != nil {
            builder.append(.suspend(suspendCount))
            suspendCount += 1
        }
    }

    private mutating func walkConditionally(_ parts: [Cursor]) {
        conditional += 1
        parts.forEach { walk($0) }
        conditional -= 1
    }

    private mutating func walkIf(_ parts: [Cursor]) {
        guard parts.count >= 2 else { parts.forEach { walk($0) }; return }
        walk(parts[0])
        let head = builder.current
        let join = builder.newBlock()
        builder.fallThroughToNewBlock()
        walk(parts[1])
        builder.edgeFromCurrent(to: join)
        if parts.count > 2 {
            builder.move(to: head)
            builder.fallThroughToNewBlock()
            walk(parts[2])
            builder.edgeFromCurrent(to: join)
        } else {
            builder.edge(from: head, to: join)
        }
        builder.move(to: join)
    }

    private mutating func walkWhileOrFor(_ parts: [Cursor]) {
        // The header (a for's init too) runs again each time round: conditional writes.
        let head = builder.newBlock(), exit = builder.newBlock()
        builder.fallThrough(to: head)
        conditional += 1
        parts.dropLast().forEach { walk($0) }
        conditional -= 1
        builder.edgeFromCurrent(to: exit)
        breakTargets.append(exit); continueTargets.append(head)
        builder.fallThroughToNewBlock()
        if let body = parts.last { walk(body) }
        builder.edgeFromCurrent(to: head)
        breakTargets.removeLast(); continueTargets.removeLast()
        builder.move(to: exit)
    }

    private mutating func walkDo(_ parts: [Cursor]) {
        let body = builder.newBlock(), condition = builder.newBlock(), exit = builder.newBlock()
        builder.fallThrough(to: body)
        breakTargets.append(exit); continueTargets.append(condition)
        if let first = parts.first { walk(first) }
        breakTargets.removeLast(); continueTargets.removeLast()
        builder.fallThrough(to: condition)
        parts.dropFirst().forEach { walk($0) }
        builder.edgeFromCurrent(to: body)
        builder.fallThrough(to: exit)
    }
}
