// Normalize, expressions: suspend points out of any operand position.
//
// In:  an expression cursor that contains suspend points (calls classified by
//      Classify: awaits of coroutines, catalogue I/O, runtime calls).
// Out: fragments that evaluate every suspend point as a statement of its own,
//      in C's order, with its value in a frame temporary; the returned string
//      is the expression rebuilt around those temporaries.
//
// Evaluation order (docs/c.md "Evaluation order"): operands are hoisted left
// to right as written, one operand's suspend points before the next operand's
// (call arguments, binary operands, initializer-list elements, subscripts);
// C leaves most of these unsequenced, and left to right is the order GCC and
// clang use for initializer lists.  An operand with side effects but no
// suspend point is saved into a temporary before a later operand suspends, so
// a suspension never moves it after its neighbours.  `&&`, `||` and `?:` become
// if/else (the right operand runs only when C runs it), `,` two statements.
import CClang
import CorocCore
import Foundation

extension Normalizer {
    // MARK: expressions

    /// Emits the statements that evaluate `c`'s suspend points and returns the C
    /// expression for its value (empty when `discarded` and nothing is left).
    func lowerExpression(_ c: Cursor, discarded: Bool = false) -> String {
        guard containsSuspend(c) else { return renderText(c) }
        if isSuspendCall(c) {
            let value = lowerSuspendCall(c)
            return discarded ? "" : value
        }
        if isGoMarker(c) { return lowerSpawn(c) }
        switch c.kind {
        case CXCursor_ParenExpr where c.children.count == 1:
            let inner = lowerExpression(c.children[0], discarded: discarded)
            return inner.isEmpty ? "" : "(\(inner))"
        case CXCursor_UnexposedExpr where c.children.count == 1 && macros.textRange(c) == macros.textRange(c.children[0]):
            return lowerExpression(c.children[0], discarded: discarded)
        case CXCursor_BinaryOperator:
            let parts = c.children
            switch operatorText(c, parts[0], parts[1]) {
            case "&&": return lowerLogical(parts[0], parts[1], and: true)
            case "||": return lowerLogical(parts[0], parts[1], and: false)
            case ",":
                let left = lowerExpression(parts[0], discarded: true)
                if !left.isEmpty { code("(void)(\(left));") }
                return lowerExpression(parts[1], discarded: discarded)
            default: return rebuild(c)
            }
        case CXCursor_ConditionalOperator:
            return lowerConditional(c, discarded: discarded)
        case CXCursor_StmtExpr:
            return lowerStatementExpression(c, discarded: discarded)
        default:
            return rebuild(c)
        }
    }

    /// A GNU statement expression `({ s1; ...; e; })` (glibc's assert,
    /// obstack macros): its statements run in place, in order, as a block (a
    /// suspend point hoisted out of it would run before them and name its
    /// locals before their declaration, torture 20001203-2), and its value is
    /// the last expression statement's, in a temporary.
    func lowerStatementExpression(_ c: Cursor, discarded: Bool) -> String {
        guard let block = c.children.first(where: { $0.kind == CXCursor_CompoundStmt }) else { return rebuild(c) }
        let type = c.type
        let isVoid = type.kind == CXType_Void || discarded
        let t = isVoid ? "" : "\(fp)->" + frame.temp(type)
        let statements = block.children
        code("{", line(c))
        for (i, statement) in statements.enumerated() {
            if i == statements.count - 1, statement.isExpression {
                let value = lowerExpression(statement, discarded: isVoid)
                if isVoid {
                    if !value.isEmpty { code("(void)(\(value));", line(statement)) }
                } else {
                    code(assignment(t, value, type), line(statement))
                }
            } else {
                emitStatement(statement)
            }
        }
        code("}")
        if isVoid { return discarded ? "" : "((void)0)" }
        return t
    }

    func lowerLogical(_ left: Cursor, _ right: Cursor, and: Bool) -> String {
        let t = "\(fp)->" + frame.temp(facts.intType)
        let l = lowerExpression(left)
        if and {
            code("if (\(l)) {")
            let r = lowerExpression(right)
            code("\(t) = (\(r)) != 0; } else { \(t) = 0; }")
        } else {
            code("if (\(l)) { \(t) = 1; } else {")
            let r = lowerExpression(right)
            code("\(t) = (\(r)) != 0; }")
        }
        return t
    }

    func lowerConditional(_ c: Cursor, discarded: Bool) -> String {
        let parts = c.children
        let type = c.type
        let isVoid = type.kind == CXType_Void || discarded
        let t = isVoid ? "" : "\(fp)->" + frame.temp(type)
        let condition = lowerExpression(parts[0])
        code("if (\(condition)) {")
        let a = lowerExpression(parts[1], discarded: isVoid)
        code(isVoid ? (a.isEmpty ? "" : "\(a);") : assignment(t, a, type))
        code("} else {")
        let b = lowerExpression(parts[2], discarded: isVoid)
        code(isVoid ? (b.isEmpty ? "" : "\(b);") : assignment(t, b, type))
        code("}")
        return t
    }

    /// Any other expression: its children in order, those with suspend points
    /// lowered first, then the node's own text around their values.
    func rebuild(_ c: Cursor) -> String {
        var values: [(Cursor, String)] = []
        for child in c.children {
            values.append((child, containsSuspend(child) ? lowerExpression(child) : renderText(child)))
        }
        if let range = macros.textRange(c),
           values.allSatisfy({ child, _ in macros.textRange(child).map { range.contains($0) } ?? false }) {
            var out = "", at = range.start
            for (child, value) in values {
                let r = macros.textRange(child)!
                guard r.start >= at else { continue }
                out += source.slice(TextRange(start: at, end: r.start)) + value
                at = r.end
            }
            return out + source.slice(TextRange(start: at, end: range.end))
        }
        // Written in a macro body: splice the values into the pretty-printed form.
        var printed = c.prettyPrinted
        if printed.isEmpty {
            // libclang 14 pretty-prints declarations only: there is no text to splice into.
            macroError(c, Messages.suspendInMacroBody)
            return "0"
        }
        var searchFrom = printed.startIndex
        for (child, value) in values {
            let piece = child.prettyPrinted
            guard !piece.isEmpty, let found = printed.range(of: piece, range: searchFrom..<printed.endIndex) else { continue }
            printed.replaceSubrange(found, with: value)
            searchFrom = printed.index(found.lowerBound, offsetBy: value.count)
        }
        return printed
    }

    func operatorText(_ c: Cursor, _ left: Cursor, _ right: Cursor) -> String {
        if let l = macros.textRange(left), let r = macros.textRange(right), l.end <= r.start {
            return stripComments(source.slice(TextRange(start: l.end, end: r.start)))
        }
        let whole = c.prettyPrinted, l = left.prettyPrinted, r = right.prettyPrinted
        guard whole.hasPrefix(l), whole.hasSuffix(r), whole.count >= l.count + r.count else { return "" }
        return String(whole.dropFirst(l.count).dropLast(r.count)).trimmingCharacters(in: .whitespaces)
    }

    /// Arguments of a suspend call: lowered in order; those with side effects
    /// are saved in temporaries so calling the operation again re-reads values.
    func lowerArguments(_ call: Cursor) -> [String] {
        var values: [String] = []
        let callRange = macros.textRange(call)
        for i in 0..<call.argumentCount {
            let arg = call.argument(i)
            // An argument written in a macro body shows up with the whole macro
            // call as its extent: its text is not its own.
            let ownText = macros.textRange(arg).map { r in callRange.map { $0 != r && $0.contains(r) } ?? true } ?? false
            let value = !ownText && !containsSuspend(arg)
                ? (callRange != nil && macros.textRange(arg) == nil ? writtenArgument(call, i) : renderPretty(arg))
                : lowerExpression(arg)
            if hasSideEffects(arg) && !containsSuspendOnly(arg) {
                let t = "\(fp)->" + frame.temp(arg.type)
                code(assignment(t, value, arg.type), line(arg))
                values.append(t)
            } else {
                values.append(value)
            }
        }
        return values
    }

    /// The argument *is* a suspend call whose value already sits in a temporary.
    func containsSuspendOnly(_ c: Cursor) -> Bool {
        if isSuspendCall(c) { return true }
        return (c.kind == CXCursor_UnexposedExpr || c.kind == CXCursor_ParenExpr) && c.children.count == 1
            && containsSuspendOnly(c.children[0])
    }

    func hasSideEffects(_ c: Cursor) -> Bool {
        func check(_ n: Cursor) -> Bool {
            switch n.kind {
            case CXCursor_CallExpr, CXCursor_CompoundAssignOperator:
                return true
            case CXCursor_UnaryOperator:
                let text = macros.textRange(n).map(source.slice) ?? n.prettyPrinted
                if text.contains("++") || text.contains("--") { return true }
            case CXCursor_BinaryOperator:
                let parts = n.children
                if parts.count == 2, operatorText(n, parts[0], parts[1]) == "=" { return true }
            default:
                break
            }
            return n.children.contains(where: check)
        }
        return check(c)
    }

    func lowerSuspendCall(_ call: Cursor) -> String {
        let kind = facts.classification.suspends[call.key]!
        let callLine = line(call)
        switch kind {
        case .operation(let entry, let function, let hasResult):
            let args = lowerArguments(call)
            var operands = ["&\(fp)->hdr"]
            var value = ""
            if hasResult {
                value = "\(fp)->" + frame.temp(call.type)
                operands.append("&" + value)
            }
            operands += args
            let stateKind: CoroutineReport.StateKind = entry.category == .runtime ? .runtime : .io
            suspend(stateKind, entry.name, callLine, "\(function)(\(operands.joined(separator: ", ")))")
            return value
        case .blocking(let entry):
            return lowerBlockingCall(call, entry, callLine)
        case .await(let callee):
            return lowerAwait(call, callee, callLine)
        }
    }

    func suspend(_ kind: CoroutineReport.StateKind, _ what: String, _ line: Int, _ operation: String) {
        fragments.append(.suspend(Suspension(kind: kind, what: what, line: line, operation: operation)))
    }

    /// A call epoll cannot wait on runs on the blocking pool: its arguments go
    /// into an argument block in the frame, a generated thunk makes the call and
    /// saves result and errno, and errno is restored here after the suspension.
    func lowerBlockingCall(_ call: Cursor, _ entry: IOCatalogue.Entry, _ callLine: Int) -> String {
        siteCounter += 1
        let structName = "\(coroutine.name)_blocking\(siteCounter)"
        let args = lowerArguments(call)
        let calleeType = call.referenced?.type ?? call.type
        let declared = Int(clang_getNumArgTypes(calleeType))
        var members: [(String, CXType)] = []
        let result = call.type
        let returnsVoid = result.kind == CXType_Void
        if !returnsVoid { members.append(("ret_", result)) }
        members.append(("err_", facts.intType))
        for i in 0..<args.count {
            let type = i < declared ? clang_getArgType(calleeType, UInt32(i)) : call.argument(i).type
            members.append(("a\(i)", type))
        }
        var layout = FrameBuilder(header: (0, 1), result: nil)
        for (name, type) in members { layout.add(preferred: name, type: type) }
        let argList = (0..<args.count).map { "a->a\($0)" }.joined(separator: ", ")
        let body = members.map { "    \(declare($0.1, $0.0));\n" }.joined()
        preamble.append("""
            struct \(structName) {
            \(body)};
            static void \(structName)_run(void *arg) {
                struct \(structName) *a = arg;
                \(returnsVoid ? "" : "a->ret_ = ")\(entry.name)(\(argList));
                a->err_ = errno;
            }

            """)
        usesErrno = true
        let (_, size, align) = layout.layout()
        let field = "\(fp)->" + frame.add(preferred: "b\(siteCounter)_", typeName: "struct \(structName)", size: size, align: align)
        for (i, value) in args.enumerated() { code(assignment("\(field).a\(i)", value, members[i + (returnsVoid ? 1 : 2)].1), callLine) }
        suspend(.blocking, entry.name, callLine, "coro_op_blocking(&\(fp)->hdr, \(structName)_run, &\(field))")
        code("errno = \(field).err_;")
        return returnsVoid ? "" : "\(field).ret_"
    }

    /// Awaiting another coroutine: its frame is embedded in ours when the call
    /// graph allows (Classify), otherwise heap-allocated and freed after reading
    /// the result.
    func lowerAwait(_ call: Cursor, _ calleeName: String, _ callLine: Int) -> String {
        let callee = facts.coroutines[calleeName]!
        checkArgumentCount(call, callee)
        let args = fitArguments(lowerArguments(call), callee)
        siteCounter += 1
        if facts.classification.embedded.contains([coroutine.name, calleeName]),
           let layout = facts.frameLayouts[calleeName] {
            let field = "\(fp)->" + frame.add(preferred: "c\(siteCounter)_", typeName: "\(calleeName)_frame",
                                                size: layout.size, align: layout.align)
            code("\(field).hdr.flags = 0; \(calleeName)_init(\(([ "&" + field] + args).joined(separator: ", ")));", callLine)
            suspend(.await, calleeName, callLine, "coro_await(&\(fp)->hdr, &\(field).hdr)")
            return callee.returnsVoid ? "" : "\(field).ret_"
        }
        preamble.append(heapPrototypes(callee))
        let pointer = "\(fp)->" + frame.add(preferred: "c\(siteCounter)_", typeName: "coro_frame *",
                                             size: facts.pointerSize, align: facts.pointerSize)
        code("\(pointer) = \(calleeName)_new(\(args.joined(separator: ", ")));", callLine)
        suspend(.await, calleeName, callLine, "coro_await(&\(fp)->hdr, \(pointer))")
        var value = ""
        if !callee.returnsVoid {
            value = "\(fp)->" + frame.temp(callee.resultType)
            code(assignment(value, "\(calleeName)_result(\(pointer))", callee.resultType))
        }
        code("coro_frame_free(\(pointer));")
        return value
    }

    /// A K&R coroutine (no prototype) called with another number of arguments
    /// than it has parameters: C calls it anyway (undefined behaviour), the
    /// generated init/new functions are prototyped and would not compile.
    /// A call of a K&R coroutine (no prototype, so C checks no count) with
    /// fewer arguments than its definition has parameters would read one
    /// never passed: an error.  More are evaluated and dropped (`fitArguments`):
    /// the plain function would ignore them too (torture 920501-1, 921208-2).
    func checkArgumentCount(_ call: Cursor, _ callee: Coroutine) {
        let n = call.argumentCount, m = callee.parameters.count
        if n < m, clang_Cursor_isVariadic(callee.cursor.raw) == 0 {
            error(call, Messages.argumentCount(callee.name, n, m))
        }
    }

    /// The arguments the callee's init takes: any beyond its parameters are
    /// evaluated here, as C evaluates every argument before the call.
    func fitArguments(_ args: [String], _ callee: Coroutine) -> [String] {
        let split = splitExtraArguments(args, parameters: callee.parameters.count,
                                        variadic: clang_Cursor_isVariadic(callee.cursor.raw) != 0)
        for extra in split.extras where !extra.isEmpty { code("(void)(\(extra));") }
        return split.kept
    }
}
