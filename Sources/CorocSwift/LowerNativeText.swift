// Pass 2, part of Lower: statements kept as written.  They are rendered with
// their suspend calls replaced by result temporaries, re-indented, and with
// `break` / `continue` / `return` / `fallthrough` that leave lowered code turned
// into jumps (`state = k; continue co_dispatch`), spawn markers into frame
// spawns; the names they read and write are recorded for FrameLiveness.
import CorocCore
import SwiftSyntax

extension Lower {
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
        // The temporaries that replaced suspend calls are read here too (as whole
        // identifiers: "co_t1" is not read by a text that names only "co_t10").
        let temporaries = Set(replacements.values.filter { $0.hasPrefix("co_t") && Self.names(text, $0) })
        return Rendered(text: text, uses: referencedNames(in: node, skipping: Set(replacements.keys)).union(temporaries),
                        targets: renderer.targets)
    }

    /// Does `text` contain `identifier` as a whole identifier (not inside a longer one)?
    static func names(_ text: String, _ identifier: String) -> Bool {
        func isIdentifierCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        var rest = text[...]
        while let range = rest.range(of: identifier) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            if !(before.map(isIdentifierCharacter) ?? false) && !(after.map(isIdentifierCharacter) ?? false) { return true }
            rest = text[range.upperBound...]
        }
        return false
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
