// The type rule of DESIGN.md ("Swift input"): swift-syntax has no type checker,
// so a local that must live in the frame needs a type the frontend can see.
//
// Input:  an initializer expression and the types known so far (parameters and
//         earlier locals).
// Output: the type's text, or nil when it cannot be seen.  Visible types are: a
//         literal (Int, Double, String, Bool, arrays of those), a constructor call
//         `T(...)` / `[T](...)` / `socklen_t(...)` (C typedefs end in _t), a catalogue call or another coroutine (through the
//         SuspendSite), `e as T`, a copy of a variable whose type is known, the
//         runtime calls listed below, and the typed API's case makers
//         (`ch.receiving()`; TypedAPITypes).  Anything else gets the caller's diagnostic.
// A generic type's constructor without its arguments (`Array(s.utf8)`,
// `Set(xs)`, `Box(1)` for a `struct Box<T>` of the file) names no type: the
// arguments come from inference, which coroc cannot do, and a field of type
// bare `Array` does not compile.  Such a call is not a visible type
// (`genericConstructor` tells the caller why, for the diagnostic), except
// `Optional(x)` with x's type known.  Spelled with its arguments
// (`Array<UInt8>(...)`, `[UInt8](...)`) it is.
import SwiftParser
import SwiftSyntax

struct TypeRule {
    /// Non-suspending runtime calls whose Swift result type is fixed by coro.h.
    static let knownCallTypes: [String: String] = [
        "coro_chan_new": "OpaquePointer?", "coro_chan_close": "Int32", "coro_num_workers": "Int32",
        "coro_worker_id": "Int32", "socket": "Int32", "bind": "Int32", "listen": "Int32",
        "coro_wg": "coro_wg", "coro_mutex": "coro_mutex", "getpid": "Int32",
    ]

    /// Generic types of the standard library that code commonly constructs
    /// without writing their arguments.  The translator adds the file's own
    /// generic types (GenericTypeCollector).
    static let standardGenerics: Set<String> = [
        "Array", "ContiguousArray", "ArraySlice", "Set", "Dictionary", "Optional", "Result", "Range", "ClosedRange",
        "Slice", "KeyValuePairs", "AnySequence", "AnyIterator", "AnyCollection", "IndexingIterator", "StrideTo",
        "StrideThrough", "Zip2Sequence", "EnumeratedSequence", "LazySequence", "ReversedCollection", "Repeated",
        "CollectionOfOne", "EmptyCollection", "UnsafePointer", "UnsafeMutablePointer", "UnsafeBufferPointer",
        "UnsafeMutableBufferPointer", "AutoreleasingUnsafeMutablePointer", "Unmanaged", "SIMD2", "SIMD3", "SIMD4",
        "SIMD8", "SIMD16", "SIMD32", "SIMD64", "Mutex", "Atomic",
        // CoroSwift's typed API (TypedAPITypes)
        "Channel", "Receiving", "Sending",
    ]

    static func visibleType(of expr: ExprSyntax, known: [String: String],
                            generics: Set<String> = standardGenerics) -> String? {
        if expr.is(IntegerLiteralExprSyntax.self) { return "Int" }
        if expr.is(FloatLiteralExprSyntax.self) { return "Double" }
        if expr.is(StringLiteralExprSyntax.self) { return "String" }
        if expr.is(BooleanLiteralExprSyntax.self) { return "Bool" }
        if let prefix = expr.as(PrefixOperatorExprSyntax.self), prefix.operator.text == "-" {
            return visibleType(of: prefix.expression, known: known, generics: generics)
        }
        if let paren = expr.as(TupleExprSyntax.self), paren.elements.count == 1, let only = paren.elements.first,
           only.label == nil {
            return visibleType(of: only.expression, known: known, generics: generics)
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
            let types = Set(array.elements.map { visibleType(of: $0.expression, known: known, generics: generics) })
            if types.count == 1, let element = types.first, let element { return "[\(element)]" }
            return nil
        }
        if let call = expr.as(FunctionCallExprSyntax.self), let member = call.calledExpression.as(MemberAccessExprSyntax.self),
           let base = member.base?.as(DeclReferenceExprSyntax.self), let receiver = known[base.baseName.text],
           let type = TypedAPITypes.methodResult(receiver: receiver, method: member.declName.baseName.text,
                                                 arguments: call.arguments.count) {
            return type
        }
        if let call = expr.as(FunctionCallExprSyntax.self) {
            return constructedType(call, known: known, generics: generics) ?? SuspendClassifier.calleeName(call).flatMap { knownCallTypes[$0] }
        }
        return nil
    }

    /// The type a constructor call names, nil when the call is no constructor or
    /// names a generic type without its arguments.
    /// `T(...)`, `T<U>(...)`, `T.init(...)`, `[T](...)`, `[K: V](...)`.
    static func constructedType(_ call: FunctionCallExprSyntax, known: [String: String],
                                generics: Set<String> = standardGenerics) -> String? {
        guard let callee = constructorCallee(call) else { return nil }
        if let ref = callee.as(DeclReferenceExprSyntax.self) {
            let name = ref.baseName.text
            if generics.contains(name) {
                // `Optional(x)`: the one generic constructor whose argument is its type.
                if name == "Optional", call.arguments.count == 1, let argument = call.arguments.first,
                   argument.label == nil,
                   let wrapped = visibleType(of: argument.expression, known: known, generics: generics) {
                    return wrapped.hasSuffix("?") ? wrapped : wrapped + "?"
                }
                return nil
            }
            // Failable: a number parsed from a string, `T(exactly:)`.
            let numeric: Set<String> = ["Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32",
                                        "UInt64", "Double", "Float"]
            if numeric.contains(name), let argument = call.arguments.first,
               argument.label?.text == "exactly"
                || visibleType(of: argument.expression, known: known, generics: generics) == "String" {
                return name + "?"
            }
            return name
        }
        return callee.trimmedDescription
    }

    /// The type part of a constructor call (`T`, `T<U>`, `[T]`, `[K: V]`,
    /// `socklen_t`; `.init` stripped); nil when the call is not a constructor.
    /// A constructor counts as a pure conversion for the evaluation-order checks.
    static func constructorCallee(_ call: FunctionCallExprSyntax) -> ExprSyntax? {
        var callee = ExprSyntax(call.calledExpression)
        if let member = callee.as(MemberAccessExprSyntax.self), member.declName.baseName.text == "init",
           let base = member.base {
            callee = base
        }
        if let ref = callee.as(DeclReferenceExprSyntax.self), let first = ref.baseName.text.first {
            // Uppercase: a type by Swift's convention; C typedefs as Glibc imports
            // them end in _t: socklen_t(...), sa_family_t(...), in_port_t(...).
            return first.isUppercase || ref.baseName.text.hasSuffix("_t") ? callee : nil
        }
        if callee.is(GenericSpecializationExprSyntax.self) || callee.is(ArrayExprSyntax.self)
            || callee.is(DictionaryExprSyntax.self) {
            return callee
        }
        return nil
    }

    /// `Array(...)`, `Set(...)`, `Box(...)`: a generic type constructed without its
    /// arguments (which only inference could supply); its name, else nil.
    static func genericConstructor(_ expr: ExprSyntax, generics: Set<String> = standardGenerics) -> String? {
        var expr = expr
        if let tryExpr = expr.as(TryExprSyntax.self) { expr = tryExpr.expression }
        guard let call = expr.as(FunctionCallExprSyntax.self),
              let ref = constructorCallee(call)?.as(DeclReferenceExprSyntax.self),
              generics.contains(ref.baseName.text) else { return nil }
        return ref.baseName.text
    }

    /// The type two operands share: a literal takes the other operand's type
    /// when that one is known (`1...n` with n: UInt8 is a ClosedRange<UInt8>).
    static func commonType(_ left: ExprSyntax, _ right: ExprSyntax, known: [String: String],
                           generics: Set<String> = standardGenerics) -> String? {
        func isLiteral(_ expr: ExprSyntax) -> Bool {
            if let prefix = expr.as(PrefixOperatorExprSyntax.self) { return isLiteral(prefix.expression) }
            return expr.is(IntegerLiteralExprSyntax.self) || expr.is(FloatLiteralExprSyntax.self)
        }
        let leftType = visibleType(of: left, known: known, generics: generics)
        let rightType = visibleType(of: right, known: known, generics: generics)
        if isLiteral(left), let rightType { return rightType }
        return leftType ?? rightType
    }

    /// The element type of a `for` loop's sequence, and the type of its hoisted iterator.
    static func iteratorType(of sequence: ExprSyntax, annotated: String?, known: [String: String],
                             generics: Set<String> = standardGenerics) -> (element: String, iterator: String)? {
        if let range = sequence.as(SequenceExprSyntax.self) {
            let elements = Array(range.elements)
            if elements.count == 3, let op = elements[1].as(BinaryOperatorExprSyntax.self) {
                let bound = annotated ?? commonType(elements[0], elements[2], known: known, generics: generics)
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
                let element = annotated ?? commonType(arguments[0].expression, arguments[1].expression, known: known, generics: generics)
                if let element {
                    return (element, label == "to" ? "StrideTo<\(element)>.Iterator" : "StrideThrough<\(element)>.Iterator")
                }
            }
        }
        // `xs.enumerated()`, `zip(xs, ys)` over arrays whose types are visible.
        if let call = sequence.as(FunctionCallExprSyntax.self) {
            if let member = call.calledExpression.as(MemberAccessExprSyntax.self), call.arguments.isEmpty,
               member.declName.baseName.text == "enumerated", let base = member.base,
               let array = visibleType(of: base, known: known, generics: generics),
               let element = arrayElement(array) {
                return (annotated ?? "(offset: Int, element: \(element))", "EnumeratedSequence<\(array)>.Iterator")
            }
            if SuspendClassifier.calleeName(call) == "zip", call.arguments.count == 2 {
                let arrays = call.arguments.map { visibleType(of: $0.expression, known: known, generics: generics) }
                if let first = arrays[0], let second = arrays[1], let a = arrayElement(first), let b = arrayElement(second) {
                    return (annotated ?? "(\(a), \(b))", "Zip2Sequence<\(first), \(second)>.Iterator")
                }
            }
        }
        if let type = visibleType(of: sequence, known: known, generics: generics) {
            if let element = arrayElement(type) {
                return (annotated ?? element, "IndexingIterator<\(type)>")
            }
            if let dictionary = parseType(type)?.as(DictionaryTypeSyntax.self) {
                let key = dictionary.key.trimmedDescription
                let value = dictionary.value.trimmedDescription
                return (annotated ?? "(key: \(key), value: \(value))", "Dictionary<\(key), \(value)>.Iterator")
            }
        }
        // Any other sequence of an annotated loop: its elements are converted to the
        // annotation (`(offset:element:)` to `(Int, Character)`, as the loop itself
        // would), so the iterator's type is one coroc can write.  lowerFor wraps it.
        if let annotated { return (annotated, "AnyIterator<\(annotated)>") }
        return nil
    }

    /// `T` for an array type `[T]`, else nil.
    static func arrayElement(_ type: String) -> String? {
        parseType(type)?.as(ArrayTypeSyntax.self)?.element.trimmedDescription
    }

    /// The component types of a tuple type (`(Int, String)`, `(key: K, value: V)`), else nil.
    static func tupleComponents(_ type: String) -> [String]? {
        guard let tuple = parseType(type)?.as(TupleTypeSyntax.self), tuple.elements.count > 1 else { return nil }
        return tuple.elements.map { $0.type.trimmedDescription }
    }

    /// A type's text parsed as a type (only text coroc itself read from the input).
    static func parseType(_ text: String) -> TypeSyntax? {
        let file = Parser.parse(source: "let x: \(text)")
        guard !file.hasError else { return nil }
        return file.statements.first?.item.as(VariableDeclSyntax.self)?.bindings.first?.typeAnnotation?.type
    }
}
