// Pass 1: find the `@coroutine func` declarations of a .coroswift file and read
// their signatures.
//
// Input:  a parsed SourceFileSyntax.
// Output: one CoroutineSignature per top-level `@coroutine func`, in source order,
//         and diagnostics for what the frontend refuses: `async` coroutines,
//         `inout` parameters, generic coroutines, coroutines declared inside a type
//         (their implicit `self` member accesses cannot be resolved without a type
//         checker), and a `@coroutine` attribute on anything but a function.
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

    /// The frame class as declared (nested in `owner` when there is one).
    var localFrameClassName: String { name + "_Frame" }
    /// The frame class as referenced from anywhere in the file.
    var frameClassName: String { owner.map { "\($0).\(localFrameClassName)" } ?? localFrameClassName }
    /// `f` or `T.f`: how calls and diagnostics name the coroutine.
    var qualifiedName: String { owner.map { "\($0).\(name)" } ?? name }

    /// `label: name, name2` — the parameters passed on to a call with the same labels.
    var forwardedArguments: String {
        parameters.map { ($0.label.map { "\($0): " } ?? "") + $0.name }.joined(separator: ", ")
    }

    /// Plain-Swift entry points for code outside .coroswift files (main.swift of a
    /// target that compiles the translation through the build plugin):
    /// `NAME_go(args)` spawns, `NAME_main(args)` runs the scheduler and returns the result.
    /// (For a coroutine of a type, static members of that type: `T.NAME_go(args)`.)
    func entryPoints(spawn: String, runMain: String) -> String {
        let parameterList = parameters.map(\.written).joined(separator: ", ")
        let throwsWord = throwsError ? " throws" : ""
        let tryWord = throwsError ? "try " : ""
        let staticWord = owner == nil ? "" : "static "
        return """
            /// `coro_go(\(qualifiedName)(...))` for plain Swift files of this module.
            \(staticWord)func \(name)_go(\(parameterList)) {
                \(spawn)
            }

            /// `coro_main(\(qualifiedName)(...))` for plain Swift files of this module.
            \(staticWord)func \(name)_main(\(parameterList))\(throwsWord) -> \(returnType ?? "Void") {
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
        for node in visitor.annotated {
            guard let function = node.as(FunctionDeclSyntax.self) else {
                diagnostics.append(diagnostic(at: Syntax(node), Messages.notAFunction))
                continue
            }
            let name = function.name.text
            var owner: String?
            if function.parent?.is(CodeBlockItemSyntax.self) != true {
                let isStatic = function.modifiers.contains { ["static", "class"].contains($0.name.text) }
                guard isStatic, let type = Self.enclosingTypeName(of: function) else {
                    diagnostics.append(diagnostic(at: Syntax(function.name), Messages.insideType(name)))
                    continue
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
            var parameters: [CoroutineParameter] = []
            var bad = false
            for parameter in function.signature.parameterClause.parameters {
                let typeText = parameter.type.trimmedDescription
                if let attributed = parameter.type.as(AttributedTypeSyntax.self),
                   attributed.specifiers.contains(where: { $0.trimmedDescription == "inout" }) {
                    diagnostics.append(diagnostic(at: Syntax(parameter.type), Messages.inoutParameter(parameter.secondName?.text ?? parameter.firstName.text)))
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
                throwsError: effects?.throwsClause != nil, noPreempt: noPreempt, decl: function, owner: owner))
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

    private func diagnostic(at node: Syntax, _ message: String) -> Diagnostic {
        source.diagnostic(at: node, message)
    }

    enum Messages {
        static let notAFunction = "'@coroutine' applies only to a 'func' declaration"
        static func insideType(_ name: String) -> String {
            "coroutine '\(name)' is an instance method (or in an actor or a local scope); its implicit 'self' member accesses cannot be resolved without a type checker: make it 'static' and pass the instance as a parameter, or declare it at the top level"
        }
        static func generic(_ name: String) -> String { "coroutine '\(name)' cannot be generic" }
        static func async(_ name: String) -> String {
            "coroutine '\(name)' cannot be 'async'; a @coroutine already suspends at its I/O and runtime calls"
        }
        static func inoutParameter(_ name: String) -> String {
            "coroutine parameter '\(name)' cannot be 'inout'; the caller's variable may not outlive a suspension (pass a pointer or a class reference)"
        }
        static func overloaded(_ name: String) -> String { "coroutine '\(name)' is declared twice; coroutines cannot be overloaded" }
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
