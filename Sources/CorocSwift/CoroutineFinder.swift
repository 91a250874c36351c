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

    var frameClassName: String { name + "_Frame" }

    /// `label: name, name2` — the parameters passed on to a call with the same labels.
    var forwardedArguments: String {
        parameters.map { ($0.label.map { "\($0): " } ?? "") + $0.name }.joined(separator: ", ")
    }

    /// Plain-Swift entry points for code outside .coroswift files (main.swift of a
    /// target that compiles the translation through the build plugin):
    /// `NAME_go(args)` spawns, `NAME_main(args)` runs the scheduler and returns the result.
    func entryPoints(spawn: String, runMain: String) -> String {
        let parameterList = parameters.map(\.written).joined(separator: ", ")
        let throwsWord = throwsError ? " throws" : ""
        let tryWord = throwsError ? "try " : ""
        return """
            /// `coro_go(\(name)(...))` for plain Swift files of this module.
            func \(name)_go(\(parameterList)) {
                \(spawn)
            }

            /// `coro_main(\(name)(...))` for plain Swift files of this module.
            func \(name)_main(\(parameterList))\(throwsWord) -> \(returnType ?? "Void") {
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
            if function.parent?.is(CodeBlockItemSyntax.self) != true {
                diagnostics.append(diagnostic(at: Syntax(function.name), Messages.insideType(name)))
                continue
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
                throwsError: effects?.throwsClause != nil, noPreempt: noPreempt, decl: function))
        }
        return (found, diagnostics)
    }

    private func diagnostic(at node: Syntax, _ message: String) -> Diagnostic {
        source.diagnostic(at: node, message)
    }

    enum Messages {
        static let notAFunction = "'@coroutine' applies only to a 'func' declaration"
        static func insideType(_ name: String) -> String {
            "coroutine '\(name)' is declared inside a type; declare coroutines at the top level of the file"
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
        var text: String?
        if location.line >= 1, location.line <= lines.count {
            text = String(lines[location.line - 1])
            if text!.hasSuffix("\r") { text!.removeLast() }
        }
        return Diagnostic(severity, at: SourceLocation(file: fileName, line: location.line, column: location.column),
                          message, sourceLine: text)
    }
}
