// The Swift frontend: `.coroswift` in, Swift source on CoroRuntime out.
//
// Pipeline (DESIGN.md "Pipeline"), one file per pass:
//   parse (SwiftParser) -> CoroutineFinder -> for each coroutine:
//   Lower (states; suspend calls hoisted into states of their own) -> Liveness
//   (which locals become frame fields) -> the type rule (TypeRule, checked here on
//   the fields) -> Emit (frame class) ; then the file is reassembled: code
//   outside coroutines is kept as written under `#sourceLocation` directives, so
//   compiler errors in it point at the .coroswift lines, with `coro_go(f(x))` and
//   `coro_main(f(x))` rewritten to the frame classes' spawn / run-main calls.
// Stackful mode keeps every body as written (StackfulEmit.swift).
// The output depends only on the input text and options (deterministic).
import CorocCore
import Foundation
import SwiftParser
import SwiftParserDiagnostics
import SwiftSyntax

public typealias SwiftTranslateOptions = TranslateOptions
public typealias SwiftTranslation = Translation

public struct SwiftTranslator {
    public let options: SwiftTranslateOptions

    public init(options: SwiftTranslateOptions) {
        self.options = options
    }

    public func translate(path: String) throws(DiagnosticError) -> SwiftTranslation {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw DiagnosticError([Diagnostic(.error, at: nil, Messages.cannotRead(path))])
        }
        return try translate(source: text, fileName: path)
    }

    public func translate(source text: String, fileName: String) throws(DiagnosticError) -> SwiftTranslation {
        try translate(source: text, fileName: fileName, renaming: true, normalizing: true)
    }

    private func translate(source text: String, fileName: String, renaming: Bool,
                           normalizing: Bool) throws(DiagnosticError) -> SwiftTranslation {
        let tree = Parser.parse(source: text)
        let source = SourceContext(fileName: fileName, tree: tree, text: text)
        if tree.hasError {
            throw DiagnosticError(syntaxErrors(in: tree, source: source))
        }
        var (coroutines, finderDiagnostics) = CoroutineFinder(source: source).find(in: tree)
        finderDiagnostics += ImplicitMemberCheck(source: source).check(coroutines, in: tree)
        if !finderDiagnostics.isEmpty { throw DiagnosticError(finderDiagnostics) }
        let foreign = try moduleCoroutines(besides: fileName, own: coroutines, source: source)
        // The typed API's go/yield/sleep as the runtime calls (TypedAPINormalize; lines kept).
        if normalizing, let normalized = TypedAPINormalize.normalizedText(of: tree, coroutines: coroutines + foreign) {
            return try translate(source: normalized, fileName: fileName, renaming: renaming, normalizing: false)
        }
        var byName: [String: CoroutineSignature] = [:]
        for coroutine in foreign + coroutines { byName[coroutine.name] = coroutine }
        let classifier = SuspendClassifier(catalogue: options.catalogue, coroutines: byName)

        switch options.mode {
        case .stackless:
            // Each local its own frame field: shadowing locals are renamed first
            // (ShadowRenamer; lines are kept, so diagnostics still point at the input).
            if renaming, let renamed = ShadowRenamer.renamedText(of: tree, coroutines: coroutines) {
                return try translate(source: renamed, fileName: fileName, renaming: false, normalizing: false)
            }
            return try translateStackless(tree: tree, source: source, coroutines: coroutines, foreign: foreign,
                                          classifier: classifier)
        case .stackful:
            return try StackfulEmit(source: source, coroutines: byName, own: Set(coroutines.map(\.name)),
                                    classifier: classifier).translate(tree: tree)
        }
    }

    /// The coroutines of the module's other files (options.moduleFiles), which this
    /// file may await and spawn: their frame classes (stackless) or functions
    /// (stackful) are internal to the module.  A file that does not parse or
    /// whose coroutines are rejected contributes nothing here: translating it
    /// reports why.  A name declared in two files is an error (the frame classes
    /// would collide).
    private func moduleCoroutines(besides fileName: String, own: [CoroutineSignature],
                                  source: SourceContext) throws(DiagnosticError) -> [CoroutineSignature] {
        var found: [CoroutineSignature] = []
        let ownNames = Dictionary(own.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var errors: [Diagnostic] = []
        for path in options.moduleFiles.sorted() {
            if (path as NSString).standardizingPath == (fileName as NSString).standardizingPath { continue }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw DiagnosticError([Diagnostic(.error, at: nil, Messages.cannotRead(path))])
            }
            let tree = Parser.parse(source: text)
            if tree.hasError { continue }
            let (coroutines, _) = CoroutineFinder(source: SourceContext(fileName: path, tree: tree, text: text)).find(in: tree)
            for coroutine in coroutines {
                if let mine = ownNames[coroutine.name] {
                    errors.append(source.diagnostic(at: mine.decl.name, Messages.declaredInTwoFiles(coroutine.name, path)))
                }
            }
            found += coroutines.filter { ownNames[$0.name] == nil }
        }
        if !errors.isEmpty { throw DiagnosticError(errors) }
        return found
    }

    private func translateStackless(tree: SourceFileSyntax, source: SourceContext, coroutines: [CoroutineSignature],
                                    foreign: [CoroutineSignature],
                                    classifier: SuspendClassifier) throws(DiagnosticError) -> SwiftTranslation {
        var errors: [Diagnostic] = []
        var classes: [SyntaxIdentifier: String] = [:]
        var reports: [CoroutineReport] = []
        // Over the whole module: a callee of another file may await this file's coroutines.
        let callGraph = AwaitGraph(coroutines: coroutines + foreign, classifier: classifier)
        let generics = TypeRule.standardGenerics.union(GenericTypeCollector.names(in: tree))
        for coroutine in coroutines {
            let lower = Lower(signature: coroutine, classifier: classifier.forCoroutine(coroutine), source: source,
                              reusableCallees: callGraph.reusableCallees(of: coroutine), generics: generics)
            guard let lowered = lower.run() else {
                errors += lower.diagnostics
                continue
            }
            assert(lowered.isWellFormed, "Lower produced a malformed state machine for \(coroutine.name)")
            let fields = frameFields(of: lowered)
            let typeErrors = checkTypeRule(lowered, fields: fields, source: source)
            if !typeErrors.isEmpty {
                errors += typeErrors
                continue
            }
            let emit = Emit(lowered: lowered, fields: fields, fileName: (source.fileName as NSString).lastPathComponent,
                            sourcePath: source.fileName)
            classes[Syntax(coroutine.decl).id] = emit.classText()
            reports.append(Report.make(lowered, fields: fields, fileName: source.fileName))
        }
        let assembled = TopLevelAssembly(source: source, classifier: classifier, classes: classes,
                                         skipped: Set(coroutines.map { Syntax($0.decl).id }))
        let body = assembled.render(tree)
        errors += assembled.diagnostics
        if !errors.isEmpty { throw DiagnosticError(errors.sorted { ($0.location?.line ?? 0, $0.location?.column ?? 0) < ($1.location?.line ?? 0, $1.location?.column ?? 0) }) }
        let name = (source.fileName as NSString).lastPathComponent
        let output = """
            // Generated by `coroc translate \(name)` (stackless mode); do not edit.
            import CoroRuntime
            import CoroSwift
            #if canImport(Glibc)
            import Glibc
            #endif
            \(body)
            """
        return SwiftTranslation(output: output, diagnostics: [], report: reports)
    }

    /// Variables that live in the frame: live on entry to some state (FrameLiveness),
    /// plus awaited child frames; parameters are fields anyway and not listed.
    private func frameFields(of lowered: LoweredCoroutine) -> [String] {
        let parameters = Set(lowered.signature.parameters.map(\.name))
        let summaries = lowered.blocks.map { block in
            BlockSummary(items: block.items.map { BlockSummary.Item(uses: $0.uses, kills: $0.kills, depth: $0.indent) },
                         successors: block.successors)
        }
        let candidates = Set(lowered.variables.keys).subtracting(parameters)
        let liveness = FrameLiveness(blocks: summaries, candidates: candidates)
        let fields = liveness.frameVariables.union(lowered.alwaysFields).subtracting(parameters)
        return fields.sorted()
    }

    private func checkTypeRule(_ lowered: LoweredCoroutine, fields: [String], source: SourceContext) -> [Diagnostic] {
        var errors: [Diagnostic] = []
        let frameNames = Set(fields).union(lowered.signature.parameters.map(\.name))
        for (closure, names) in lowered.escapingClosures {
            if let captured = names.intersection(frameNames).sorted().first {
                errors.append(source.diagnostic(at: closure, Lower.Messages.escapingCapture(captured == "co_self" ? "self" : captured)))
            }
        }
        for name in fields {
            guard let variable = lowered.variables[name] else { continue }
            let location = SourceLocation(file: source.fileName, line: variable.line, column: variable.column)
            let line = variable.line <= source.lines.count ? String(source.lines[variable.line - 1]) : nil
            if variable.localDeclaration {
                errors.append(Diagnostic(.error, at: location, Messages.localDeclaration(name), sourceLine: line))
            } else if variable.destructured {
                errors.append(Diagnostic(.error, at: location, Messages.destructured(name), sourceLine: line))
            } else if variable.type == nil, let generic = variable.genericConstructor {
                errors.append(Diagnostic(.error, at: location, Messages.genericConstructor(name, generic), sourceLine: line))
            } else if variable.type == nil {
                errors.append(Diagnostic(.error, at: location, Messages.invisibleType(name), sourceLine: line))
            }
        }
        return errors
    }

    enum Messages {
        static func cannotRead(_ path: String) -> String { "cannot read '\(path)'" }
        static let syntaxError = "syntax error in Swift input"
        static func declaredInTwoFiles(_ name: String, _ other: String) -> String {
            "coroutine '\(name)' is also declared in \(other); coroutine names are unique per module"
        }
        static func invisibleType(_ name: String) -> String {
            "variable '\(name)' lives across a suspend point but its type is not visible to coroc (there is no type checker); annotate it: '\(name): <Type>'"
        }
        static func genericConstructor(_ name: String, _ type: String) -> String {
            "variable '\(name)' lives across a suspend point but its type is not visible to coroc: '\(type)(...)' leaves \(type)'s generic arguments to inference (there is no type checker); annotate it: '\(name): \(type)<...>', or spell them: '\(type)<...>(...)'"
        }
        static func localDeclaration(_ name: String) -> String {
            "local declaration '\(name)' is used after a suspend point; declare it outside the coroutine"
        }
        static func destructured(_ name: String) -> String {
            "variable '\(name)' is bound by a pattern and lives across a suspend point; bind it to an annotated local first ('let \(name): <Type> = \(name)')"
        }
    }
}

/// Names of the generic structs, classes and enums a file declares, at any
/// depth: a bare `Box(...)` of a `struct Box<T>` names no type (TypeRule).
enum GenericTypeCollector {
    static func names(in tree: SourceFileSyntax) -> Set<String> {
        final class Collector: SyntaxVisitor {
            var names: Set<String> = []
            override func visit(_ node: StructDeclSyntax) -> SyntaxVisitorContinueKind {
                if node.genericParameterClause != nil { names.insert(node.name.text) }
                return .visitChildren
            }
            override func visit(_ node: ClassDeclSyntax) -> SyntaxVisitorContinueKind {
                if node.genericParameterClause != nil { names.insert(node.name.text) }
                return .visitChildren
            }
            override func visit(_ node: EnumDeclSyntax) -> SyntaxVisitorContinueKind {
                if node.genericParameterClause != nil { names.insert(node.name.text) }
                return .visitChildren
            }
        }
        let collector = Collector(viewMode: .sourceAccurate)
        collector.walk(tree)
        return collector.names
    }
}

/// swift-syntax's own parse diagnostics, in clang's format; the generic message
/// if it has none to give.
private func syntaxErrors(in tree: SourceFileSyntax, source: SourceContext) -> [Diagnostic] {
    let found = ParseDiagnosticsGenerator.diagnostics(for: tree).filter { $0.diagMessage.severity == .error }
    if found.isEmpty {
        let node = SyntaxErrorFinder.first(in: tree) ?? Syntax(tree)
        return [source.diagnostic(at: node, SwiftTranslator.Messages.syntaxError)]
    }
    return found.map { diagnostic in
        let position = diagnostic.location(converter: source.converter)
        return source.diagnostic(line: position.line, column: position.column, diagnostic.message)
    }
}

/// The first node swift-syntax marks as missing or unexpected.
enum SyntaxErrorFinder {
    static func first(in tree: SourceFileSyntax) -> Syntax? {
        guard tree.hasError else { return nil }
        final class Finder: SyntaxAnyVisitor {
            var found: Syntax?
            override func visitAny(_ node: Syntax) -> SyntaxVisitorContinueKind {
                if found != nil { return .skipChildren }
                if node.is(UnexpectedNodesSyntax.self) || (node.as(TokenSyntax.self)?.presence == .missing) {
                    found = node
                    return .skipChildren
                }
                return .visitChildren
            }
        }
        let finder = Finder(viewMode: .all)
        finder.walk(tree)
        return finder.found
    }
}

/// Stackless mode: writes the whole output file: code outside coroutines as written (with
/// `#sourceLocation` so compiler errors point at the input), each coroutine
/// replaced by its class, spawn markers rewritten.
final class TopLevelAssembly {
    let source: SourceContext
    let classifier: SuspendClassifier
    let classes: [SyntaxIdentifier: String]
    /// Coroutine declarations: replaced by `classes`, or (when they failed) not
    /// walked, since their own diagnostics already explain them.
    let skipped: Set<SyntaxIdentifier>
    private(set) var diagnostics: [Diagnostic] = []

    init(source: SourceContext, classifier: SuspendClassifier, classes: [SyntaxIdentifier: String],
         skipped: Set<SyntaxIdentifier>) {
        self.source = source
        self.classifier = classifier
        self.classes = classes
        self.skipped = skipped
    }

    private var quotedFile: String {
        QuotedLiteral.quoted(source.fileName)
    }

    func render(_ tree: SourceFileSyntax) -> String {
        var out = "#sourceLocation(file: \(quotedFile), line: 1)\n"
        walk(Syntax(tree), into: &out)
        if !out.hasSuffix("\n") { out += "\n" }
        return out
    }

    private func walk(_ node: Syntax, into out: inout String) {
        if let text = classes[node.id] {
            let endLine = source.converter.location(for: node.endPositionBeforeTrailingTrivia).line
            out += node.leadingTrivia.description
            out += "#sourceLocation()\n" + text + "#sourceLocation(file: \(quotedFile), line: \(endLine + 1))"
            out += node.trailingTrivia.description
            return
        }
        if skipped.contains(node.id) { return }
        if let token = node.as(TokenSyntax.self) {
            out += token.description
            return
        }
        if let call = node.as(FunctionCallExprSyntax.self) {
            if let marker = spawnMarker(call) {
                out += node.leadingTrivia.description + spawnText(call, marker: marker) + node.trailingTrivia.description
                return
            }
            if let callee = classifier.coroutine(calledBy: call) {
                diagnostics.append(source.diagnostic(at: call, Messages.callOutsideCoroutine(callee.qualifiedName)))
            }
        }
        for child in node.children(viewMode: .sourceAccurate) { walk(child, into: &out) }
    }

    private func spawnText(_ call: FunctionCallExprSyntax, marker: String) -> String {
        guard call.arguments.count == 1, let inner = call.arguments.first?.expression.as(FunctionCallExprSyntax.self),
              let callee = classifier.coroutine(calledBy: inner) else {
            diagnostics.append(source.diagnostic(at: call, Lower.Messages.spawnNeedsCoroutine(marker)))
            return "()"
        }
        var arguments = ""
        for child in inner.arguments.children(viewMode: .sourceAccurate) { walk(child, into: &arguments) }
        var receiver: String?
        if let base = SuspendClassifier.receiver(of: inner, callee: callee) {
            var text = ""
            walk(Syntax(base), into: &text)
            receiver = text.trimmingWhitespace()
        }
        return SpawnRewrite.text(marker: marker, callee: callee, arguments: arguments.trimmingWhitespace(), receiver: receiver)
    }

    enum Messages {
        static func callOutsideCoroutine(_ name: String) -> String { CommonMessages.callOutsideCoroutine(name) }
    }
}

/// Which coroutine awaits which (by qualified name): the shared AwaitGraph,
/// built from the Swift AST; tells recursive awaits (a fresh frame per call)
/// from the others (a frame kept per call site).
extension AwaitGraph {
    init(coroutines: [CoroutineSignature], classifier: SuspendClassifier) {
        var edges: [String: Set<String>] = [:]
        for coroutine in coroutines {
            guard let body = coroutine.decl.body else { continue }
            let calls = SuspendCallCollector.collect(in: body, classifier: classifier).calls
            edges[coroutine.qualifiedName] = Set(calls.compactMap { call -> String? in
                if case .await(let callee) = call.site { return callee.qualifiedName }
                return nil
            })
        }
        self.init(edges: edges)
    }

    func reusableCallees(of caller: CoroutineSignature) -> Set<String> {
        nonRecursiveCallees(of: caller.qualifiedName)
    }
}
