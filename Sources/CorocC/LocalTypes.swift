// Pass 3c (stackless): types declared inside a coroutine.
//
// In:  the unit and its coroutines.
// Out: per coroutine, a plan that moves every struct, union, enum and typedef
//      declared in its body to file scope just before its frame struct (the
//      frame must carry locals of those types: `struct { short a; char b; } x`),
//      and how the body then refers to them; or errors at the locals whose
//      type cannot move.
//
// Rules:
//  - A named type keeps its name (`struct S { ... }` is hoisted as written and
//    the body says `struct S`); an anonymous one with declarators gets a
//    typedef name `coro_FN_tN`, which also replaces clang's spelling
//    `struct (unnamed struct at f.c:3:5)` wherever a frame field, register
//    local or compound literal spells the type.  A declaration that declared
//    only types (`struct S { ... };`, `typedef ... T;`) leaves `;` in the body,
//    never `struct S;`, which would declare a new local type.
//  - A type moves only if nothing in its text refers to the function's own
//    variables or parameters (`char buf[sizeof x]`); enumerators of enums that
//    move with it are fine.  Its names (tags; typedef and enumerator names)
//    must not be declared at file scope, nor twice among the moved ones (two
//    blocks with a `struct S` each); a type written inside a macro expansion
//    does not move.  Otherwise locals of such a type are the error, as before.
import CClang
import CorocCore
import Foundation

struct LocalTypePlan {
    /// File-scope declarations, in source order.
    var declarations: [String] = []
    /// Replacement text of each moved type declaration in the body.
    var replacements: [CursorKey: String] = [:]
    /// clang's spelling of an anonymous type and its typedef name.
    var spellings: [(String, String)] = []
}

enum LocalTypes {
    static func run(_ unit: ParsedUnit, _ coroutines: [Coroutine]) -> (plans: [String: LocalTypePlan], errors: [Diagnostic]) {
        var (tags, names) = fileScopeNames(unit)
        var plans: [String: LocalTypePlan] = [:]
        var errors: [Diagnostic] = []
        for coroutine in coroutines where coroutine.isDefinedHere {
            let fn = coroutine.cursor
            var types: [Cursor] = []
            fn.forEachDescendant { node in
                if isTypeDeclaration(node), clang_equalCursors(clang_getCursorSemanticParent(node.raw), fn.raw) != 0 {
                    types.append(node)
                }
            }
            guard !types.isEmpty else { continue }
            // What moved is at file scope afterwards: another coroutine's own
            // `union doubleword` would be a redefinition (930930-2).
            if let plan = plan(coroutine, types, unit, tags: &tags, names: &names) {
                plans[coroutine.name] = plan
            } else {
                errors += localTypeErrors(unit, fn)
            }
        }
        return (plans, errors)
    }

    /// Tags and ordinary names declared at file scope (a moved type must not clash).
    private static func fileScopeNames(_ unit: ParsedUnit) -> (tags: Set<String>, names: Set<String>) {
        var tags: Set<String> = [], names: Set<String> = []
        for decl in unit.root.children {
            switch decl.kind {
            case CXCursor_StructDecl, CXCursor_UnionDecl:
                tags.insert(decl.spelling)
            case CXCursor_EnumDecl:
                tags.insert(decl.spelling)
                for constant in decl.children where constant.kind == CXCursor_EnumConstantDecl { names.insert(constant.spelling) }
            default:
                names.insert(decl.spelling)
            }
        }
        return (tags, names)
    }

    /// How the coroutine's own type declarations move to file scope, or nil
    /// when one cannot (it uses the coroutine's locals, or its name is taken);
    /// `tags` and `names` gain what moved only when all can.
    private static func plan(_ coroutine: Coroutine, _ found: [Cursor], _ unit: ParsedUnit,
                             tags fileTags: inout Set<String>, names fileNames: inout Set<String>) -> LocalTypePlan? {
        let fn = coroutine.cursor
        // Outer declarations first (`typedef struct { ... } T` before its struct).
        let start = { (c: Cursor) in unit.macros.textRange(c)?.start ?? c.fileOffset }
        let end = { (c: Cursor) in unit.macros.textRange(c)?.end ?? c.fileOffset }
        let types = found.sorted { (start($0), -end($0)) < (start($1), -end($1)) }
        var plan = LocalTypePlan()
        var outer: [TextRange] = []
        var byRange: [TextRange: String] = [:]
        var anonymousCount = 0
        var tags = fileTags, names = fileNames
        for type in types {
            guard let range = unit.macros.textRange(type), !dependsOnLocals(type, fn) else { return nil }
            // The walk meets a declaration again under its variables.
            if let known = byRange[range] {
                plan.replacements[type.key] = known
                continue
            }
            defer { byRange[range] = plan.replacements[type.key] }
            // A type written inside another moved declaration moves with it.
            if outer.contains(where: { $0.start <= range.start && range.end <= $0.end && $0 != range }) {
                plan.replacements[type.key] = ""
                continue
            }
            outer.append(range)
            let text = unit.source.slice(range)
            let anonymous = type.kind != CXCursor_TypedefDecl
                && (type.spelling.isEmpty || type.spelling.contains("(unnamed") || type.spelling.contains("(anonymous"))
            if type.kind == CXCursor_TypedefDecl {
                guard names.insert(type.spelling).inserted else { return nil }
            } else if !anonymous {
                guard tags.insert(type.spelling).inserted else { return nil }
            }
            if type.kind == CXCursor_EnumDecl {
                for constant in type.children where constant.kind == CXCursor_EnumConstantDecl {
                    guard names.insert(constant.spelling).inserted else { return nil }
                }
            }
            let declaresOnlyTypes = hasNoDeclarators(type, range, unit)
            if anonymous && !declaresOnlyTypes {
                anonymousCount += 1
                let name = "coro_\(coroutine.name)_t\(anonymousCount)"
                plan.declarations.append("typedef \(text) \(name);\n")
                guard let spellings = anonymousSpellings(type, name) else { return nil }
                plan.spellings += spellings
                plan.replacements[type.key] = name
            } else {
                plan.declarations.append(text + ";\n")
                if declaresOnlyTypes || type.kind == CXCursor_TypedefDecl {
                    plan.replacements[type.key] = ""
                } else {
                    plan.replacements[type.key] = (type.kind == CXCursor_StructDecl ? "struct " : type.kind == CXCursor_UnionDecl ? "union " : "enum ") + type.spelling
                }
            }
        }
        fileTags = tags
        fileNames = names
        return plan
    }

    /// clang's spellings of an anonymous type, each to be read as `name`:
    /// they differ by version and context (`struct (unnamed at f.c:5:5)`,
    /// `(unnamed struct at f.c:5:5)`...), all ending in the declaration's location.
    private static func anonymousSpellings(_ type: Cursor, _ name: String) -> [(String, String)]? {
        let own = spelling(clang_getCursorType(type.raw))
        guard let at = own.range(of: " at ", options: .backwards) else { return nil }
        let location = String(own[at.lowerBound...])
        let word = type.kind == CXCursor_StructDecl ? "struct" : type.kind == CXCursor_UnionDecl ? "union" : "enum"
        return ["\(word) (unnamed \(word)", "\(word) (unnamed", "\(word) (anonymous \(word)", "\(word) (anonymous",
                "(unnamed \(word)", "(unnamed", "(anonymous \(word)", "(anonymous"].map { ($0 + location, name) }
    }

    static func isTypeDeclaration(_ c: Cursor) -> Bool {
        c.kind == CXCursor_StructDecl || c.kind == CXCursor_UnionDecl || c.kind == CXCursor_EnumDecl
            || c.kind == CXCursor_TypedefDecl
    }

    /// `struct S { ... };`: nothing but `;` after the type's text.
    private static func hasNoDeclarators(_ type: Cursor, _ range: TextRange, _ unit: ParsedUnit) -> Bool {
        unit.source.semicolon(after: range.end) != nil
    }

    /// A reference to a variable or parameter of the function (not a file-scope
    /// name, not an enumerator of a type declared with it).
    private static func dependsOnLocals(_ type: Cursor, _ fn: Cursor) -> Bool {
        var found = false
        type.forEachDescendant { node in
            guard !found, node.kind == CXCursor_DeclRefExpr || node.kind == CXCursor_TypeRef, let target = node.referenced else { return }
            if target.kind == CXCursor_VarDecl || target.kind == CXCursor_ParmDecl {
                found = clang_equalCursors(clang_getCursorSemanticParent(target.raw), fn.raw) != 0
            }
        }
        return found
    }

    /// The old rejection, at every local whose type (through arrays and
    /// pointers) is declared in the coroutine.
    private static func localTypeErrors(_ unit: ParsedUnit, _ fn: Cursor) -> [Diagnostic] {
        var found: [Diagnostic] = []
        fn.forEachDescendant { node in
            guard node.kind == CXCursor_VarDecl, node.storageClass != CX_SC_Static else { return }
            var type = clang_getCanonicalType(node.type)
            while true {
                if type.kind == CXType_Pointer { type = clang_getCanonicalType(clang_getPointeeType(type)); continue }
                if type.kind == CXType_ConstantArray || type.kind == CXType_IncompleteArray {
                    type = clang_getCanonicalType(clang_getArrayElementType(type)); continue
                }
                break
            }
            let decl = Cursor(raw: clang_getTypeDeclaration(type))
            guard !decl.isNull, clang_equalCursors(clang_getCursorSemanticParent(decl.raw), fn.raw) != 0 else { return }
            let loc = unit.source.location(of: node.fileOffset)
            found.append(Diagnostic(.error, at: loc, Messages.localType(node.spelling), sourceLine: unit.source.lineText(loc.line)))
        }
        return found
    }

    enum Messages {
        static func localType(_ name: String) -> String {
            "local '\(name)' has a type declared inside the coroutine that cannot move to file scope (it uses the coroutine's locals, or its name is taken there); move the type declaration to file scope"
        }
    }
}
