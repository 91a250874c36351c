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
        // An instance-method coroutine's `self.NAME`: a stored property of its type
        // declared in this file with a typed-API type (key "self.NAME").
        if signature.isInstance, let owner = signature.owner {
            for (name, type) in storedProperties(of: owner, in: Syntax(signature.decl).root) {
                found["self." + name] = type
            }
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

    /// Stored properties of the file's declarations of type `owner` whose type is a
    /// typed-API type: `let inbox: Channel<Int>`, `let done = WaitGroup()`.
    static func storedProperties(of owner: String, in root: Syntax) -> [String: String] {
        final class Collector: SyntaxVisitor {
            let owner: String
            var found: [String: String] = [:]
            init(owner: String) {
                self.owner = owner
                super.init(viewMode: .sourceAccurate)
            }
            func collect(_ members: MemberBlockSyntax) {
                for member in members.members {
                    guard let variable = member.decl.as(VariableDeclSyntax.self),
                          !variable.modifiers.contains(where: { $0.name.text == "static" }) else { continue }
                    for binding in variable.bindings where binding.accessorBlock == nil {
                        guard let name = binding.pattern.as(IdentifierPatternSyntax.self)?.identifier.text else { continue }
                        let type = binding.typeAnnotation?.type.trimmedDescription
                            ?? binding.initializer.flatMap { TypeRule.visibleType(of: $0.value, known: [:]) }
                        if let type, TypedAPITypes.isTypedAPIType(type) { found[name] = type }
                    }
                }
            }
            override func visit(_ node: ClassDeclSyntax) -> SyntaxVisitorContinueKind {
                if node.name.text == owner { collect(node.memberBlock) }
                return .visitChildren
            }
            override func visit(_ node: StructDeclSyntax) -> SyntaxVisitorContinueKind {
                if node.name.text == owner { collect(node.memberBlock) }
                return .visitChildren
            }
        }
        let collector = Collector(owner: owner)
        collector.walk(root)
        return collector.found
    }
}
