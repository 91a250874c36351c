// Normalize, loops: while, do and for with their back-edge checks.
//
// In:  a loop cursor that needs lowering (it suspends or gets a check).
// Out: fragments for one natural loop per source loop (shapes below), with the
//      check first in each iteration and the resume label before the loop;
//      a condition or increment that suspends is hoisted each iteration.
import CClang
import CorocCore
import Foundation

extension Normalizer {
    // Loops with a back-edge check keep one header (Lower's contract, "loops
    // stay natural"): the check is the first thing of each iteration, before
    // the condition, and its resume label (`.headerLabel`) sits just before
    // the loop statement, so resuming enters the loop where starting it does.
    // Every loop therefore becomes a loop without a condition in its head
    // whose iteration starts with the check:
    //     while (c) B          Sk: for (;;) { check; if (!(c)) break; { B } }
    //     for (i; c; n) B      { i; Sk: for (;; n) { check; if (!(c)) break; { B } } }
    //     do B while (c);      Sk: do { check; { B } } while (c);
    // `continue` needs no redirection: in each shape it runs what C runs next
    // (n, then the check and c; or c).  Re-running the check on resumption is
    // harmless (the flag was cleared when the worker switched).

    /// Opens a loop's iteration: the resume label before the loop statement
    /// `head`, then the check as the first statement of its body `{`.
    func loopHead(_ head: String, line: Int) {
        if preempt { fragments.append(.headerLabel) }
        code(head, line)
        if preempt { fragments.append(.check(line: line)) }
    }

    func emitWhile(_ c: Cursor) {
        let parts = c.children
        let (condition, body) = (parts[0], parts[1])
        fragments.append(.loopStart)
        loops.append(nil)
        if !containsSuspend(condition) && !preempt {
            code("while (\(renderText(condition)))", line(c))
            emitBody(body)
        } else if !containsSuspend(condition), let strip = StripLoops.strip(c, candidates: registerCandidates, macros, source) {
            // Strips of at most strip.trips iterations, the check before each.
            loopHead("for (;;) {", line: line(c))
            code("if (!(\(renderText(condition)))) break;", line(condition))
            code(stripOpening(strip), line(c))
            emitBody(body)
            code("} }")
        } else {
            loopHead("for (;;) {", line: line(c))
            let value = containsSuspend(condition) ? lowerExpression(condition) : renderText(condition)
            code("if (!(\(value))) break;", line(condition))
            emitBody(body)
            code("}")
        }
        loops.removeLast()
        fragments.append(.loopEnd)
    }

    /// The inner strip's head (StripLoops.Strip.text) with the parts rendered
    /// for the frame; the body and `}` follow.
    func stripOpening(_ strip: StripLoops.Strip) -> String {
        let name = newLabel(strip.countsDown ? "strip_left" : "strip_end")
        return strip.text(v: renderText(strip.counterSide), e: renderText(strip.boundSide),
                          s: strip.stepVariable.map(renderText), terms: strip.terms.map(renderText),
                          increment: strip.increment.map(renderText), name: name)
    }

    func emitDo(_ c: Cursor) {
        let parts = c.children
        let (body, condition) = (parts[0], parts[1])
        fragments.append(.loopStart)
        if !containsSuspend(condition) {
            loops.append(nil)
            loopHead("do {", line: line(c))
            emitBody(body)
            code("} while (\(renderText(condition)));", line(condition))
        } else {
            let next = LoopLabel(newLabel("continue"))
            loops.append(next)
            loopHead("for (;;) {", line: line(c))
            emitBody(body)
            if next.used { code("\(next.name):;") }
            let value = lowerExpression(condition)
            code("if (!(\(value))) break;")
            code("}")
        }
        loops.removeLast()
        fragments.append(.loopEnd)
    }

    func emitFor(_ c: Cursor) {
        let (initial, condition, increment, body) = forParts(c)
        code("{", line(c))
        if let initial {
            if initial.kind == CXCursor_DeclStmt { emitDeclaration(initial) } else { emitExpressionStatement(initial) }
        }
        fragments.append(.loopStart)
        let simple = !(condition.map(containsSuspend) ?? false) && !(increment.map(containsSuspend) ?? false)
        if simple {
            loops.append(nil)
            let cond = condition.map(renderText) ?? ""
            let inc = increment.map(renderText) ?? ""
            if !preempt {
                code("for (; \(cond); \(inc))", line(c))
            } else if let strip = StripLoops.strip(c, candidates: registerCandidates, macros, source), let condition {
                // Strips of at most strip.trips iterations, the check before each.
                loopHead("for (;;) {", line: line(c))
                code("if (!(\(cond))) break;", line(condition))
                code(stripOpening(strip), line(c))
                emitBody(body)
                code("} }")
                loops.removeLast()
                fragments.append(.loopEnd)
                code("}")
                return
            } else {
                loopHead("for (;; \(inc)) {", line: line(c))
                if let condition { code("if (!(\(cond))) break;", line(condition)) }
            }
            emitBody(body)
            if preempt { code("}") }
        } else {
            let next = LoopLabel(newLabel("continue"))
            loops.append(next)
            loopHead("for (;;) {", line: line(c))
            if let condition {
                let value = lowerExpression(condition)
                code("if (!(\(value))) break;")
            }
            emitBody(body)
            if next.used { code("\(next.name):;") }
            if let increment { emitExpressionStatement(increment) }
            code("}")
        }
        loops.removeLast()
        fragments.append(.loopEnd)
        code("}")
    }

    /// libclang omits absent parts of `for (init; cond; inc)`; the two `;` of the
    /// header say which child is which.
    func forParts(_ c: Cursor) -> (Cursor?, Cursor?, Cursor?, Cursor) {
        var children = c.children
        let body = children.removeLast()
        guard let range = macros.textRange(c) else { return (nil, children.first, nil, body) }
        var semicolons: [Int] = []
        var depth = 0, i = range.start
        while i < range.end && semicolons.count < 2 {
            let b = source.bytes[i]
            if b == UInt8(ascii: "(") { depth += 1 }
            if b == UInt8(ascii: ")") { depth -= 1 }
            if b == UInt8(ascii: ";") && depth == 1 { semicolons.append(i) }
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                let quote = b
                i += 1
                while i < range.end && source.bytes[i] != quote { i += source.bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
            }
            i += 1
        }
        var initial: Cursor?, condition: Cursor?, increment: Cursor?
        for child in children {
            let at = macros.textRange(child)?.start ?? child.fileOffset
            if semicolons.count == 2 {
                if child.kind == CXCursor_DeclStmt || at < semicolons[0] {
                    initial = child
                } else if at < semicolons[1] {
                    condition = child
                } else {
                    increment = child
                }
            }
        }
        return (initial, condition, increment, body)
    }
}
