// The frame of one coroutine: the fields of its `NAME_frame` struct and their
// layout.
//
// Policy (DESIGN.md "Frame policy"): parameters, every local declared in a
// block that contains a suspend point or a preemption check, temporaries made
// by Normalize, embedded child frames and blocking-call argument blocks have a
// frame field.  Scalars whose address is never taken, and arrays and structs
// no pointer can reach (RegisterPolicy), are used through C locals of the
// resume function and only stored into their field at a suspension (the
// target policy); everything else is used through the frame, so `&local`
// stays valid.  Locals declared in blocks without any
// suspend point stay plain C locals: no suspension happens in their lifetime.
//
// Field names are unique in the frame: a shadowing local is renamed `x_2`,
// temporaries are `t1_`, `t2_` (renamed too if the user has such a name).
// Offsets follow the C struct layout rules from libclang's own sizes and
// alignments, so `coroc explain` can report them without compiling the output;
// a test compares them with offsetof in a compiled program.
import CClang
import CorocCore

struct FrameField {
    var name: String
    /// The C declaration of the field, e.g. `char buf[4096]`.
    var declaration: String
    /// Type as shown by `coroc explain`.
    var typeName: String
    var sizeBytes: Int
    var alignBytes: Int
}

struct FrameBuilder {
    private(set) var fields: [FrameField] = []
    private var used: Set<String> = []
    private var tempCounter = 0

    /// Header and result come first, as the ABI requires the header at offset 0.
    init(header: (size: Int, align: Int), result: CXType?) {
        fields.append(FrameField(name: "hdr", declaration: "coro_frame hdr", typeName: "coro_frame",
                                 sizeBytes: header.size, alignBytes: header.align))
        used.insert("hdr")
        if let result {
            add(preferred: "ret_", type: result)
        }
    }

    /// A field for a named variable; returns the (maybe renamed) field name.
    @discardableResult
    mutating func add(preferred: String, type: CXType) -> String {
        let name = unique(preferred)
        fields.append(FrameField(name: name, declaration: declare(type, name), typeName: cleanSpelling(type),
                                 sizeBytes: max(0, Int(clang_Type_getSizeOf(type))),
                                 alignBytes: max(1, Int(clang_Type_getAlignOf(type)))))
        return name
    }

    /// A parameter's field: of its adjusted type when it is declared as an
    /// array or a function (declareParameter).
    mutating func addParameter(preferred: String, type: CXType, pointerSize: Int) -> String {
        guard isAdjustedParameter(type) else { return add(preferred: preferred, type: type) }
        let name = unique(preferred)
        fields.append(FrameField(name: name, declaration: declareParameter(type, name),
                                 typeName: declareParameter(type, ""), sizeBytes: pointerSize, alignBytes: pointerSize))
        return name
    }

    mutating func temp(_ type: CXType) -> String {
        tempCounter += 1
        return add(preferred: "t\(tempCounter)_", type: type)
    }

    /// A field whose C type is generated (a child frame, an argument block).
    mutating func add(preferred: String, typeName: String, size: Int, align: Int) -> String {
        let name = unique(preferred)
        fields.append(FrameField(name: name, declaration: "\(typeName) \(name)", typeName: typeName,
                                 sizeBytes: size, alignBytes: align))
        return name
    }

    private mutating func unique(_ preferred: String) -> String {
        var name = preferred
        var n = 2
        while used.contains(name) {
            name = "\(preferred)_\(n)"
            n += 1
        }
        used.insert(name)
        return name
    }

    /// Offsets by the C layout rules; returns (offsets, total size, alignment).
    func layout() -> (offsets: [Int], size: Int, align: Int) {
        var offset = 0, align = 1
        var offsets: [Int] = []
        for field in fields {
            offset = (offset + field.alignBytes - 1) / field.alignBytes * field.alignBytes
            offsets.append(offset)
            offset += field.sizeBytes
            align = max(align, field.alignBytes)
        }
        return (offsets, (offset + align - 1) / align * align, align)
    }

    var structBody: String {
        fields.map { "    \($0.declaration);\n" }.joined()
    }
}

/// The type's spelling with a top-level `const` removed: a frame field is
/// assigned where the declaration was (its initializer), so it cannot be const.
func cleanSpelling(_ type: CXType) -> String {
    var text = spelling(type)
    if clang_isConstQualifiedType(type) != 0 {
        if type.kind == CXType_Pointer, text.hasSuffix("const") {
            text.removeLast("const".count)
            while text.hasSuffix(" ") { text.removeLast() }
        } else if text.hasPrefix("const ") {
            text.removeFirst("const ".count)
        }
    }
    return text
}

/// A C declaration of `name` with `type`: arrays get their dimensions after the
/// name, other types whose spelling cannot prefix a name go through __typeof__.
func declare(_ type: CXType, _ name: String) -> String {
    if type.kind == CXType_ConstantArray {
        return declare(clang_getArrayElementType(type), "\(name)[\(clang_getArraySize(type))]")
    }
    if type.kind == CXType_IncompleteArray {
        return declare(clang_getArrayElementType(type), "*\(name)")
    }
    let text = cleanSpelling(type)
    if text.contains("(") || text.contains("[") {
        return "__typeof__(\(text)) \(name)"
    }
    return text.hasSuffix("*") ? "\(text)\(name)" : "\(text) \(name)"
}

/// A parameter declared as an array or a function has the adjusted type (C11
/// 6.7.6.3p7-8): `char buf[128]` is a `char *`, `int a[][2]` an `int (*)[2]`,
/// `int g(int)` a function pointer.  libclang reports the type as written (the
/// prototype's DecayedType too, even its kind), so a frame field of that type
/// would be an array the caller's pointer cannot be assigned to, and `sizeof`
/// of it would differ from C's.
func isAdjustedParameter(_ type: CXType) -> Bool {
    switch type.kind {
    case CXType_ConstantArray, CXType_IncompleteArray, CXType_VariableArray, CXType_DependentSizedArray,
         CXType_FunctionProto, CXType_FunctionNoProto:
        return true
    default:
        return false
    }
}

/// The declaration of a parameter with its adjusted type.
func declareParameter(_ type: CXType, _ name: String) -> String {
    switch type.kind {
    case CXType_ConstantArray, CXType_IncompleteArray, CXType_VariableArray, CXType_DependentSizedArray:
        // The element keeps its qualifiers (`const char s[]` is a `const char *`).
        let element = clang_getArrayElementType(type)
        if isAdjustedParameter(element) { return declare(element, "(*\(name))") }
        let text = spelling(element)
        return text.contains("(") || text.contains("[") ? "__typeof__(\(text)) *\(name)" : "\(text) *\(name)"

    case CXType_FunctionProto, CXType_FunctionNoProto:
        return "__typeof__(\(spelling(type))) *\(name)"
    default:
        return declare(type, name)
    }
}

/// A type usable in a cast or compound literal.
func typeName(_ type: CXType) -> String {
    let text = spelling(type)
    return text.contains("(") ? "__typeof__(\(text))" : text
}
