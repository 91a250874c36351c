// The types of CoroSwift's typed API as the frontend sees them (no type
// checker): which names a coroutine's typed-API calls are made on, and the
// visible result types of the non-waiting calls (`ch.receiving()` is a
// `Receiving<T>`), so the type rule of docs/swift.md covers them.
//
// Input:  a coroutine's signature (parameters and body); type texts.
// Output: name -> type text of the parameters and locals declared with a typed
//         API type (annotation or constructor: `let ch = Channel<Int>()`,
//         `let wg: WaitGroup = WaitGroup()`, `_ inbox: Channel<String>`).
// Names inside a coroutine are unique after ShadowRenamer (stackless), so one
// map per coroutine is exact there; in stackful mode the map is not used.
import SwiftSyntax

enum TypedAPITypes {
    /// The type without the module qualifier (`CoroSwift.Channel<Int>` -> `Channel<Int>`).
    static func bare(_ type: String) -> String {
        type.hasPrefix("CoroSwift.") ? String(type.dropFirst("CoroSwift.".count)) : type
    }

    /// `T` of `Channel<T>`, else nil.
    static func channelElement(_ type: String) -> String? {
        let type = bare(type)
        guard type.hasPrefix("Channel<"), type.hasSuffix(">") else { return nil }
        return String(type.dropFirst("Channel<".count).dropLast())
    }

    static func isTypedAPIType(_ type: String) -> Bool {
        channelElement(type) != nil || ["WaitGroup", "CoroMutex"].contains(bare(type))
    }

    /// `T?`, parenthesized when T is a function or another compound that needs it.
    static func optional(_ type: String) -> String {
        if type.contains("->") || type.hasPrefix("any ") || type.hasPrefix("some ") { return "(\(type))?" }
        return type + "?"
    }

    static func receivers(of signature: CoroutineSignature) -> [String: String] {
        var found: [String: String] = [:]
        for parameter in signature.parameters where isTypedAPIType(parameter.type) {
            found[parameter.name] = parameter.type
        }
        guard let body = signature.decl.body else { return found }
        final class Collector: SyntaxVisitor {
            var found: [String: String]
            init(_ found: [String: String]) {
                self.found = found
                super.init(viewMode: .sourceAccurate)
            }
            override func visit(_ node: PatternBindingSyntax) -> SyntaxVisitorContinueKind {
                guard let name = node.pattern.as(IdentifierPatternSyntax.self)?.identifier.text else { return .visitChildren }
                var type = node.typeAnnotation?.type.trimmedDescription
                if type == nil, let value = node.initializer?.value {
                    type = TypeRule.visibleType(of: value, known: found)
                }
                if let type, TypedAPITypes.isTypedAPIType(type) { found[name] = type }
                return .visitChildren
            }
        }
        let collector = Collector(found)
        collector.walk(body)
        return collector.found
    }

    /// The result type of a non-waiting typed-API method called on a receiver of
    /// type `receiver`: `receiving()` -> `Receiving<T>`, `sending(_:)` ->
    /// `Sending<T>`, `close()` -> `Bool`.
    static func methodResult(receiver: String, method: String, arguments: Int) -> String? {
        guard let element = channelElement(receiver) else { return nil }
        switch (method, arguments) {
        case ("receiving", 0): return "Receiving<\(element)>"
        case ("sending", 1): return "Sending<\(element)>"
        case ("close", 0): return "Bool"
        default: return nil
        }
    }
}
