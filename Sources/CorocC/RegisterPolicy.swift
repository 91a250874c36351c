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
