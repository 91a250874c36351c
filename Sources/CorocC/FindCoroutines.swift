// Pass 2: find annotated functions.
//
// In:  a ParsedUnit without errors.
// Out: the coroutines of the unit, in file order: every function declared with
//      CORO (AnnotateAttr "coro") anywhere in the unit, its definition in the
//      main file if there is one, and CORO_NOPREEMPT.  A coroutine with no
//      definition in this file (a CORO prototype in a header) is reached through
//      its generated NAME_new / NAME_result functions.
import CClang
import CorocCore

struct Coroutine {
    var name: String
    /// The definition when it is in the main file, otherwise a declaration.
    var cursor: Cursor
    var isDefinedHere: Bool
    var noPreempt: Bool
    var isStatic: Bool
    var returnsVoid: Bool
    var resultType: CXType
    /// Replaced by the generated code: the definition including a leading CORO.
    var definitionRange: TextRange?
    /// Parameter cursors of the definition (or the declaration).
    var parameters: [Cursor]
}

enum FindCoroutines {
    /// CORO declarations that are not definitions, in the main file, with the
    /// CORO markers before them and the `;` after them.
    static func prototypes(_ unit: ParsedUnit, _ coroutines: [Coroutine]) -> [TextRange] {
        let names = Set(coroutines.map(\.name))
        var ranges: [TextRange] = []
        for decl in unit.root.children where decl.kind == CXCursor_FunctionDecl && !decl.isDefinition
            && decl.isInMainFile && names.contains(decl.spelling) {
            var range = definitionRange(decl, unit.source)
            var next = range.end
            while next < unit.source.bytes.count, [9, 10, 13, 32].contains(unit.source.bytes[next]) { next += 1 }
            if next < unit.source.bytes.count, unit.source.bytes[next] == UInt8(ascii: ",") { continue }
            if let end = unit.source.semicolon(after: range.end) { range.end = end }
            // `void foo (), bar ();` declares more than the coroutine: cutting
            // one declarator out would leave `, bar ();`.  A plain declaration
            // of a name that no longer exists is harmless, so it stays.
            if declaresSeveral(unit.source.slice(range)) { continue }
            ranges.append(range)
        }
        return ranges
    }

    /// A `,` outside parentheses and brackets: several declarators share the text.
    private static func declaresSeveral(_ text: String) -> Bool {
        var depth = 0
        for ch in text.utf8 {
            switch ch {
            case UInt8(ascii: "("), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"): depth -= 1
            case UInt8(ascii: ","): if depth == 0 { return true }
            default: break
            }
        }
        return false
    }

    static func run(_ unit: ParsedUnit) -> [Coroutine] {
        var order: [String] = []
        var byName: [String: Coroutine] = [:]
        var noPreempt: Set<String> = []
        var annotated: Set<String> = []
        for decl in unit.root.children where decl.kind == CXCursor_FunctionDecl {
            let (coro, nopre) = decl.hasAnnotation
            if coro { annotated.insert(decl.spelling) }
            if nopre { noPreempt.insert(decl.spelling) }
        }
        for decl in unit.root.children where decl.kind == CXCursor_FunctionDecl && annotated.contains(decl.spelling) {
            let name = decl.spelling
            let definedHere = decl.isDefinition && decl.isInMainFile
            if let existing = byName[name], existing.isDefinedHere || !definedHere { continue }
            if byName[name] == nil { order.append(name) }
            let result = clang_getResultType(decl.type)
            byName[name] = Coroutine(
                name: name, cursor: decl, isDefinedHere: definedHere, noPreempt: noPreempt.contains(name),
                isStatic: decl.storageClass == CX_SC_Static || clang_getCursorLinkage(decl.raw) == CXLinkage_Internal,
                returnsVoid: result.kind == CXType_Void, resultType: result,
                definitionRange: definedHere ? definitionRange(decl, unit.source) : nil,
                parameters: decl.children.filter { $0.kind == CXCursor_ParmDecl })
        }
        // File order of definitions decides which child frames can be embedded.
        return order.compactMap { byName[$0] }.sorted { a, b in
            (a.definitionRange?.start ?? Int.max, a.name) < (b.definitionRange?.start ?? Int.max, b.name)
        }
    }

    /// The definition's extent, widened backwards over the CORO / CORO_NOPREEMPT
    /// markers written before the declaration specifiers.
    private static func definitionRange(_ decl: Cursor, _ source: SourceText) -> TextRange {
        var range = decl.expansionRange
        let markers = ["CORO_NOPREEMPT", "CORO"]
        var moved = true
        while moved {
            moved = false
            var i = range.start
            while i > 0, source.bytes[i - 1] == 32 || source.bytes[i - 1] == 9 || source.bytes[i - 1] == 10 { i -= 1 }
            for marker in markers {
                let n = marker.utf8.count
                guard i >= n, source.slice(TextRange(start: i - n, end: i)) == marker else { continue }
                if i - n > 0, isIdentifierByte(source.bytes[i - n - 1]) { continue }
                range.start = i - n
                moved = true
                break
            }
        }
        return range
    }
}

func isIdentifierByte(_ b: UInt8) -> Bool {
    (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95
}
