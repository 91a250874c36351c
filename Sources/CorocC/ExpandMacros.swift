// Pass 2b: expand the macros that hide suspend points.
//
// In:  a ParsedUnit and its coroutines.
// Out: nil when no macro call inside a coroutine body produces a suspend call
//      from its *body* (a call written in a macro argument has its own text and
//      needs nothing); otherwise the file's text with each such macro call
//      replaced by its expansion, for a re-parse.  libclang cannot give the text
//      of nodes written in a macro body (extents point at the whole call and it
//      pretty-prints declarations only), so the lowering needs the expansion
//      spelled out: `READ_ALL(fd, buf)` becomes `read(fd, buf, sizeof(buf))`.
//
// The expansion is the macro's replacement list with parameters substituted by
// the argument texts (C's rules, without rescanning: nested macros stay calls
// and the re-parse expands them; a second round handles a suspend point they
// hide).  Newlines of the call are kept so line numbers do not move.
// Stringizing (#) and pasting (##) are done as the preprocessor does them
// (MacroText); a `#` that is not an operator on a parameter is an error at the
// macro call, never a silently wrong expansion.  Also spelled out: a macro call
// with a suspend point in its arguments (stackless: the body shapes the
// statement the suspend is hoisted from, `MUST(e)` = `do { if ((e) < 0) ...
// } while (0)`; both modes: a `#e` would print the rewritten argument), and a
// file-scope macro call that defines a coroutine (stackless).
import CClang
import CorocCore
import Foundation

enum ExpandMacros {
    /// The file's text with the macro calls spelled out (nil: nothing to
    /// expand) and the errors for macros that cannot be spelled out.
    static func run(_ unit: ParsedUnit, _ coroutines: [Coroutine], catalogue: IOCatalogue,
                    mode: TranslationMode = .stackless) -> (expanded: Rewrite?, errors: [Diagnostic]) {
        // Stackful output edits only catalogue calls (renamed to their wrappers,
        // or moved to the blocking pool); an await there is a plain call that
        // needs no text (pr88904's `my_assert(e)` calls a coroutine with `#e`).
        let names = mode == .stackless ? Set(coroutines.map(\.name)) : []
        func edited(_ name: String) -> Bool {
            guard let entry = catalogue.lookup(name) else { return false }
            if mode == .stackless { return true }
            switch entry.kind {
            case .operation: return entry.stackfulName != nil
            case .blocking: return true
            }
        }
        let markerStarts = Set(unit.markers.map(\.range.start))
        var calls: [Int: Cursor] = [:]   // macro call start -> its MacroExpansion cursor
        var onlyIfHash: Set<Int> = []     // expand these only if the macro uses # or ##
        let expansionsByStart = Dictionary(
            unit.root.children.filter { $0.kind == CXCursor_MacroExpansion && $0.isInMainFile }.map { ($0.expansionRange.start, $0) },
            uniquingKeysWith: { a, _ in a })
        for coroutine in coroutines where coroutine.isDefinedHere {
            // Most bodies use no macro at all: then there is nothing to look for.
            guard let body = coroutine.cursor.children.last(where: { $0.kind == CXCursor_CompoundStmt }) else { continue }
            let bodyRange = body.expansionRange
            guard unit.macros.expansions.contains(where: { bodyRange.contains($0) && !markerStarts.contains($0.start) }) else {
                continue
            }
            coroutine.cursor.forEachDescendant { node in
                guard node.kind == CXCursor_CallExpr, let callee = node.referenced,
                      names.contains(callee.spelling) || edited(callee.spelling) else { return }
                // The callee's name token tells where the call was written
                // (libclang maps the call's own extent to the macro call).
                // libclang reports a token of a macro body at the macro call's
                // start; the callee's name is then not the text found there.
                guard let calleeRef = firstDeclRef(node) else { return }
                let refAt = calleeRef.fileOffset
                let written = unit.source.slice(TextRange(start: refAt, end: refAt + calleeRef.spelling.utf8.count))
                if written == calleeRef.spelling && !isIdentifierContinuation(unit.source, refAt + calleeRef.spelling.utf8.count) {
                    // Written in a macro call's argument.  Stackless rewrites the
                    // statement around it, which the macro's body may shape
                    // (`MUST(e)` = `do { if ((e) < 0) ... } while (0)`), and both
                    // modes edit the argument's text, which `#e` would print: the
                    // outermost such macro call is spelled out (stackful: only
                    // one that stringizes or pastes).
                    if let outer = unit.macros.expansions.filter({ $0.start < refAt && refAt < $0.end
                        && !markerStarts.contains($0.start) && bodyRange.contains($0) }).min(by: { $0.start < $1.start }),
                       let expansion = expansionsByStart[outer.start],
                       unit.source.slice(outer).contains("(") {   // a function-like macro's call
                        calls[outer.start] = expansion
                        if mode == .stackful { onlyIfHash.insert(outer.start) }
                    }
                    return
                }
                let at = node.fileOffset
                if markerStarts.contains(at) { return }
                if let expansion = expansionsByStart[at] { calls[at] = expansion }
            }
        }
        // A coroutine that a macro defines (`DEFINE_SCALER(3)` making
        // `scale_3`) has no text to rewrite: stackless spells the macro call
        // out (its callers would await a frame nothing defines).
        if mode == .stackless {
            for decl in unit.root.children where decl.kind == CXCursor_FunctionDecl && decl.isDefinition
                && decl.hasAnnotation.coro && !decl.isInMainFile && unit.isExpandedInMainFile(decl) {
                let start = decl.expansionRange.start
                if let expansion = expansionsByStart[start], !markerStarts.contains(start) { calls[start] = expansion }
            }
        }
        return apply(calls, onlyIfHash: onlyIfHash, unit)
    }

    /// The file's text with the outermost macro calls in each range (and
    /// the one around its start) spelled out, nil when none could be: what
    /// CTranslator asks for when the lowering met code of a macro body it
    /// cannot rewrite (a local named only there, `acc##I`; an expression
    /// across the body), so that the code has text of its own in the re-parse.
    /// Inner macro calls stay calls: a failure inside one is the next round's.
    static func spellOut(_ unit: ParsedUnit, in ranges: [TextRange]) -> Rewrite? {
        let markerStarts = Set(unit.markers.map(\.range.start))
        let expansionsByStart = Dictionary(
            unit.root.children.filter { $0.kind == CXCursor_MacroExpansion && $0.isInMainFile }.map { ($0.expansionRange.start, $0) },
            uniquingKeysWith: { a, _ in a })
        var calls: [Int: Cursor] = [:]
        for range in ranges {
            for e in unit.macros.expansions where e.start <= range.start ? range.start < e.end : e.start < range.end {
                guard !markerStarts.contains(e.start), let expansion = expansionsByStart[e.start] else { continue }
                calls[e.start] = expansion
            }
        }
        let (rewrite, errors) = apply(calls, onlyIfHash: [], unit)
        return errors.isEmpty ? rewrite : nil
    }

    /// Replaces each macro call by its expansion (outermost calls only).
    private static func apply(_ calls: [Int: Cursor], onlyIfHash: Set<Int>,
                              _ unit: ParsedUnit) -> (expanded: Rewrite?, errors: [Diagnostic]) {
        var calls = calls
        if calls.isEmpty { return (nil, []) }
        var bytes = unit.source.bytes
        var edits: [TextEdit] = []
        var errors: [Diagnostic] = []
        // A macro call inside another one that is spelled out goes with it.
        let ranges = calls.mapValues(\.expansionRange)
        for (start, range) in ranges where ranges.contains(where: { $0.key != start && $0.value.contains(range) }) {
            calls[start] = nil
        }
        for start in calls.keys.sorted(by: >) {
            let expansion = calls[start]!
            let text: String
            switch expand(expansion, unit) {
            case .text(let t, let usesHash):
                if onlyIfHash.contains(start) && !usesHash { continue }
                text = t
            case .unknown: continue
            case .stringizesOrPastes:
                let loc = unit.source.location(of: start)
                errors.append(Diagnostic(.error, at: loc, Messages.stringizingMacro(expansion.spelling),
                                         sourceLine: unit.source.lineText(loc.line)))
                continue
            }
            let range = expansion.expansionRange
            var replacement = ByteText.encode(text)
            let newlines = unit.source.bytes[range.start..<range.end].filter { $0 == 10 }.count
            replacement += Array(repeating: 10, count: newlines)
            bytes.replaceSubrange(range.start..<range.end, with: replacement)
            edits.append(TextEdit(old: range, newLength: replacement.count))
        }
        // Source order, as every other pass reports.
        let rewrite = Rewrite(bytes: bytes, origin: SourceOrigin(source: unit.source, edits: edits))
        return (!edits.isEmpty && errors.isEmpty ? rewrite : nil, Array(errors.reversed()))
    }

    /// The rewritten file and where its text came from (for diagnostics).
    struct Rewrite {
        var bytes: [UInt8]
        var origin: SourceOrigin
    }

    enum Messages {
        static func stringizingMacro(_ name: String) -> String {
            "macro '\(name)' hides a suspend point and uses '#' or '##', which coroc cannot expand; "
                + "write the suspending call outside the macro"
        }
    }

    private enum Expansion {
        /// The expansion, and whether the definition stringizes or pastes.
        case text(String, usesHash: Bool)
        /// The definition or the call could not be read (left to Normalize).
        case unknown
        case stringizesOrPastes
    }

    private static func isIdentifierContinuation(_ source: SourceText, _ offset: Int) -> Bool {
        offset < source.bytes.count && isIdentifierByte(source.bytes[offset])
    }

    private static func firstDeclRef(_ c: Cursor) -> Cursor? {
        for child in c.children {
            if child.kind == CXCursor_DeclRefExpr { return child }
            if let found = firstDeclRef(child) { return found }
            return nil
        }
        return nil
    }

    /// The replacement list with arguments substituted.
    private static func expand(_ expansion: Cursor, _ unit: ParsedUnit) -> Expansion {
        guard let text = expandedText(expansion, unit) else { return .unknown }
        return text
    }

    private static func expandedText(_ expansion: Cursor, _ unit: ParsedUnit) -> Expansion? {
        guard let definition = expansion.referenced, definition.kind == CXCursor_MacroDefinition else { return nil }
        var file: CXFile?
        let extent = clang_getCursorExtent(definition.raw)
        var s: UInt32 = 0, e: UInt32 = 0
        clang_getSpellingLocation(clang_getRangeStart(extent), &file, nil, nil, &s)
        clang_getSpellingLocation(clang_getRangeEnd(extent), nil, nil, nil, &e)
        guard let file else { return nil }
        // A definition in the main file is read from the text parsed, which
        // differs from the file on disk once a round has spelled macros out.
        let defBytes: [UInt8]
        if definition.isInMainFile {
            defBytes = unit.source.bytes
        } else {
            guard let data = FileManager.default.contents(atPath: string(clang_getFileName(file))) else { return nil }
            defBytes = [UInt8](data)
        }
        guard Int(e) <= defBytes.count, s < e else { return nil }
        var text = ByteText.decode(defBytes[Int(s)..<Int(e)])
        text = text.replacingOccurrences(of: "\\\n", with: " ")
        let name = definition.spelling
        guard text.hasPrefix(name) else { return nil }
        var rest = Substring(text.dropFirst(name.count))
        var parameters: [String] = []
        // C11 6.10.3p10: function-like when `(` follows the name at once.
        // (libclang says "object-like" of a macro #undef'd later in the file.)
        let functionLike = rest.first == "("
        if functionLike {
            guard rest.first == "(", let close = rest.firstIndex(of: ")") else { return nil }
            parameters = rest[rest.index(after: rest.startIndex)..<close].split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }
            rest = rest[rest.index(after: close)...]
        }
        let body = rest.trimmingCharacters(in: .whitespaces)
        let usesHash = hasHashOutsideLiterals(body)
        guard functionLike else {
            // `##` pastes in an object-like macro too; a `#` there is no operator
            // this reproduces.
            guard let text = usesHash ? MacroText.substitute(body, [:]) : body else { return .stringizesOrPastes }
            return .text(text, usesHash: usesHash)
        }
        let call = unit.source.slice(expansion.expansionRange)
        guard let args = splitArguments(call) else { return nil }
        var table: [String: String] = [:]
        for (i, parameter) in parameters.enumerated() {
            if parameter.hasSuffix("...") {
                // `...` is __VA_ARGS__; GNU `args...` names it.
                let name = parameter == "..." ? "__VA_ARGS__" : String(parameter.dropLast(3)).trimmingCharacters(in: .whitespaces)
                table[name] = args.dropFirst(i).joined(separator: ",")
                break
            }
            table[parameter] = i < args.count ? args[i] : ""
        }
        guard let expanded = MacroText.substitute(body, table) else { return .stringizesOrPastes }
        return .text(expanded, usesHash: usesHash)
    }

    /// Whether `#` appears as a token (not inside a string or char literal).
    private static func hasHashOutsideLiterals(_ body: String) -> Bool {
        let bytes = Array(body.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                i += 1
                while i < bytes.count && bytes[i] != b { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
            } else if b == UInt8(ascii: "#") {
                return true
            }
            i += 1
        }
        return false
    }

    /// Top-level comma-separated arguments of `NAME(a, (b, c), "d,e")`.
    private static func splitArguments(_ call: String) -> [String]? {
        let bytes = Array(call.utf8)
        guard let open = bytes.firstIndex(of: UInt8(ascii: "(")) else { return nil }
        var args: [String] = [], depth = 0, start = open + 1, i = open + 1
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                i += 1
                while i < bytes.count && bytes[i] != b { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
            } else if b == UInt8(ascii: "(") || b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                depth += 1
            } else if b == UInt8(ascii: ")") || b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                if depth == 0 {
                    args.append(String(decoding: bytes[start..<i], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                    return args
                }
                depth -= 1
            } else if b == UInt8(ascii: ",") && depth == 0 {
                args.append(String(decoding: bytes[start..<i], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                start = i + 1
            }
            i += 1
        }
        return nil
    }
}
