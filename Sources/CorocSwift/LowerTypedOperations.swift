// Pass 2, part of Lower: the typed API's waiting calls (CoroSwift:
// `ch.send(v)`, `ch.receive()`, `wg.wait()`, `m.lock()`, `select(...)`).
//
// Input:  a call the classifier found to be a `.typed` suspend site.
// Output: a state of its own (Lower's invariant) whose first item calls the
//         CoroSwift entry point `co_op*` with the frame header, so the "call
//         again" protocol re-runs exactly that call; the value travels in a
//         frame field `co_bN` (a CoroSwift.OpSlot: the memory the runtime may
//         keep a pointer to while the call is parked), the result in `co_tN`.
// The value of a send and the cases of a select are autoclosures evaluated on
// the first attempt only, so they are evaluated once, as written.
import SwiftSyntax

extension Lower {
    func lowerTypedOperation(_ call: FunctionCallExprSyntax, _ operation: TypedOperation, number: Int,
                             replacements: [SyntaxIdentifier: String], argumentUses: Set<String>) -> String {
        let line = source.line(of: call)
        let slot = "co_b\(number)"
        let temp = "co_t\(number)"
        let returnStatus = "if co_st != 0 { return coro_status(rawValue: Swift.UInt32(co_st)) }"
        func rendered(_ expr: ExprSyntax) -> String { render(Syntax(expr), replacements: replacements).text }
        // `self.x` of an instance-method coroutine: the frame holds the receiver as co_self.
        func object(_ receiver: String) -> (text: String, uses: Set<String>) {
            if receiver.hasPrefix("self.") { return ("co_self." + receiver.dropFirst("self.".count), ["co_self"]) }
            return (receiver, [receiver])
        }
        func useSlot() {
            declareVariable(slot, type: "CoroSwift.OpSlot", at: call)
            alwaysFields.insert(slot)
        }
        func enterState() {
            let state = newBlock(kind: .runtime, line: line, what: operation.what)
            jump(to: state)
            start(state)
        }
        switch operation {
        case .send(let receiver, let element):
            useSlot()
            enterState()
            let value = rendered(call.arguments.first!.expression)
            declareVariable(temp, type: "Swift.Bool", at: call)
            emit(.declare(name: temp, keyword: "var", writtenType: "Swift.Bool", initializer: "false"), line: line, kills: [temp])
            let target = object(receiver)
            emit(.code("do { let co_st = CoroSwift.Channel<\(element)>.co_opSend(co_hdr, \(target.text).co_raw, &\(slot), \(value), &\(temp)); \(returnStatus) }"),
                 line: line, uses: argumentUses.union(target.uses).union([slot, temp]))
            return temp
        case .receive(let receiver, let element):
            useSlot()
            enterState()
            let type = TypedAPITypes.optional(element)
            declareVariable(temp, type: type, at: call)
            emit(.declare(name: temp, keyword: "var", writtenType: type, initializer: "nil"), line: line, kills: [temp])
            let source = object(receiver)
            emit(.code("do { let co_st = CoroSwift.Channel<\(element)>.co_opReceive(co_hdr, \(source.text).co_raw, &\(slot), &\(temp)); \(returnStatus) }"),
                 line: line, uses: source.uses.union([slot, temp]))
            return temp
        case .wait(let receiver), .lock(let receiver):
            enterState()
            let entry = { if case .wait = operation { return "CoroSwift.WaitGroup.co_opWait" } else { return "CoroSwift.CoroMutex.co_opLock" } }()
            let target = object(receiver)
            emit(.code("do { let co_st = \(entry)(co_hdr, \(target.text).co_raw); \(returnStatus) }"), line: line, uses: target.uses)
            return "()"
        case .select:
            useSlot()
            enterState()
            var cases: [String] = []
            var orDefault = "false"
            for argument in call.arguments {
                if argument.label?.text == "orDefault" { orDefault = rendered(argument.expression) } else {
                    cases.append(rendered(argument.expression))
                }
            }
            declareVariable(temp, type: "Swift.Int", at: call)
            emit(.declare(name: temp, keyword: "var", writtenType: "Swift.Int", initializer: "0"), line: line, kills: [temp])
            emit(.code("do { let co_st = CoroSwift.co_opSelect(co_hdr, &\(slot), [\(cases.joined(separator: ", "))], orDefault: \(orDefault), &\(temp)); \(returnStatus) }"),
                 line: line, uses: argumentUses.union([slot, temp]))
            return temp
        }
    }
}
