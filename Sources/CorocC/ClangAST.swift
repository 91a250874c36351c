// Thin, value-typed access to libclang 14 cursors for the C passes.
//
// libclang gaps this file papers over (NOTES.md): there is no operator-kind API,
// statement extents exclude the `;`, and nodes that come from a macro body have
// extents that point at the whole macro call.  Every pass therefore works on
// *file byte offsets*: `TextRange` is a half-open byte range of the main file, and
// `Cursor.textRange` is nil when the node's text cannot be sliced from the file
// (it was written inside a macro body), in which case callers fall back to
// libclang's pretty printer.
import CClang

/// Half-open byte range in the main source file.
struct TextRange: Hashable, Comparable {
    var start: Int
    var end: Int
    var isEmpty: Bool { start >= end }
    func contains(_ other: TextRange) -> Bool { start <= other.start && other.end <= end }
    func overlaps(_ other: TextRange) -> Bool { start < other.end && other.start < end }
    static func < (a: TextRange, b: TextRange) -> Bool { (a.start, a.end) < (b.start, b.end) }
}

/// A replacement coroc made in the user's file before a re-parse
/// (ExpandMacros): the range it replaced, in the text before, and how many
/// bytes took its place.
struct TextEdit {
    var old: TextRange
    var newLength: Int
}

/// The text a rewritten SourceText was made from, and the edits that made it
/// (disjoint, in order), so that a diagnostic in the rewritten text is
/// reported where the user wrote it: its column (a spelled-out macro call
/// before it on the line moved it) and its source line.
final class SourceOrigin {
    let source: SourceText
    let edits: [TextEdit]
    init(source: SourceText, edits: [TextEdit]) {
        self.source = source
        self.edits = edits.sorted { $0.old.start < $1.old.start }
    }

    /// The offset in `source` of offset `p` of the rewritten text; inside a
    /// replacement, the start of what it replaced (the macro call).
    func originalOffset(_ p: Int) -> Int {
        var delta = 0
        for edit in edits {
            let newStart = edit.old.start + delta
            if p < newStart { return p - delta }
            if p < newStart + edit.newLength { return edit.old.start }
            delta += edit.newLength - (edit.old.end - edit.old.start)
        }
        return p - delta
    }
}

/// The main file's bytes with line/column lookup.
struct SourceText {
    let path: String
    let bytes: [UInt8]
    /// Set when the bytes are coroc's rewrite of the user's file: `location`
    /// and `lineText` then answer in the user's text.
    var origin: SourceOrigin?
    private let lineStarts: [Int]
    /// No byte >= 0x80 (almost every C file): a slice is then its bytes as
    /// they are, without ByteText's per-slice check.
    private let isASCII: Bool

    init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        var starts = [0]
        var high: UInt8 = 0
        for (i, b) in bytes.enumerated() {
            high |= b
            if b == UInt8(ascii: "\n") { starts.append(i + 1) }
        }
        lineStarts = starts
        isASCII = high < 0x80
    }

    func slice(_ range: TextRange) -> String {
        let lo = max(0, min(range.start, bytes.count)), hi = max(lo, min(range.end, bytes.count))
        return bytes.withUnsafeBufferPointer { all in
            let part = UnsafeBufferPointer(rebasing: all[lo..<hi])
            return isASCII ? String(decoding: part, as: UTF8.self) : ByteText.decode(part)
        }
    }

    /// 1-based line of a byte offset.
    func line(of offset: Int) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }

    func column(of offset: Int) -> Int { offset - lineStarts[line(of: offset) - 1] + 1 }

    /// The text of a line of the user's file (a line `location` reported).
    func lineText(_ line: Int) -> String {
        if let origin { return origin.source.lineText(line) }
        guard line >= 1 && line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// Where an offset of these bytes is in the user's file (diagnostics).
    func location(of offset: Int) -> CorocCore.SourceLocation {
        if let origin { return origin.source.location(of: origin.originalOffset(offset)) }
        return CorocCore.SourceLocation(file: path, line: line(of: offset), column: column(of: offset))
    }

    /// Offset just past a `;` that follows `offset` after blanks and comments, or nil.
    func semicolon(after offset: Int) -> Int? {
        let next = skipBlanks(from: offset)
        return next < bytes.count && bytes[next] == UInt8(ascii: ";") ? next + 1 : nil
    }

    /// Whether the loop keyword of `kind` is the file text at `offset`: false for
    /// a loop a macro call expands to (`do { ... } while (0)`), whose text is the
    /// macro's name and so cannot be edited.
    func isLoopKeyword(at offset: Int, _ kind: CXCursorKind) -> Bool {
        let w = Array((kind == CXCursor_DoStmt ? "do" : kind == CXCursor_ForStmt ? "for" : "while").utf8)
        guard offset >= 0, offset + w.count <= bytes.count, bytes[offset..<offset + w.count].elementsEqual(w) else { return false }
        guard offset + w.count < bytes.count else { return true }
        let next = bytes[offset + w.count]
        return !(next == 95 || (next >= 48 && next <= 57) || (next | 0x20 >= 97 && next | 0x20 <= 122))
    }

    func skipBlanks(from offset: Int) -> Int {
        var i = offset
        while i < bytes.count {
            let b = bytes[i]
            if b == 32 || b == 9 || b == 10 || b == 13 { i += 1; continue }
            if b == UInt8(ascii: "/") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "/") {
                while i < bytes.count && bytes[i] != 10 { i += 1 }
                continue
            }
            if b == UInt8(ascii: "/") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*") {
                i += 2
                while i + 1 < bytes.count && !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
                i += 2
                continue
            }
            break
        }
        return i
    }
}

import CorocCore

/// Hashable identity of a cursor (libclang's own equality).  The hash is
/// clang_hashCursor's, computed here: it hashes the cursor kind and the AST
/// node pointer (data[1] for statements and expressions, data[0] otherwise),
/// fields clang_equalCursors compares, so equal cursors hash equally; doing it
/// in Swift saves a libclang call per dictionary probe, which the passes make
/// for every node they visit.
struct CursorKey: Hashable {
    let raw: CXCursor
    init(_ c: Cursor) { raw = c.raw }
    init(raw: CXCursor) { self.raw = raw }

    /// MacroMap.textRange's answer for this node, once asked (nil: not yet).
    var textRangeMemo: TextRange??
    /// An expression or statement is its Stmt node (`data.1`): clang_equalCursors
    /// also compares the parent declaration, and a cursor fetched through
    /// clang_Cursor_getVarDeclInitializer or clang_Cursor_getArgument carries a
    /// different parent than the same node reached by visiting, so a suspend
    /// call classified in the walk was not found under its argument cursor
    /// (`struct pair q = swap(make_pair(5));` called `make_pair` as a function).
    static func == (a: CursorKey, b: CursorKey) -> Bool {
        let kind = a.raw.kind
        if kind == b.raw.kind && (clang_isExpression(kind) != 0 || clang_isStatement(kind) != 0) {
            return a.raw.data.1 == b.raw.data.1 && a.raw.data.2 == b.raw.data.2
        }
        return clang_equalCursors(a.raw, b.raw) != 0
    }
    func hash(into h: inout Hasher) {
        let kind = raw.kind
        let node = clang_isExpression(kind) != 0 || clang_isStatement(kind) != 0 ? raw.data.1 : raw.data.0
        h.combine(kind.rawValue)
        h.combine(node.map { UInt(bitPattern: $0) } ?? 0)
    }
}

/// A cursor with its children computed once: every pass walks the same
/// coroutine bodies several times, and clang_visitChildren is the cost that
/// dominates translation time otherwise.
final class Cursor {
    let raw: CXCursor

    init(raw: CXCursor) { self.raw = raw }

    /// MacroMap.textRange's answer for this node, once asked (nil: not yet).
    var textRangeMemo: TextRange??

    /// The kind is a field of CXCursor (clang_getCursorKind only returns it).
    var kind: CXCursorKind { raw.kind }
    var key: CursorKey { CursorKey(self) }
    /// Cached, as `fileOffset`: the passes ask each node for both several times.
    private(set) lazy var spelling: String = string(clang_getCursorSpelling(raw))
    var type: CXType { clang_getCursorType(raw) }
    var isNull: Bool { clang_Cursor_isNull(raw) != 0 }
    var isExpression: Bool { clang_isExpression(kind) != 0 }

    /// The identity of what `referenced` returns, without allocating a Cursor
    /// (the frame-variable lookup of every name in a coroutine body).
    var referencedKey: CursorKey? {
        if kind == CXCursor_CallExpr && callsCallResult { return nil }
        let r = clang_getCursorReferenced(raw)
        if clang_Cursor_isNull(r) != 0, kind == CXCursor_CallExpr, let callee = parenthesizedCallee { return callee.key }
        return clang_Cursor_isNull(r) != 0 ? nil : CursorKey(raw: r)
    }

    /// For a call, the function it calls by name.  libclang answers a call of
    /// a call's result (`pick(i)(x)`) with the inner callee (`pick`), which
    /// every pass would take for a call of `pick` with the outer arguments.
    /// A parenthesized callee (`(f)(x)`) is a call of `f` too, which libclang
    /// does not say (it answers nothing).
    var referenced: Cursor? {
        if kind == CXCursor_CallExpr && callsCallResult { return nil }
        let r = Cursor(raw: clang_getCursorReferenced(raw))
        if r.isNull, kind == CXCursor_CallExpr, let callee = parenthesizedCallee { return callee }
        return r.isNull ? nil : r
    }

    /// Whether this call's callee, through implicit casts, is itself a call.
    private var callsCallResult: Bool {
        var callee = children.first
        while let c = callee, c.kind == CXCursor_UnexposedExpr, c.children.count == 1 { callee = c.children[0] }
        return callee?.kind == CXCursor_CallExpr
    }

    /// The function a callee written in parentheses names: `(f)`, `((f))`.
    private var parenthesizedCallee: Cursor? {
        var callee = children.first
        var sawParen = false
        while let c = callee, c.kind == CXCursor_UnexposedExpr || c.kind == CXCursor_ParenExpr, c.children.count == 1 {
            sawParen = sawParen || c.kind == CXCursor_ParenExpr
            callee = c.children[0]
        }
        guard sawParen, let ref = callee, ref.kind == CXCursor_DeclRefExpr else { return nil }
        let target = Cursor(raw: clang_getCursorReferenced(ref.raw))
        return !target.isNull && target.kind == CXCursor_FunctionDecl ? target : nil
    }

    private(set) lazy var children: [Cursor] = {
        final class Box { var list: [CXCursor] = [] }
        let box = Box()
        withExtendedLifetime(box) {
            _ = clang_visitChildren(raw, { child, _, data in
                Unmanaged<Box>.fromOpaque(data!).takeUnretainedValue().list.append(child)
                return CXChildVisit_Continue
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        return box.list.map(Cursor.init)
    }()

    /// Every cursor in the subtree, parents before children, in source order.
    func forEachDescendant(_ body: (Cursor) -> Void) {
        for node in descendants { body(node) }
    }

    /// The subtree in pre-order, flattened once: the passes walk each
    /// coroutine body several times, and one array pass is much cheaper than
    /// a recursion through every node's `children` (retains, closure calls).
    private(set) lazy var descendants: [Cursor] = {
        var list: [Cursor] = []
        func add(_ c: Cursor) {
            for child in c.children {
                list.append(child)
                add(child)
            }
        }
        add(self)
        return list
    }()

    func anyDescendant(_ predicate: (Cursor) -> Bool) -> Bool {
        for child in children {
            if predicate(child) || child.anyDescendant(predicate) { return true }
        }
        return false
    }

    /// The expansion-level location: where the node (or the macro producing it) is in the file.
    private(set) lazy var fileOffset: Int = {
        var offset: UInt32 = 0
        clang_getFileLocation(clang_getCursorLocation(raw), nil, nil, nil, &offset)
        return Int(offset)
    }()

    var isInMainFile: Bool { clang_Location_isFromMainFile(clang_getCursorLocation(raw)) != 0 }

    /// Byte range of the node's extent at expansion level (macro calls whole).
    var expansionRange: TextRange {
        let extent = clang_getCursorExtent(raw)
        var s: UInt32 = 0, e: UInt32 = 0
        clang_getFileLocation(clang_getRangeStart(extent), nil, nil, nil, &s)
        clang_getFileLocation(clang_getRangeEnd(extent), nil, nil, nil, &e)
        return TextRange(start: Int(s), end: max(Int(s), Int(e)))
    }

    var argumentCount: Int { Int(clang_Cursor_getNumArguments(raw)) }
    func argument(_ i: Int) -> Cursor { Cursor(raw: clang_Cursor_getArgument(raw, UInt32(i))) }

    var prettyPrinted: String {
        let policy = clang_getCursorPrintingPolicy(raw)
        defer { clang_PrintingPolicy_dispose(policy) }
        return string(clang_getCursorPrettyPrinted(raw, policy))
    }

    var hasAnnotation: (coro: Bool, nopreempt: Bool) {
        var coro = false, nopreempt = false
        for child in children where child.kind == CXCursor_AnnotateAttr {
            if child.spelling == "coro" { coro = true }
            if child.spelling == "coro_nopreempt" { nopreempt = true }
        }
        return (coro, nopreempt)
    }

    var isDefinition: Bool { clang_isCursorDefinition(raw) != 0 }
    var storageClass: CX_StorageClass { clang_Cursor_getStorageClass(raw) }
}

func string(_ s: CXString) -> String {
    defer { clang_disposeString(s) }
    guard let c = clang_getCString(s) else { return "" }
    // Byte-exact: the pretty printer's text of a string literal keeps raw bytes.
    var n = 0
    while c[n] != 0 { n += 1 }
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(c).assumingMemoryBound(to: UInt8.self), count: n)
    return ByteText.decodeASCII(bytes) ?? ByteText.decode(bytes)
}

func spelling(_ type: CXType) -> String { string(clang_getTypeSpelling(type)) }

/// Whether a location in a macro expansion was written as a macro argument in the
/// file (its spelling lies inside the macro call) or inside the macro body.
struct MacroMap {
    /// Ranges of every macro expansion in the main file.
    var expansions: [TextRange] = []
    /// Regions of the main file that conditional inclusion skipped (`#else`
    /// ... `#endif` of a true `#if`), each from its directive's `#`.
    var skipped: [TextRange] = []

    /// File offset of a location when its text is in the main file at that place.
    func textOffset(_ loc: CXSourceLocation) -> Int? {
        var expOff: UInt32 = 0, spOff: UInt32 = 0
        var expFile: CXFile?, spFile: CXFile?
        clang_getExpansionLocation(loc, &expFile, nil, nil, &expOff)
        clang_getSpellingLocation(loc, &spFile, nil, nil, &spOff)
        guard let ef = expFile, let sf = spFile, clang_File_isEqual(ef, sf) != 0 else { return nil }
        if expOff == spOff { return Int(spOff) }
        // A macro location: valid text only if spelled in the call's arguments.
        let sp = Int(spOff), ex = Int(expOff)
        for range in expansions where range.start == ex && range.start < sp && sp < range.end { return sp }
        return nil
    }

    /// The node's own text in the file, or nil if any end of it lies in a macro
    /// body.  libclang maps a macro-body end to the macro call's start or end,
    /// so a range that covers only part of a macro call is not the node's text.
    func textRange(_ c: Cursor) -> TextRange? {
        // The passes ask this of the same node many times (its line, its
        // text, its operands' edits): four libclang location queries each.
        // A cursor belongs to one unit, whose MacroMap never changes.
        if let known = c.textRangeMemo { return known }
        let range = computeTextRange(c)
        c.textRangeMemo = .some(range)
        return range
    }

    private func computeTextRange(_ c: Cursor) -> TextRange? {
        let extent = clang_getCursorExtent(c.raw)
        guard let s = textOffset(clang_getRangeStart(extent)), let e = textOffset(clang_getRangeEnd(extent)),
              s < e else { return nil }
        let range = TextRange(start: s, end: e)
        var lo = 0, hi = expansions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if expansions[mid].start < s { lo = mid + 1 } else { hi = mid }
        }
        var i = lo
        while i < expansions.count && expansions[i].start < e {
            if expansions[i].end > e { return nil }   // starts a macro call it does not finish
            i += 1
        }
        var j = lo - 1
        while j >= 0 && j >= lo - 8 {
            let m = expansions[j]
            // Starts inside a call and ends at or past its end: an argument never
            // holds the call's `)`, so this is an expansion that begins with an
            // argument's token (`MULTI(STEP)` whose body is `X(0), ...`).
            if m.start < s && s < m.end && e >= m.end { return nil }
            j -= 1
        }
        return range
    }
}
