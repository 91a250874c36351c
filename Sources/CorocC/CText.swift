// Small helpers for generated C text shared by the Normalize files and Emit:
// assignments that respect const members, heap-frame prototypes and
// identifier-level search and replace in C text.
import CClang
import CorocCore
import Foundation

/// `lhs = rhs;`, or a copy through a temporary when the type is a struct or
/// union with const members (initialized, never assigned, in C).
func assignment(_ lhs: String, _ rhs: String, _ type: CXType?) -> String {
    guard let type, hasConstMember(type) else { return "\(lhs) = \(rhs);" }
    return "{ __typeof__(\(lhs)) coro_tmp_ = \(rhs); __builtin_memcpy(&\(lhs), &coro_tmp_, sizeof coro_tmp_); }"
}

func hasConstMember(_ type: CXType) -> Bool {
    let canonical = clang_getCanonicalType(type)
    if canonical.kind == CXType_ConstantArray { return hasConstMember(clang_getArrayElementType(canonical)) }
    guard canonical.kind == CXType_Record else { return false }
    final class Box { var found = false }
    let box = Box()
    withExtendedLifetime(box) {
        _ = clang_Type_visitFields(canonical, { field, data in
            let box = Unmanaged<Box>.fromOpaque(data!).takeUnretainedValue()
            let fieldType = clang_getCursorType(field)
            if clang_isConstQualifiedType(fieldType) != 0 || hasConstMember(fieldType) {
                box.found = true
                return CXVisit_Break
            }
            return CXVisit_Continue
        }, Unmanaged.passUnretained(box).toOpaque())
    }
    return box.found
}

/// Prototypes of a coroutine's heap constructor and result reader, for callers
/// that cannot embed its frame (recursion, later definition, other file).
func heapPrototypes(_ callee: Coroutine) -> String {
    let linkage = callee.isStatic ? "static " : ""
    let params = parameterTypes(callee.cursor).enumerated().map { declareParameter($0.element, "a\($0.offset)") }
    var text = "\(linkage)coro_frame *\(callee.name)_new(\(params.isEmpty ? "void" : params.joined(separator: ", ")));\n"
    if !callee.returnsVoid {
        text += "\(linkage)\(declare(callee.resultType, "\(callee.name)_result(coro_frame *frame)"));\n"
    }
    return text
}

/// Whole-word search for an identifier in C text.
func containsIdentifier(_ text: String, _ name: String) -> Bool {
    containsIdentifier(bytes: Array(text.utf8), name)
}

/// Whole-word search for an identifier in C source bytes.
func containsIdentifier(bytes: [UInt8], _ name: String) -> Bool {
    let word = Array(name.utf8)
    guard bytes.count >= word.count else { return false }
    var i = 0
    while i + word.count <= bytes.count {
        if bytes[i..<i + word.count].elementsEqual(word)
            && (i == 0 || !isIdentifierByte(bytes[i - 1]))
            && (i + word.count == bytes.count || !isIdentifierByte(bytes[i + word.count])) {
            return true
        }
        i += 1
    }
    return false
}

/// Replaces the identifiers of `refs` (in order of appearance) in printed C.
func replaceIdentifiers(_ text: String, _ refs: [(String, String)]) -> String {
    let bytes = Array(text.utf8)
    var out: [UInt8] = [], i = 0, next = 0
    while i < bytes.count {
        if isIdentifierByte(bytes[i]) && (i == 0 || !isIdentifierByte(bytes[i - 1])) {
            var j = i
            while j < bytes.count && isIdentifierByte(bytes[j]) { j += 1 }
            let word = String(decoding: bytes[i..<j], as: UTF8.self)
            let afterMember = out.last == UInt8(ascii: ".") || (out.count >= 2 && out.suffix(2).elementsEqual(Array("->".utf8)))
            if next < refs.count, word == refs[next].0, !afterMember {
                out += Array(refs[next].1.utf8)
                next += 1
            } else {
                out += bytes[i..<j]
            }
            i = j
            continue
        }
        out.append(bytes[i])
        i += 1
    }
    return String(decoding: out, as: UTF8.self)
}

/// Text without C comments, trimmed (an operator written between two operands).
func stripComments(_ text: String) -> String {
    var out = "", bytes = Array(text.utf8), i = 0
    while i < bytes.count {
        if bytes[i] == UInt8(ascii: "/"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "*") {
            i += 2
            while i + 1 < bytes.count && !(bytes[i] == UInt8(ascii: "*") && bytes[i + 1] == UInt8(ascii: "/")) { i += 1 }
            i += 2
            continue
        }
        out.append(Character(UnicodeScalar(bytes[i])))
        i += 1
    }
    return out.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A function's parameter types as its generated helpers declare them: the
/// prototype's, or for a K&R definition (no prototype: clang_getNumArgTypes
/// is -1, which gave `f_new(void)` conflicting with the definition) the
/// definition's parameter declarations.  Both are adjusted by declareParameter.
func parameterTypes(_ fn: Cursor) -> [CXType] {
    let type = fn.type
    if type.kind != CXType_FunctionNoProto {
        return (0..<Int(max(0, clang_getNumArgTypes(type)))).map { clang_getArgType(type, UInt32($0)) }
    }
    let definition = Cursor(raw: clang_getCursorDefinition(fn.raw))
    let source = definition.isNull ? fn : definition
    return source.children.filter { $0.kind == CXCursor_ParmDecl }.map(\.type)
}
