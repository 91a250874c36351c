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
            emitChildren(of: c)
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

    /// The statements of a block, with what lies between them that is not a
    /// statement but matters: comments, and `#define` / `#undef` lines (a
    /// macro redefined between statements, torture 20020108-1, must be the
    /// definition the following statements are expanded with).
    func emitChildren(of block: Cursor) {
        var previousEnd = macros.textRange(block).map { $0.start + 1 }
        var previousCall: TextRange?
        for child in block.children {
            // Where the statement is in the file: its text, or the macro call it is part of.
            let place = macros.textRange(child) ?? child.expansionRange
            if let from = previousEnd, from < place.start {
                keepDirectives(TextRange(start: from, end: place.start))
                keepComments(TextRange(start: from, end: place.start))
            }
            if isRestOfMacroCall(child, after: &previousCall) { continue }
            emitStatement(child)
            previousEnd = max(previousEnd ?? 0, source.semicolon(after: place.end) ?? place.end)
        }
        if let from = previousEnd, let blockRange = macros.textRange(block), from < blockRange.end {
            keepDirectives(TextRange(start: from, end: blockRange.end))
        }
    }

    /// `#define`, `#undef` and `#pragma` lines of a gap between statements,
    /// outside regions the preprocessor skipped; conditional directives are
    /// left out, the statements being what the preprocessor chose.
    func keepDirectives(_ gap: TextRange) {
        var i = gap.start
        let bytes = source.bytes
        while i < gap.end {
            var lineEnd = i
            while lineEnd < gap.end, bytes[lineEnd] != 10 {
                // A continued directive line goes on.
                if bytes[lineEnd] == 92, lineEnd + 1 < gap.end, bytes[lineEnd + 1] == 10 { lineEnd += 1 }
                lineEnd += 1
            }
            var j = i
            while j < lineEnd, bytes[j] == 32 || bytes[j] == 9 { j += 1 }
            let inSkipped = macros.skipped.contains { $0.start <= j && j < $0.end }
            if j < lineEnd, bytes[j] == UInt8(ascii: "#"), !inSkipped {
                var k = j + 1
                while k < lineEnd, bytes[k] == 32 || bytes[k] == 9 { k += 1 }
                var w = k
                while w < lineEnd, isIdentifierByte(bytes[w]) { w += 1 }
                let word = source.slice(TextRange(start: k, end: w))
                if word == "define" || word == "undef" || word == "pragma" {
                    code("\n" + source.slice(TextRange(start: j, end: lineEnd)) + "\n", source.line(of: j) - 1)
                }
            }
            i = lineEnd + 1
        }
    }

    /// One macro call can expand to several statements (`REPEAT_8;` to eight
    /// `if`s, torture 20020108-1): the first is copied as the call's text, the
    /// others are that same text and must not be copied again.  `previousCall`
    /// is the expansion the statement before was copied as.
    func isRestOfMacroCall(_ statement: Cursor, after previousCall: inout TextRange?) -> Bool {
        // A statement that is (part of) a macro call has the call as its text.
        let text = macros.textRange(statement) ?? statement.expansionRange
        guard !needsLowering(statement), macros.expansions.contains(where: { $0.start == text.start }) else {
            previousCall = nil
            return false
        }
        defer { previousCall = text }
        return previousCall == text
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
        // Directive lines in the gap are keepDirectives' (or dropped): copying
        // the gap whole would bring back `#if` without its `#endif`.
        let directive = source.slice(gap).split(separator: "\n").contains { $0.drop { $0 == " " || $0 == "\t" }.first == "#" }
        if directive { return }
        let start = gap.start + (source.slice(gap).utf8.count - source.slice(gap).drop { $0.isWhitespace }.utf8.count)
        code(text + (text.hasPrefix("//") || text.contains("\n//") ? "\n" : ""), source.line(of: start))
    }

    func emitExpressionStatement(_ c: Cursor) {
        let value = lowerExpression(c, discarded: true)
        if !value.isEmpty { code("\(value);", line(c)) }
    }

    func emitReturn(_ c: Cursor) {
        if let value = c.children.first, let v = macros.textRange(value), let r = macros.textRange(c), v.start <= r.start {
            macroError(c, Messages.returnInMacro)   // the value's text is the macro call (collectEdits)
            return
        }
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
        // `float fx (), inita (), a, b;`: the functions it declares stay
        // declared where the statement stood (a leaf is called plainly, and a
        // call of an undeclared one would be an implicit `int` one: 930603-1).
        for decl in c.children where decl.kind == CXCursor_FunctionDecl {
            code(declare(decl.type, decl.spelling) + ";", line(decl))
        }
        for decl in c.children where decl.kind == CXCursor_VarDecl {
            let field = frame.add(preferred: decl.spelling, type: decl.type)
            let target = access(decl, field, isParameter: false)
            frameVars[decl.key] = target
            let initializer = Cursor(raw: clang_Cursor_getVarDeclInitializer(decl.raw))
            guard !initializer.isNull else { continue }
            // `int DECLARE(0);` with `#define DECLARE(I) inc##I = incs[I]`: the
            // initializer's only text is the macro call, which names the
            // variable too; the call must be spelled out (macroError).
            if let r = macros.textRange(initializer), r.start <= decl.fileOffset {
                macroError(initializer, Messages.unprintable)
                continue
            }
            let type = decl.type
            let isAggregateInit = initializer.kind == CXCursor_InitListExpr
            // Suspend points in an initializer list are hoisted in written order
            // (HoistExpressions), then the list is rebuilt around their values.
            if type.kind == CXType_ConstantArray || type.kind == CXType_IncompleteArray {
                let text = lowerExpression(initializer)
                let literal = isAggregateInit ? "(\(typeName(type)))\(text)" : "(\(typeName(type))){\(text)}"
                code("__builtin_memcpy(&\(target), &\(literal), sizeof \(target));", line(decl))
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
            // No text of its own and no printed form (an expression, or a
            // statement libclang does not print, as `if (N % 2) t += N;` from
            // a macro body): the macro call.
            if c.prettyPrinted.isEmpty { return macroCallText(c, statement: true) + ";" }
            return renderText(c) + ";"
        }
        if c.kind != CXCursor_CompoundStmt && c.kind != CXCursor_DeclStmt, let end = source.semicolon(after: range.end) {
            range.end = end
        }
        return render(range, c)
    }
}
