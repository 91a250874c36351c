// The C frontend's public face: translate one annotated C file.
//
// Runs the passes in order (each its own file, contract at its top):
//   Parse -> FindCoroutines -> Reject -> PlainCopies (CoroutineValues) -> LocalTypes -> Classify
//   -> Normalize -> Lower -> Emit
// with ThreadWarnings (using Liveness) beside Normalize.  When Normalize (or
// stackful's spawn copy) meets macro-body code it cannot rewrite, the macro
// calls there are spelled out (ExpandMacros.spellOut) and the passes rerun.  Debug builds check
// between passes that each did its job (`checkNormalized`, `checkLowered`).
// Errors stop the translation: translate throws every error diagnostic and no
// output is produced.
import CClang
import CorocCore

public struct CTranslateOptions: Sendable {
    public var mode: TranslationMode
    public var catalogue: IOCatalogue
    /// -I, -D, -std... as for the compiler.
    public var clangArgs: [String]

    public init(mode: TranslationMode = .stackless, catalogue: IOCatalogue = .builtin, clangArgs: [String] = []) {
        self.mode = mode
        self.catalogue = catalogue
        self.clangArgs = clangArgs
    }
}

public typealias CTranslation = Translation

public struct CTranslator {
    public let options: CTranslateOptions

    public init(options: CTranslateOptions) {
        self.options = options
    }

    /// Frames larger than this get a warning (they are allocated per coroutine).
    static let largeFrameBytes = 64 * 1024

    public func translate(path: String) throws(DiagnosticError) -> CTranslation {
        var unit = try ParsedUnit.parse(path: path, arguments: options.clangArgs)
        // Code from a macro body that the lowering cannot rewrite has no text
        // of its own: the macro calls in that code are spelled out and the
        // file translated again, a round per level of macros that call macros.
        // When nothing more can be spelled out the first round's errors stand:
        // their columns and source lines are the user's text.
        var attempts = 0
        var first: DiagnosticError?
        while true {
            switch try translate(unit, path: path) {
            case .done(let translation):
                return translation
            case .macroBodies(let translated, let ranges, let error):
                attempts += 1
                if first == nil { first = error }
                guard attempts <= 8, let expanded = ExpandMacros.spellOut(translated, in: ranges) else { throw first ?? error }
                unit = try ParsedUnit.parse(path: path, arguments: options.clangArgs, contents: expanded.bytes, origin: expanded.origin)
            }
        }
    }

    /// A translation, or errors some of which came from macro bodies: the
    /// unit as translated (after ExpandMacros) and where in it they came from.
    private enum Attempt {
        case done(CTranslation)
        case macroBodies(ParsedUnit, [TextRange], DiagnosticError)
    }

    private func translate(_ parsed: ParsedUnit, path: String) throws(DiagnosticError) -> Attempt {
        var (unit, coroutines) = try spellOutHiddenSuspends(parsed, path: path)
        let command = "coroc translate" + (options.mode == .stackful ? " --mode stackful" : "") + " \(path)"
        if options.mode == .stackful { return try translateStackful(unit, coroutines, command: command) }
        // Stackful keeps coroutines as C functions, so only here do values
        // of coroutines, plain callers and refused bodies need plain forms.
        let problems = Reject.problems(unit, coroutines, mode: .stackless)
        let forms = PlainCopies.run(unit, coroutines, catalogue: options.catalogue, problems: problems)
        var errors = Reject.sorted(problems.filter { !forms.demoted.contains($0.key) }.values.flatMap { $0 } + forms.errors)
        var warnings = Reject.sorted(forms.warnings)
        coroutines = coroutines.filter { !forms.demoted.contains($0.name) }
        let localTypes = LocalTypes.run(unit, coroutines)
        errors += localTypes.errors
        let classification = Classify.run(unit, coroutines, catalogue: options.catalogue, calledPlain: forms.calledPlain)
        errors += classification.diagnostics
        if !errors.isEmpty { throw DiagnosticError(errors) }

        var facts = ProgramFacts(unit: unit, coroutines: Dictionary(uniqueKeysWithValues: coroutines.map { ($0.name, $0) }),
                                 classification: classification, header: (32, 8), frameLayouts: [:],
                                 intType: clang_getCursorType(unit.root.raw), pointerSize: 8,
                                 localTypes: localTypes.plans)
        try lookUpRuntimeTypes(unit, &facts)
        var lowered: [String: LoweredCoroutine] = [:]
        var reports: [CoroutineReport] = []
        var macroFailures: [TextRange] = []
        for coroutine in coroutines where coroutine.isDefinedHere {
            let one = lower(coroutine, &facts, path: path)
            lowered[coroutine.name] = one.lowered
            reports.append(one.report)
            errors += one.errors
            warnings += one.warnings
            macroFailures += one.macroFailures
        }
        if !errors.isEmpty {
            if !macroFailures.isEmpty { return .macroBodies(unit, macroFailures, DiagnosticError(errors)) }
            throw DiagnosticError(errors)
        }
        let output = Emit.run(EmitInput(unit: unit, coroutines: coroutines, lowered: lowered,
                                        prototypeRanges: FindCoroutines.prototypes(unit, coroutines.filter { !forms.copied.contains($0.name) }),
                                        plainCopies: forms.copied, demoted: forms.demoted, command: command))
        return .done(CTranslation(output: output, diagnostics: warnings, report: reports))
    }

    /// Macros that hide suspend points are spelled out and the file re-parsed;
    /// a few rounds cover macros whose expansion calls further such macros.
    private func spellOutHiddenSuspends(_ parsed: ParsedUnit, path: String) throws(DiagnosticError) -> (ParsedUnit, [Coroutine]) {
        var unit = parsed
        var coroutines = FindCoroutines.run(unit)
        for _ in 0..<4 {
            let (expanded, macroErrors) = ExpandMacros.run(unit, coroutines, catalogue: options.catalogue, mode: options.mode)
            if !macroErrors.isEmpty { throw DiagnosticError(macroErrors) }
            guard let expanded else { break }
            unit = try ParsedUnit.parse(path: path, arguments: options.clangArgs, contents: expanded.bytes, origin: expanded.origin)
            coroutines = FindCoroutines.run(unit)
        }
        return (unit, coroutines)
    }

    private func translateStackful(_ unit: ParsedUnit, _ coroutines: [Coroutine], command: String) throws(DiagnosticError) -> Attempt {
        let errors = Reject.run(unit, coroutines, mode: .stackful)
        if !errors.isEmpty { throw DiagnosticError(errors) }
        var unwritable: [TextRange] = []
        let output: String
        do {
            output = try Stackful.run(unit, coroutines, catalogue: options.catalogue, command: command, unwritable: &unwritable)
        } catch {
            if !unwritable.isEmpty { return .macroBodies(unit, unwritable, error) }
            throw error
        }
        return .done(CTranslation(output: output, diagnostics: [], report: []))
    }

    /// One stackless coroutine through Normalize and Lower, with its report,
    /// its frame layout (recorded in `facts` for the awaits of later ones) and
    /// the findings about it.
    private func lower(_ coroutine: Coroutine, _ facts: inout ProgramFacts, path: String)
        -> (lowered: LoweredCoroutine, report: CoroutineReport, errors: [Diagnostic], warnings: [Diagnostic], macroFailures: [TextRange]) {
        let unit = facts.unit
        let normalized = Normalizer(coroutine, facts).run()
        assert(checkNormalized(normalized))
        let startLine = unit.source.line(of: coroutine.cursor.fileOffset)
        let result = Lower.run(normalized, startLine: startLine)
        assert(checkLowered(result))
        let (offsets, size, align) = normalized.frame.layout()
        facts.frameLayouts[coroutine.name] = (size, align)
        let fields = zip(normalized.frame.fields, offsets).map {
            CoroutineReport.Field(name: $0.name, type: $0.typeName, offsetBytes: $1, sizeBytes: $0.sizeBytes)
        }
        let report = CoroutineReport(name: coroutine.name, file: path, line: startLine, states: result.states,
                                     frameFields: fields, frameSizeBytes: size, edges: result.edges)
        var warnings: [Diagnostic] = []
        if size > CTranslator.largeFrameBytes {
            let loc = unit.source.location(of: coroutine.cursor.fileOffset)
            warnings.append(Diagnostic(.warning, at: loc, Messages.largeFrame(coroutine.name, size),
                                       sourceLine: unit.source.lineText(loc.line)))
        }
        warnings += ThreadWarnings.run(coroutine, unit, facts.classification)
        return (result, report, normalized.diagnostics, warnings, normalized.macroFailures)
    }

    /// `int`, pointer size and the coro_frame header layout, from coro.h as parsed.
    private func lookUpRuntimeTypes(_ unit: ParsedUnit, _ facts: inout ProgramFacts) throws(DiagnosticError) {
        var haveAwait = false
        for decl in unit.root.children {
            if decl.kind == CXCursor_FunctionDecl && decl.spelling == "coro_await" {
                facts.intType = clang_getResultType(decl.type)
                facts.pointerSize = Int(clang_Type_getSizeOf(clang_getArgType(decl.type, 0)))
                haveAwait = true
            }
            if decl.kind == CXCursor_StructDecl && decl.spelling == "coro_frame" && decl.isDefinition {
                facts.header = (Int(clang_Type_getSizeOf(decl.type)), Int(clang_Type_getAlignOf(decl.type)))
            }
        }
        if !haveAwait && !facts.coroutines.isEmpty {
            throw DiagnosticError([Diagnostic(.error, at: nil, Messages.noRuntimeHeader)])
        }
    }

    /// Normalize's output invariant: suspend operations only in `.suspend`
    /// fragments, loop markers balanced, a `.headerLabel` followed by its
    /// `.check` with only loop text between.
    private func checkNormalized(_ n: NormalizedCoroutine) -> Bool {
        var depth = 0
        var labelOpen = false
        for fragment in n.fragments {
            switch fragment {
            case .loopStart: depth += 1; if labelOpen { return false }
            case .loopEnd: depth -= 1; if depth < 0 || labelOpen { return false }
            case .code(let text, _): if text.contains("coro_op_") || text.contains("coro_await(") { return false }
            case .suspend: if labelOpen { return false }
            case .check: labelOpen = false
            case .headerLabel: if labelOpen { return false }; labelOpen = true
            }
        }
        return depth == 0 && !labelOpen
    }

    /// Lower's output invariant: states numbered 0..<n, one dispatch case each.
    private func checkLowered(_ l: LoweredCoroutine) -> Bool {
        l.states.enumerated().allSatisfy { $0.offset == $0.element.number }
            && l.states.dropFirst().allSatisfy { l.dispatch.contains("case \($0.number): ") }
    }

    enum Messages {
        static func largeFrame(_ name: String, _ size: Int) -> String {
            "frame of coroutine '\(name)' is \(size) bytes (over 64 KiB); every activation allocates it"
        }
        static let noRuntimeHeader = "coroutines need the runtime header: add #include <coro.h> (and -I to its directory)"
    }
}
