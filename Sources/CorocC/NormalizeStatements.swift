// Normalize, statements: each statement of a coroutine body becomes fragments.
//
// In:  a statement cursor of the body, the Normalizer's state.
// Out: fragments appended in order.  A statement that neither suspends nor
//      holds a preemption check is copied as written (frame references only);
//      any other keeps its control structure (if, switch, case, labels) and has
//      its expressions hoisted (HoistExpressions); loops go to NormalizeLoops.
//      Declarations of frame variables become assignments at the declaration's
//      point, as C initializes them.
import CClang
import CorocCore
import Foundation

extension Normalizer {
    func emitStatement(_ c: Cursor) {
        guard needsLowering(c) else {
            if c.kind == CXCursor_DeclStmt, declaresFrameVariables(c) {
                emitDeclaration(c)
            } else {
                code(statementText(c), line(c))
            }
            return
        }
        switch c.kind {
        case CXCursor_CompoundStmt:
            code("{", line(c))
            var previousEnd = macros.textRange(c).map { $0.start + 1 }
            for child in c.children {
                if let from = previousEnd, let childRange = macros.textRange(child), from < childRange.start {
                    keepComments(TextRange(start: from, end: childRange.start))
                }
                emitStatement(child)
                previousEnd = macros.textRange(child).map { source.semicolon(after: $0.end) ?? $0.end }
            }
            code("}")
        case CXCursor_DeclStmt:
            emitDeclaration(c)
        case CXCursor_ReturnStmt:
            emitReturn(c)
        case CXCursor_IfStmt:
            let parts = c.children
            let condition = lowerExpression(parts[0])
            code("if (\(condition)) {", line(c))
            emitStatement(parts[1])
            if parts.count > 2 {
                code("} else {", line(parts[2]))
                emitStatement(parts[2])
            }
            code("}")
        case CXCursor_WhileStmt:
            emitWhile(c)
        case CXCursor_DoStmt:
            emitDo(c)
        case CXCursor_ForStmt:
            emitFor(c)
        case CXCursor_SwitchStmt:
            let parts = c.children
            let condition = lowerExpression(parts[0])
            code("switch (\(condition))", line(c))
            emitStatement(parts[1])
        case CXCursor_CaseStmt, CXCursor_DefaultStmt:
            let sub = c.children.last!
            let head: String
            if let range = macros.textRange(c), let subRange = macros.textRange(sub) {
                head = source.slice(TextRange(start: range.start, end: subRange.start))
            } else {
                head = c.kind == CXCursor_DefaultStmt ? "default:" : "case \(renderText(c.children[0])):"
            }
            code(head, line(c))
            emitStatement(sub)
        case CXCursor_LabelStmt:
            code("\(c.spelling):;", line(c))
            emitStatement(c.children[0])
        case CXCursor_ContinueStmt:
            if let label = loops.last ?? nil {
                label.used = true
                code("goto \(label.name);", line(c))
            } else {
                code("continue;", line(c))
            }
        case CXCursor_GotoStmt:
            fragments.append(.check(line: line(c)))
            code("goto \(c.referenced?.spelling ?? c.spelling);", line(c))
        default:
            if c.isExpression {
                emitExpressionStatement(c)
            } else {
                code(statementText(c), line(c))
            }
        }
    }

    /// Comments between statements matter to the compiler too
    /// (`/* fallthrough */` silences -Wimplicit-fallthrough), so keep them.
    func keepComments(_ gap: TextRange) {
        let text = source.slice(gap).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("/*") || text.hasPrefix("//") else { return }
        if text.lowercased().contains("fall") && text.lowercased().contains("through") {
            // Our #line directives separate a comment from the next case label,
            // which hides the comment from -Wimplicit-fallthrough; the attribute
            // says the same thing as a statement.
            code("__attribute__((fallthrough));")
            return
        }
        let start = gap.start + (source.slice(gap).utf8.count - source.slice(gap).drop { $0.isWhitespace }.utf8.count)
        code(text + (text.hasPrefix("//") || text.contains("\n//") ? "\n" : ""), source.line(of: start))
    }

    func emitExpressionStatement(_ c: Cursor) {
        let value = lowerExpression(c, discarded: true)
        if !value.isEmpty { code("\(value);", line(c)) }
    }

    func emitReturn(_ c: Cursor) {
        if let value = c.children.first {
            let result = lowerExpression(value, discarded: coroutine.returnsVoid)
            if coroutine.returnsVoid {
                if !result.isEmpty { code("\(result);", line(c)) }
            } else {
                code(assignment("\(fp)->ret_", result, coroutine.resultType), line(c))
            }
        }
        code("return CORO_DONE;", line(c))
    }

    func emitBody(_ body: Cursor) {
        code("{")
        emitStatement(body)
        code("}")
    }

    func declaresFrameVariables(_ c: Cursor) -> Bool {
        c.children.contains { $0.kind == CXCursor_VarDecl && $0.storageClass != CX_SC_Static && $0.storageClass != CX_SC_Extern }
    }

    /// Declarations in a lowered block: frame variables, initialized at the
    /// declaration's point as C would; static and extern locals stay as written.
    func emitDeclaration(_ c: Cursor) {
        guard declaresFrameVariables(c) else {
            code(statementText(c), line(c))
            return
        }
        for decl in c.children where decl.kind == CXCursor_VarDecl {
            let field = frame.add(preferred: decl.spelling, type: decl.type)
            let target = access(decl, field, isParameter: false)
            frameVars[decl.key] = target
            let initializer = Cursor(raw: clang_Cursor_getVarDeclInitializer(decl.raw))
            guard !initializer.isNull else { continue }
            let type = decl.type
            let isAggregateInit = initializer.kind == CXCursor_InitListExpr
            // Suspend points in an initializer list are hoisted in written order
            // (HoistExpressions), then the list is rebuilt around their values.
            if type.kind == CXType_ConstantArray || type.kind == CXType_IncompleteArray {
                let text = lowerExpression(initializer)
                let literal = isAggregateInit ? "(\(typeName(type)))\(text)" : "(\(typeName(type))){\(text)}"
                code("__builtin_memcpy(&\(fp)->\(field), &\(literal), sizeof \(fp)->\(field));", line(decl))
            } else if isAggregateInit {
                code(assignment(target, "(\(typeName(type)))\(lowerExpression(initializer))", type), line(decl))
            } else {
                let value = lowerExpression(initializer)
                code(assignment(target, value, type), line(decl))
            }
        }
    }

    /// The statement's text including its `;` (libclang extents exclude it).
    func statementText(_ c: Cursor) -> String {
        guard var range = macros.textRange(c) else {
            // No text of its own and no printed form (an expression): the macro call.
            if c.isExpression && c.prettyPrinted.isEmpty { return macroCallText(c, statement: true) + ";" }
            return renderText(c) + ";"
        }
        if c.kind != CXCursor_CompoundStmt && c.kind != CXCursor_DeclStmt, let end = source.semicolon(after: range.end) {
            range.end = end
        }
        return render(range, c)
    }
}
