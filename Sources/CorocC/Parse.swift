// Pass 1: parse.
//
// In:  a C file path and the compiler arguments (-I, -D, -std...).
// Out: a ParsedUnit: libclang's translation unit (with the detailed
//      preprocessing record, so macro expansions are cursors), the main file's
//      bytes, and the ranges of every macro expansion in it.  libclang's own
//      errors (parse errors, missing headers) are thrown as diagnostics in
//      clang's format; a unit with any error never reaches the next pass.
import CClang
import CorocCore
import Foundation

final class ParsedUnit {
    let index: CXIndex
    let unit: CXTranslationUnit
    let source: SourceText
    let macros: MacroMap
    /// coro_go / coro_main expansions in the main file, in source order.
    let markers: [Marker]

    struct Marker {
        enum Kind { case go, main }
        var kind: Kind
        var range: TextRange
    }

    /// The unit's cursor; one object, so every pass (and parse itself, which
    /// lists the macro expansions) shares its cached children.
    let root: Cursor
    /// The main file, for `isExpandedInMainFile`.
    let mainFile: CXFile?

    private init(index: CXIndex, unit: CXTranslationUnit, root: Cursor, source: SourceText, macros: MacroMap,
                 markers: [Marker]) {
        self.mainFile = clang_getFile(unit, source.path)
        self.index = index
        self.unit = unit
        self.root = root
        self.source = source
        self.macros = macros
        self.markers = markers
    }

    deinit {
        clang_disposeTranslationUnit(unit)
        clang_disposeIndex(index)
    }

    /// `contents` replaces the file's text (ExpandMacros re-parses its output
    /// under the original name, so diagnostics and #line keep that name).
    /// `origin`: what `contents` was made from, so diagnostics (clang's too)
    /// point at the user's text.
    static func parse(path: String, arguments: [String], contents: [UInt8]? = nil,
                      origin: SourceOrigin? = nil) throws(DiagnosticError) -> ParsedUnit {
        guard let bytes = contents ?? FileManager.default.contents(atPath: path).map({ [UInt8]($0) }) else {
            throw DiagnosticError([Diagnostic(.fatal, at: nil, "no such file or directory: '\(path)'")])
        }
        if let missing = LibClang.loadError() { throw DiagnosticError([Diagnostic(.fatal, at: nil, missing)]) }
        let index = clang_createIndex(0, 0)!
        let args = ["-x", "c", "-std=gnu17"] + arguments
        var unit: CXTranslationUnit?
        let options = CXTranslationUnit_DetailedPreprocessingRecord.rawValue

        let code = withCStrings(args) { argv in
            guard let contents else {
                return clang_parseTranslationUnit2(index, path, argv, Int32(args.count), nil, 0, options, &unit)
            }
            return path.withCString { name in
                contents.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { chars in
                        var unsaved = CXUnsavedFile(Filename: name, Contents: chars.baseAddress, Length: UInt(chars.count))
                        return clang_parseTranslationUnit2(index, path, argv, Int32(args.count), &unsaved, 1, options, &unit)
                    }
                }
            }
        }
        guard code == CXError_Success, let unit else {
            clang_disposeIndex(index)
            throw DiagnosticError([Diagnostic(.fatal, at: nil, "libclang could not parse '\(path)' (error \(code.rawValue))")])
        }
        var source = SourceText(path: path, bytes: bytes)
        source.origin = origin
        var errors: [Diagnostic] = []
        for i in 0..<clang_getNumDiagnostics(unit) {
            let d = clang_getDiagnostic(unit, i)
            defer { clang_disposeDiagnostic(d) }
            let severity = clang_getDiagnosticSeverity(d)
            guard severity == CXDiagnostic_Error || severity == CXDiagnostic_Fatal else { continue }
            errors.append(diagnostic(from: d, fatal: severity == CXDiagnostic_Fatal, mainFile: source))
        }
        if !errors.isEmpty {
            clang_disposeTranslationUnit(unit)
            clang_disposeIndex(index)
            throw DiagnosticError(errors)
        }
        var macros = MacroMap()
        var markers: [Marker] = []
        let root = Cursor(raw: clang_getTranslationUnitCursor(unit))
        for child in root.children where child.kind == CXCursor_MacroExpansion && child.isInMainFile {
            let range = child.expansionRange
            macros.expansions.append(range)
            switch child.spelling {
            case "coro_go": markers.append(Marker(kind: .go, range: range))
            case "coro_main": markers.append(Marker(kind: .main, range: range))
            default: break
            }
        }
        macros.expansions.sort()
        // Conditional-inclusion regions the preprocessor skipped, in the main file.
        if let file = clang_getFile(unit, path), let list = clang_getSkippedRanges(unit, file) {
            defer { clang_disposeSourceRangeList(list) }
            for i in 0..<Int(list.pointee.count) {
                let r = list.pointee.ranges[i]
                var s: UInt32 = 0, e: UInt32 = 0
                clang_getFileLocation(clang_getRangeStart(r), nil, nil, nil, &s)
                clang_getFileLocation(clang_getRangeEnd(r), nil, nil, nil, &e)
                if s < e { macros.skipped.append(TextRange(start: Int(s), end: Int(e))) }
            }
            macros.skipped.sort()
        }
        return ParsedUnit(index: index, unit: unit, root: root, source: source, macros: macros, markers: markers)
    }

    /// Whether the node comes from the main file, also when a macro of it
    /// expanded to the node: `clang_Location_isFromMainFile` says no for a
    /// function a macro defines (`#define DEF(N) int get##N(void) {...}`),
    /// whose calls of coroutines must still be checked.
    func isExpandedInMainFile(_ c: Cursor) -> Bool {
        var file: CXFile?
        clang_getExpansionLocation(clang_getCursorLocation(c.raw), &file, nil, nil, nil)
        guard let file, let mainFile else { return false }
        return clang_File_isEqual(file, mainFile) != 0
    }

    /// clang's rendering of a libclang diagnostic, with the source line for the caret.
    /// In the main file, located by `mainFile` (the user's text when it is a rewrite).
    private static func diagnostic(from d: CXDiagnostic?, fatal: Bool, mainFile: SourceText) -> Diagnostic {
        let loc = clang_getDiagnosticLocation(d)
        var file: CXFile?
        var line: UInt32 = 0, column: UInt32 = 0, offset: UInt32 = 0
        clang_getSpellingLocation(loc, &file, &line, &column, &offset)
        let message = string(clang_getDiagnosticSpelling(d))
        guard let file else { return Diagnostic(fatal ? .fatal : .error, at: nil, message) }
        let name = string(clang_getFileName(file))
        if mainFile.origin != nil && name == mainFile.path {
            let at = mainFile.location(of: Int(offset))
            return Diagnostic(fatal ? .fatal : .error, at: at, message, sourceLine: mainFile.lineText(at.line))
        }
        var sourceLine: String?
        if let data = FileManager.default.contents(atPath: name) {
            sourceLine = SourceText(path: name, bytes: [UInt8](data)).lineText(Int(line))
        }
        return Diagnostic(fatal ? .fatal : .error,
                          at: SourceLocation(file: name, line: Int(line), column: Int(column)),
                          message, sourceLine: sourceLine)
    }
}

/// Runs `body` with a NULL-free argv of C strings that live for the call.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let pointers = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    let argv = pointers.map { UnsafePointer<CChar>($0) }
    return argv.withUnsafeBufferPointer { body($0.baseAddress!) }
}
