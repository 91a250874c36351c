// Analysis: which variables of a coroutine may live in C locals of the resume
// function instead of frame fields (DESIGN.md "Frame policy", target policy).
//
// A candidate is a parameter or automatic local of scalar type (integer,
// floating, enum, pointer), not volatile, whose address is never taken: a
// pointer to it could be used after a suspension, when the C local is gone.
// `&x` is found as a unary operator whose text starts with `&`; a unary
// operator written inside a macro body cannot be read, so its operand counts
// as address-taken (conservative).  Lower saves a candidate to its frame field
// at each suspension where it is live (Liveness over the normalized fragments)
// and reloads it when resuming there.
//
// Aggregates (arrays, structs, unions of complete type up to 1 KiB, not
// volatile, no VLA) are candidates of their own (`aggregates`): a local array or struct
// in the frame is memory the caller can see, so GCC keeps every store to it
// and reloads it after every store through a pointer, where the original's
// stack local was scalar-replaced or folded away (csmith's pointer tables:
// most of the translated code's extra instructions, bench/csmith.sh).  One is
// a candidate when no pointer into it can exist: every use is, through
// parentheses, array subscripts (as the base) and `.` member accesses, a
// value (read, assigned, passed or returned by value) or a `sizeof` operand;
// never `&` of it or of a part of it, and no part of array type that decays
// anywhere but as a subscript's base.  Its name is then every access, so the
// liveness that places scalars is exact for it too, and Lower saves and
// reloads it by memcpy.  They are kept apart from the scalar set because
// StripLoops and ShortLoops read that one as "reads and writes are visible
// by name", which `a[i] = x` is not.
import CClang

enum RegisterPolicy {
    static func candidates(_ function: Cursor, _ macros: MacroMap, _ source: SourceText) -> Set<CursorKey> {
        var scalars: Set<CursorKey> = []
        var addressTaken: Set<CursorKey> = []
        function.forEachDescendant { node in
            switch node.kind {
            case CXCursor_ParmDecl, CXCursor_VarDecl:
                guard node.storageClass != CX_SC_Static, node.storageClass != CX_SC_Extern,
                      isScalar(node.type), clang_isVolatileQualifiedType(node.type) == 0 else { return }
                scalars.insert(node.key)
            case CXCursor_UnaryOperator:
                guard let operand = node.children.first.map(strip), operand.kind == CXCursor_DeclRefExpr,
                      let target = operand.referenced else { return }
                if let r = macros.textRange(node) {
                    let text = source.slice(r).drop { $0 == " " || $0 == "(" }
                    if text.hasPrefix("&") && !text.hasPrefix("&&") { addressTaken.insert(target.key) }
                } else {
                    addressTaken.insert(target.key)
                }
            default:
                break
            }
        }
        return scalars.subtracting(addressTaken)
    }

    static func aggregates(_ function: Cursor, _ macros: MacroMap, _ source: SourceText) -> Set<CursorKey> {
        var found: Set<CursorKey> = []
        var escaped: Set<CursorKey> = []
        var path: [Cursor] = []
        func visit(_ node: Cursor) {
            switch node.kind {
            case CXCursor_VarDecl:
                if node.storageClass != CX_SC_Static, node.storageClass != CX_SC_Extern, isAggregate(node.type) {
                    found.insert(node.key)
                }
            case CXCursor_DeclRefExpr:
                if isAggregate(node.type), let target = node.referencedKey, escapes(node, path, macros, source) { escaped.insert(target) }
            default:
                break
            }
            path.append(node)
            for child in node.children { visit(child) }
            path.removeLast()
        }
        visit(function)
        return found.subtracting(escaped)
    }

    /// Whether a use of an aggregate (`node`, under the ancestors `path`)
    /// could make a pointer into it.
    private static func escapes(_ node: Cursor, _ path: [Cursor], _ macros: MacroMap, _ source: SourceText) -> Bool {
        var current = node
        var i = path.count - 1
        while i >= 0 {
            let parent = path[i]
            let isArray = clang_getCanonicalType(current.type).kind == CXType_ConstantArray
            switch parent.kind {
            case CXCursor_ParenExpr:
                break
            case CXCursor_UnexposedExpr where parent.children.count == 1:
                // An implicit conversion: of an array, its decay, allowed only
                // as a subscript's base; of anything else, a read of the value.
                guard isArray else { return false }
                guard i > 0, path[i - 1].kind == CXCursor_ArraySubscriptExpr,
                      path[i - 1].children.first?.key == parent.key else { return true }
                i -= 1
                current = path[i]
                i -= 1
                continue
            case CXCursor_ArraySubscriptExpr:
                // `i[a]` puts the array second: still its decay, but keep it simple
                guard parent.children.first?.key == current.key else { return true }
            case CXCursor_MemberRefExpr:
                // `s.x` (s is the first child); `->` would need a pointer, which a
                // struct operand is not
                guard parent.children.first?.key == current.key else { return true }
            case CXCursor_UnaryExpr:
                return false   // sizeof / _Alignof: not evaluated
            case CXCursor_UnaryOperator:
                // `&` makes a pointer; `++`, `-`, `!` read and write a scalar part
                // (an aggregate operand of anything but `&` is not C)
                guard let r = macros.textRange(parent) else { return true }
                let text = source.slice(r).drop { $0 == " " || $0 == "(" }
                return text.hasPrefix("&") || isAggregate(current.type)
            default:
                return isArray   // an array anywhere else decays; a value is a copy
            }
            current = parent
            i -= 1
        }
        return true
    }

    /// Larger aggregates stay in the frame: each suspension where one is live
    /// copies it out and back, which for 1 KiB is ~30 ns, small beside a
    /// suspension's own cost; a 64 KiB buffer would not be.
    static let maxAggregateBytes = 1024

    static func isAggregate(_ type: CXType) -> Bool {
        let canonical = clang_getCanonicalType(type)
        // the kind first: clang_Type_getSizeOf on every DeclRefExpr's type
        // crashed inside libclang on one of the golden tests' inputs
        guard canonical.kind == CXType_ConstantArray || canonical.kind == CXType_Record,
              clang_isVolatileQualifiedType(canonical) == 0 else { return false }
        let size = clang_Type_getSizeOf(canonical)
        guard size > 0, size <= maxAggregateBytes else { return false }
        var element = canonical
        while element.kind == CXType_ConstantArray { element = clang_getCanonicalType(clang_getArrayElementType(element)) }
        return clang_isVolatileQualifiedType(element) == 0
    }

    private static func strip(_ c: Cursor) -> Cursor {
        var c = c
        while (c.kind == CXCursor_ParenExpr || c.kind == CXCursor_UnexposedExpr), c.children.count == 1 { c = c.children[0] }
        return c
    }

    private static let scalarKinds: Set<UInt32> = [
        CXType_Bool, CXType_Char_U, CXType_UChar, CXType_UShort, CXType_UInt, CXType_ULong, CXType_ULongLong,
        CXType_Char_S, CXType_SChar, CXType_WChar, CXType_Short, CXType_Int, CXType_Long, CXType_LongLong,
        CXType_Float, CXType_Double, CXType_LongDouble, CXType_Pointer, CXType_Enum,
    ].map(\.rawValue).reduce(into: Set<UInt32>()) { $0.insert($1) }

    static func isScalar(_ type: CXType) -> Bool {
        scalarKinds.contains(clang_getCanonicalType(type).kind.rawValue)
    }
}
