// Pass 1: find the `@coroutine func` declarations of a .coroswift file and read
// their signatures.
//
// Input:  a parsed SourceFileSyntax.
// Output: one CoroutineSignature per top-level `@coroutine func`, in source order,
//         and diagnostics for what the frontend refuses: `async` coroutines,
//         `inout` parameters, generic coroutines, coroutines in a generic type,
//         `mutating` methods, methods of a non-final class body or an actor,
//         coroutines in local scopes, and a
//         `@coroutine` attribute on anything but a function.
// Instance methods (final classes, structs, enums, extensions): `self` becomes
// the frame's first parameter `co_self` (a reference to the object, or a copy
// of the value, as a non-mutating method sees it).  Their bodies must write
// `self.member`: an implicit member access cannot be resolved without a type
// checker, and ImplicitMemberCheck reports the ones it can see (members the
// file declares for the type).
// `@nopreempt` next to `@coroutine` turns off the loop back-edge checks for that
// coroutine (DESIGN.md: CORO_NOPREEMPT).
import CorocCore
import SwiftSyntax

struct CoroutineParameter: Equatable {
    /// The text of the parameter as written (`_ n: Int = 3`), reused for the frame's init.
    var written: String
    /// The name inside the body, which is also the frame field's name.
    var name: String
    var type: String
    /// The argument label callers write, nil for `_`.
    var label: String?
    /// The receiver of an instance-method coroutine (`co_self`), passed by coroc.
    var isSelf = false

    static func receiver(type: String) -> CoroutineParameter {
        CoroutineParameter(written: "co_self: \(type)", name: "co_self", type: type, label: "co_self", isSelf: true)
    }
}

struct CoroutineSignature {
    var name: String
    var parameters: [CoroutineParameter]
    /// nil for a coroutine that returns nothing.
    var returnType: String?
    var throwsError: Bool
    var noPreempt: Bool
    var decl: FunctionDeclSyntax
    /// The type a `static` coroutine is declared in (its name as written), nil at the top level.
    var owner: String? = nil
    /// An instance method of `owner`: parameters[0] is the receiver `co_self`.
    var isInstance = false

    /// The frame class as declared (nested in `owner` when there is one).
    var localFrameClassName: String { name + "_Frame" }
    /// The frame class as referenced from anywhere in the file.
    var frameClassName: String { owner.map { "\($0).\(localFrameClassName)" } ?? localFrameClassName }
    /// `f` or `T.f`: how calls and diagnostics name the coroutine.
    var qualifiedName: String { owner.map { "\($0).\(name)" } ?? name }

    /// `label: name, name2` — the parameters passed on to a call with the same labels.
    /// (From a method of the type: the receiver is `self`.)
    var forwardedArguments: String {
        parameters.map { ($0.label.map { "\($0): " } ?? "") + ($0.isSelf ? "self" : $0.name) }.joined(separator: ", ")
    }

    /// The parameters the source declares (without the receiver).
    var declaredParameters: [CoroutineParameter] { parameters.filter { !$0.isSelf } }

    /// Plain-Swift entry points for code outside .coroswift files (main.swift of a
    /// target that compiles the translation through the build plugin):
    /// `NAME_go(args)` spawns, `NAME_main(args)` runs the scheduler and returns the result.
    /// (For a coroutine of a type, static members of that type: `T.NAME_go(args)`.)
    func entryPoints(spawn: String, runMain: String) -> String {
        let parameterList = declaredParameters.map(\.written).joined(separator: ", ")
        let throwsWord = throwsError ? " throws" : ""
        let tryWord = throwsError ? "try " : ""
        let staticWord = owner == nil || isInstance ? "" : "static "
        return """
            /// `coro_go(\(qualifiedName)(...))` for plain Swift files of this module.
            \(staticWord)func \(name)_go(\(parameterList)) {
                \(spawn)
            }

            /// `coro_main(\(qualifiedName)(...))` for plain Swift files of this module.
            \(staticWord)func \(name)_main(\(parameterList))\(throwsWord) -> \(returnType ?? "Swift.Void") {
                return \(tryWord)\(runMain)
            }

            """
    }
}

struct CoroutineFinder {
    let source: SourceContext

    func find(in file: SourceFileSyntax) -> (coroutines: [CoroutineSignature], diagnostics: [Diagnostic]) {
        let visitor = AttributeVisitor(viewMode: .sourceAccurate)
        visitor.walk(file)
        var found: [CoroutineSignature] = []
        var diagnostics: [Diagnostic] = []
        var seen: Set<String> = []
        let genericTypes = GenericTypeCollector.names(in: file)
        for node in visitor.annotated {
            guard let function = node.as(FunctionDeclSyntax.self) else {
                diagnostics.append(diagnostic(at: Syntax(node), Messages.notAFunction))
                continue
            }
            let name = function.name.text
            var owner: String?
            var isInstance = false
            if function.parent?.is(CodeBlockItemSyntax.self) != true {
                let isStatic = function.modifiers.contains { ["static", "class"].contains($0.name.text) }
                guard let type = Self.enclosingTypeName(of: function) else {
                    diagnostics.append(diagnostic(at: Syntax(function.name), Messages.insideType(name)))
                    continue
                }
                if genericTypes.contains(type) {
                    // The frame class would be nested in a generic type, and the
                    // thunk and spawn code name it without the type's arguments.
                    diagnostics.append(diagnostic(at: Syntax(function.name), Messages.genericOwner(name, type)))
                    continue
                }
                if !isStatic {
                    if let mutating = function.modifiers.first(where: { $0.name.text == "mutating" }) {
                        diagnostics.append(diagnostic(at: Syntax(mutating), Messages.mutating(name)))
                        continue
                    }
                    if let type = Self.enclosingClass(of: function), !Self.isFinal(type),
                       !function.modifiers.contains(where: { $0.name.text == "final" }) {
                        diagnostics.append(diagnostic(at: Syntax(function.name), Messages.overridable(name, type.name.text)))
                        continue
                    }
                    isInstance = true
                }
                owner = type
            }
            if let generics = function.genericParameterClause {
                diagnostics.append(diagnostic(at: Syntax(generics), Messages.generic(name)))
                continue
            }
            let effects = function.signature.effectSpecifiers
            if let asyncKeyword = effects?.asyncSpecifier {
                diagnostics.append(diagnostic(at: Syntax(asyncKeyword), Messages.async(name)))
                continue
            }
            var parameters: [CoroutineParameter] = isInstance ? [.receiver(type: owner!)] : []
            var bad = false
            for parameter in function.signature.parameterClause.parameters {
                let typeText = parameter.type.trimmedDescription
                if let attributed = parameter.type.as(AttributedTypeSyntax.self),
                   attributed.specifiers.contains(where: { $0.trimmedDescription == "inout" }) {
                    diagnostics.append(diagnostic(at: Syntax(parameter.type), Messages.inoutParameter(parameter.secondName?.text ?? parameter.firstName.text)))
                    bad = true
                    continue
                }
                if let ellipsis = parameter.ellipsis {
                    // The frame's init and the plain-Swift entry points would have to
                    // forward the array to a variadic parameter, which Swift cannot.
                    diagnostics.append(diagnostic(at: Syntax(ellipsis), Messages.variadicParameter(parameter.secondName?.text ?? parameter.firstName.text)))
                    bad = true
                    continue
                }
                let inner = parameter.secondName?.text ?? parameter.firstName.text
                var written = parameter.trimmedDescription
                if written.hasSuffix(",") { written.removeLast() }
                let label = parameter.firstName.text == "_" ? nil : parameter.firstName.text
                parameters.append(CoroutineParameter(written: written, name: inner, type: typeText, label: label))
            }
            if bad { continue }
            if seen.contains(name) {
                diagnostics.append(diagnostic(at: Syntax(function.name), Messages.overloaded(name)))
                continue
            }
            seen.insert(name)
            var returnType = function.signature.returnClause?.type.trimmedDescription
            if returnType == "Void" || returnType == "()" { returnType = nil }
            let noPreempt = function.attributes.contains { attribute in
                attribute.as(AttributeSyntax.self)?.attributeName.trimmedDescription == "nopreempt"
            }
            found.append(CoroutineSignature(
                name: name, parameters: parameters, returnType: returnType,
                throwsError: effects?.throwsClause != nil, noPreempt: noPreempt, decl: function, owner: owner,
                isInstance: isInstance))
        }
        return (found, diagnostics)
    }

    /// The struct, enum, class or extended type whose member block holds `function`;
    /// nil for actors (their isolation does not carry over to the frame) and locals.
    static func enclosingTypeName(of function: FunctionDeclSyntax) -> String? {
        guard let item = function.parent?.as(MemberBlockItemSyntax.self),
              let block = item.parent?.parent?.as(MemberBlockSyntax.self), let type = block.parent else { return nil }
        if let decl = type.as(StructDeclSyntax.self) { return decl.name.text }
        if let decl = type.as(EnumDeclSyntax.self) { return decl.name.text }
        if let decl = type.as(ClassDeclSyntax.self) { return decl.name.text }
        if let decl = type.as(ExtensionDeclSyntax.self) { return decl.extendedType.trimmedDescription }
        return nil
    }

    /// The class whose own member block (not an extension) declares `function`:
    /// its methods there can be overridden unless it is final.
    static func enclosingClass(of function: FunctionDeclSyntax) -> ClassDeclSyntax? {
        function.parent?.as(MemberBlockItemSyntax.self)?.parent?.parent?.as(MemberBlockSyntax.self)?.parent?
            .as(ClassDeclSyntax.self)
    }

    static func isFinal(_ decl: ClassDeclSyntax) -> Bool {
        decl.modifiers.contains { $0.name.text == "final" }
    }

    private func diagnostic(at node: Syntax, _ message: String) -> Diagnostic {
        source.diagnostic(at: node, message)
    }

    enum Messages {
        static let notAFunction = "'@coroutine' applies only to a 'func' declaration"
        static func insideType(_ name: String) -> String {
            "coroutine '\(name)' is declared in an actor or a local scope; declare it at the top level, or in a struct, enum, final class or extension"
        }
        static func genericOwner(_ name: String, _ type: String) -> String {
            "coroutine '\(name)' is declared in the generic type '\(type)'; declare it in a non-generic type or at the top level"
        }
        static func mutating(_ name: String) -> String {
            "coroutine '\(name)' cannot be 'mutating'; its 'self' would be an inout parameter, which may not outlive a suspension (use a final class, or pass the value in and return it)"
        }
        static func overridable(_ name: String, _ type: String) -> String {
            "coroutine '\(name)' is a method of the non-final class '\(type)'; an override could not be awaited as a coroutine: make '\(type)' or the method 'final'"
        }
        static func implicitMember(_ member: String, _ type: String) -> String {
            "'\(member)' is an instance member of '\(type)'; in a coroutine write 'self.\(member)' (coroc has no type checker to resolve an implicit member access)"
        }
        static func generic(_ name: String) -> String { "coroutine '\(name)' cannot be generic" }
        static func async(_ name: String) -> String {
            "coroutine '\(name)' cannot be 'async'; a @coroutine already suspends at its I/O and runtime calls"
        }
        static func variadicParameter(_ name: String) -> String {
            "coroutine parameter '\(name)' cannot be variadic; take an array ('_ \(name): [T]') and pass '[a, b, c]'"
        }
        static func inoutParameter(_ name: String) -> String {
            "coroutine parameter '\(name)' cannot be 'inout'; the caller's variable may not outlive a suspension (pass a pointer or a class reference)"
        }
        static func overloaded(_ name: String) -> String { "coroutine '\(name)' is declared twice; coroutines cannot be overloaded" }
    }
}

/// Instance-method coroutines: references to an instance member of the owner
/// type without `self.` (`count`, `helper()`), for the members this file
/// declares in the type's body or its extensions.  A name the coroutine binds
/// itself (a parameter or a local anywhere in the body) is taken as that local.
/// Members declared elsewhere (a superclass, a protocol extension, another
/// file) are not seen; swiftc then reports the access at the input line.
struct ImplicitMemberCheck {
    let source: SourceContext

    func check(_ coroutines: [CoroutineSignature], in tree: SourceFileSyntax) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for coroutine in coroutines where coroutine.isInstance {
            guard let owner = coroutine.owner, let body = coroutine.decl.body else { continue }
            let members = Self.instanceMembers(of: owner, in: tree)
            let bound = Set(coroutine.declaredParameters.map(\.name)).union(Self.boundNames(in: Syntax(body)))
            let references = References(viewMode: .sourceAccurate)
            references.walk(body)
            for reference in references.found where members.contains(reference.baseName.text)
                && !bound.contains(reference.baseName.text) {
                diagnostics.append(source.diagnostic(at: reference,
                                                     CoroutineFinder.Messages.implicitMember(reference.baseName.text, owner)))
            }
        }
        return diagnostics
    }

    /// Names of the non-static properties and methods declared in the body of
    /// the type named `owner` and in its extensions.
    static func instanceMembers(of owner: String, in tree: SourceFileSyntax) -> Set<String> {
        final class Members: SyntaxVisitor {
            let owner: String
            var names: Set<String> = []
            init(owner: String) {
                self.owner = owner
                super.init(viewMode: .sourceAccurate)
            }
            func collect(_ block: MemberBlockSyntax) {
                for item in block.members {
                    if let variable = item.decl.as(VariableDeclSyntax.self),
                       !variable.modifiers.contains(where: { ["static", "class"].contains($0.name.text) }) {
                        for binding in variable.bindings {
                            if let name = binding.pattern.as(IdentifierPatternSyntax.self)?.identifier.text { names.insert(name) }
                        }
                    }
                    if let function = item.decl.as(FunctionDeclSyntax.self),
                       !function.modifiers.contains(where: { ["static", "class"].contains($0.name.text) }) {
                        names.insert(function.name.text)
                    }
                }
            }
            override func visit(_ node: StructDeclSyntax) -> SyntaxVisitorContinueKind {
                if node.name.text == owner { collect(node.memberBlock) }
                return .visitChildren
            }
            override func visit(_ node: ClassDeclSyntax) -> SyntaxVisitorContinueKind {
                if node.name.text == owner { collect(node.memberBlock) }
                return .visitChildren
            }
            override func visit(_ node: EnumDeclSyntax) -> SyntaxVisitorContinueKind {
                if node.name.text == owner { collect(node.memberBlock) }
                return .visitChildren
            }
            override func visit(_ node: ExtensionDeclSyntax) -> SyntaxVisitorContinueKind {
                if node.extendedType.trimmedDescription == owner { collect(node.memberBlock) }
                return .visitChildren
            }
        }
        let visitor = Members(owner: owner)
        visitor.walk(tree)
        return visitor.names
    }

    static func boundNames(in node: Syntax) -> Set<String> {
        final class Names: SyntaxVisitor {
            var names: Set<String> = []
            override func visit(_ node: IdentifierPatternSyntax) -> SyntaxVisitorContinueKind {
                names.insert(node.identifier.text)
                return .skipChildren
            }
            override func visit(_ node: FunctionDeclSyntax) -> SyntaxVisitorContinueKind {
                names.insert(node.name.text)
                return .visitChildren
            }
            override func visit(_ node: ClosureShorthandParameterSyntax) -> SyntaxVisitorContinueKind {
                names.insert(node.name.text)
                return .skipChildren
            }
            override func visit(_ node: FunctionParameterSyntax) -> SyntaxVisitorContinueKind {
                names.insert(node.secondName?.text ?? node.firstName.text)
                return .skipChildren
            }
            override func visit(_ node: ClosureParameterSyntax) -> SyntaxVisitorContinueKind {
                names.insert(node.secondName?.text ?? node.firstName.text)
                return .skipChildren
            }
        }
        let visitor = Names(viewMode: .sourceAccurate)
        visitor.walk(node)
        return visitor.names
    }

    /// Plain name references: not the member of `x.member`, not a label.
    private final class References: SyntaxVisitor {
        var found: [DeclReferenceExprSyntax] = []
        override func visit(_ node: DeclReferenceExprSyntax) -> SyntaxVisitorContinueKind {
            if let member = node.parent?.as(MemberAccessExprSyntax.self), member.declName.id == node.id {
                return .skipChildren
            }
            found.append(node)
            return .skipChildren
        }
    }
}

/// Collects the declarations that carry a `@coroutine` attribute.
private final class AttributeVisitor: SyntaxVisitor {
    var annotated: [DeclSyntax] = []

    override func visit(_ node: AttributeSyntax) -> SyntaxVisitorContinueKind {
        if node.attributeName.trimmedDescription == "coroutine",
           let decl = node.parent?.parent?.as(DeclSyntax.self) {
            annotated.append(decl)
        }
        return .skipChildren
    }
}

/// The file being translated: its name as diagnostics print it, line/column
/// conversion, and its lines for the caret display.
struct SourceContext {
    let fileName: String
    let converter: SourceLocationConverter
    let lines: [Substring]

    init(fileName: String, tree: SourceFileSyntax, text: String) {
        self.fileName = fileName
        self.converter = SourceLocationConverter(fileName: fileName, tree: tree)
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    func line(of node: some SyntaxProtocol) -> Int {
        node.startLocation(converter: converter).line
    }

    func column(of node: some SyntaxProtocol) -> Int {
        node.startLocation(converter: converter).column
    }

    func diagnostic(_ severity: Severity = .error, at node: some SyntaxProtocol, _ message: String) -> Diagnostic {
        let location = node.startLocation(converter: converter)
        return diagnostic(severity, line: location.line, column: location.column, message)
    }

    func diagnostic(_ severity: Severity = .error, line: Int, column: Int, _ message: String) -> Diagnostic {
        var text: String?
        if line >= 1, line <= lines.count {
            text = String(lines[line - 1])
            if text!.hasSuffix("\r") { text!.removeLast() }
        }
        return Diagnostic(severity, at: SourceLocation(file: fileName, line: line, column: column), message, sourceLine: text)
    }
}
