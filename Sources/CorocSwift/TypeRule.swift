// The type rule of DESIGN.md ("Swift input"): swift-syntax has no type checker,
// so a local that must live in the frame needs a type the frontend can see.
//
// Input:  an initializer expression and the types known so far (parameters and
//         earlier locals).
// Output: the type's text, or nil when it cannot be seen.  Visible types are: a
//         literal (Int, Double, String, Bool, arrays of those), a constructor call
//         `T(...)` / `[T](...)` / `socklen_t(...)` (C typedefs end in _t), a catalogue call or another coroutine (through the
//         SuspendSite), `e as T`, a copy of a variable whose type is known, and the
//         runtime calls listed below.  Anything else gets the caller's diagnostic.
import SwiftSyntax

struct TypeRule {
    /// Non-suspending runtime calls whose Swift result type is fixed by coro.h.
    static let knownCallTypes: [String: String] = [
        "coro_chan_new": "OpaquePointer?", "coro_chan_close": "Int32", "coro_num_workers": "Int32",
        "coro_worker_id": "Int32", "socket": "Int32", "bind": "Int32", "listen": "Int32",
        "coro_wg": "coro_wg", "coro_mutex": "coro_mutex", "getpid": "Int32",
    ]

    static func visibleType(of expr: ExprSyntax, known: [String: String]) -> String? {
        if expr.is(IntegerLiteralExprSyntax.self) { return "Int" }
        if expr.is(FloatLiteralExprSyntax.self) { return "Double" }
        if expr.is(StringLiteralExprSyntax.self) { return "String" }
        if expr.is(BooleanLiteralExprSyntax.self) { return "Bool" }
        if let prefix = expr.as(PrefixOperatorExprSyntax.self), prefix.operator.text == "-" {
            return visibleType(of: prefix.expression, known: known)
        }
        if let paren = expr.as(TupleExprSyntax.self), paren.elements.count == 1, let only = paren.elements.first,
           only.label == nil {
            return visibleType(of: only.expression, known: known)
        }
        if let ref = expr.as(DeclReferenceExprSyntax.self) {
            return known[ref.baseName.text]
        }
        if let cast = expr.as(AsExprSyntax.self), cast.questionOrExclamationMark == nil {
            return cast.type.trimmedDescription
        }
        if let sequence = expr.as(SequenceExprSyntax.self) {
            // `x as T` before operator folding: [x, as, T]
            let elements = Array(sequence.elements)
            if let last = elements.last?.as(TypeExprSyntax.self), elements.count >= 3,
               let cast = elements[elements.count - 2].as(UnresolvedAsExprSyntax.self),
               cast.questionOrExclamationMark == nil {
                return last.type.trimmedDescription
            }
            return nil
        }
        if let array = expr.as(ArrayExprSyntax.self) {
            let types = Set(array.elements.map { visibleType(of: $0.expression, known: known) })
            if types.count == 1, let element = types.first, let element { return "[\(element)]" }
            return nil
        }
        if let call = expr.as(FunctionCallExprSyntax.self) {
            return constructedType(call, known: known) ?? SuspendClassifier.calleeName(call).flatMap { knownCallTypes[$0] }
        }
        return nil
    }

    /// `T(...)`, `T<U>(...)`, `T.init(...)`, `[T](...)`, `[K: V](...)`.
    static func constructedType(_ call: FunctionCallExprSyntax, known: [String: String]) -> String? {
        var callee = ExprSyntax(call.calledExpression)
        if let member = callee.as(MemberAccessExprSyntax.self), member.declName.baseName.text == "init",
           let base = member.base {
            callee = base
        }
        if let ref = callee.as(DeclReferenceExprSyntax.self), let first = ref.baseName.text.first,
           first.isUppercase {
            // Failable: a number parsed from a string, `T(exactly:)`.
            let numeric: Set<String> = ["Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32",
                                        "UInt64", "Double", "Float"]
            if numeric.contains(ref.baseName.text), let argument = call.arguments.first,
               argument.label?.text == "exactly" || visibleType(of: argument.expression, known: known) == "String" {
                return ref.baseName.text + "?"
            }
            return ref.baseName.text
        }
        // C typedefs as Glibc imports them: socklen_t(...), sa_family_t(...), in_port_t(...).
        if let ref = callee.as(DeclReferenceExprSyntax.self), ref.baseName.text.hasSuffix("_t") {
            return ref.baseName.text
        }
        if let specialized = callee.as(GenericSpecializationExprSyntax.self) {
            return specialized.trimmedDescription
        }
        if callee.is(ArrayExprSyntax.self) || callee.is(DictionaryExprSyntax.self) {
            return callee.trimmedDescription
        }
        return nil
    }

    /// The type two operands share: a literal takes the other operand's type
    /// when that one is known (`1...n` with n: UInt8 is a ClosedRange<UInt8>).
    static func commonType(_ left: ExprSyntax, _ right: ExprSyntax, known: [String: String]) -> String? {
        func isLiteral(_ expr: ExprSyntax) -> Bool {
            if let prefix = expr.as(PrefixOperatorExprSyntax.self) { return isLiteral(prefix.expression) }
            return expr.is(IntegerLiteralExprSyntax.self) || expr.is(FloatLiteralExprSyntax.self)
        }
        let leftType = visibleType(of: left, known: known)
        let rightType = visibleType(of: right, known: known)
        if isLiteral(left), let rightType { return rightType }
        return leftType ?? rightType
    }

    /// The element type of a `for` loop's sequence, and the type of its hoisted iterator.
    static func iteratorType(of sequence: ExprSyntax, annotated: String?, known: [String: String]) -> (element: String, iterator: String)? {
        if let range = sequence.as(SequenceExprSyntax.self) {
            let elements = Array(range.elements)
            if elements.count == 3, let op = elements[1].as(BinaryOperatorExprSyntax.self) {
                let bound = annotated ?? commonType(elements[0], elements[2], known: known)
                if let bound {
                    switch op.operator.text {
                    case "..<": return (bound, "Range<\(bound)>.Iterator")
                    case "...": return (bound, "ClosedRange<\(bound)>.Iterator")
                    default: break
                    }
                }
            }
        }
        if let call = sequence.as(FunctionCallExprSyntax.self), SuspendClassifier.calleeName(call) == "stride" {
            let arguments = Array(call.arguments)
            if arguments.count == 3, let label = arguments[1].label?.text {
                let element = annotated ?? commonType(arguments[0].expression, arguments[1].expression, known: known)
                if let element {
                    return (element, label == "to" ? "StrideTo<\(element)>.Iterator" : "StrideThrough<\(element)>.Iterator")
                }
            }
        }
        if let type = visibleType(of: sequence, known: known), type.hasPrefix("["), type.hasSuffix("]"), !type.contains(":") {
            let element = String(type.dropFirst().dropLast())
            return (annotated ?? element, "IndexingIterator<\(type)>")
        }
        if let annotated { return (annotated, "any IteratorProtocol<\(annotated)>") }
        return nil
    }
}
