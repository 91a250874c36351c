// The written text of a call's arguments.
//
// In:  a call expression whose own text is in the main file (MacroMap.textRange).
// Out: one file range per argument, the text between the call's top-level
//      `(`, `,` and `)`, or nil when that text is not the arguments one for one.
//
// Why: an argument that is, or contains, a whole macro call (`NULL`, `TWO`,
// `ADD(1, TWO)`) has no text range of its own (its tokens are spelled in the
// macro's definition), and libclang 14 does not pretty-print most expressions;
// copying such an argument produced `f_new(, )`.  The piece between the
// commas is what the programmer wrote, and the output, where the macros are
// still defined, expands it to the same tokens.  Locals named in a piece are
// still mapped to frame fields by the renderer, which rejects a local spelled
// inside a macro body (CorocC.Messages.localInMacroBody).
import CClang

extension ParsedUnit {
    func writtenArguments(_ call: Cursor) -> [TextRange]? {
        let count = call.argumentCount
        guard count > 0 else { return [] }
        guard let whole = macros.textRange(call), let callee = call.children.first,
              let calleeText = macros.textRange(callee), whole.contains(calleeText) else { return nil }
        let b = source.bytes
        var i = source.skipBlanks(from: calleeText.end)
        guard i < whole.end, b[i] == UInt8(ascii: "(") else { return nil }
        i += 1
        var pieces: [TextRange] = []
        var start = i, depth = 0
        while i < whole.end {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                i += 1
                while i < whole.end, b[i] != c {
                    if b[i] == UInt8(ascii: "\\") { i += 1 }
                    i += 1
                }
            case UInt8(ascii: "/") where i + 1 < whole.end && b[i + 1] == UInt8(ascii: "*"):
                i += 2
                while i + 1 < whole.end, !(b[i] == UInt8(ascii: "*") && b[i + 1] == UInt8(ascii: "/")) { i += 1 }
                i += 1
            case UInt8(ascii: "/") where i + 1 < whole.end && b[i + 1] == UInt8(ascii: "/"):
                while i < whole.end, b[i] != 10 { i += 1 }
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
            case UInt8(ascii: ")") where depth == 0:
                pieces.append(trimmed(TextRange(start: start, end: i)))
                guard i + 1 == whole.end else { return nil }
                return validated(pieces, call)
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
            case UInt8(ascii: ",") where depth == 0:
                pieces.append(trimmed(TextRange(start: start, end: i)))
                start = i + 1
            default:
                break
            }
            i += 1
        }
        return nil
    }

    /// The pieces are the arguments when there is one per argument, an
    /// argument with text of its own lies in its piece, and one without holds
    /// a whole macro call.  (The expansion location of a macro argument's token
    /// is the outermost macro's call, `coro_go(...)`, so it cannot place a piece.)
    private func validated(_ pieces: [TextRange], _ call: Cursor) -> [TextRange]? {
        guard pieces.count == call.argumentCount else { return nil }
        for (i, piece) in pieces.enumerated() {
            guard !piece.isEmpty else { return nil }
            if let own = macros.textRange(call.argument(i)) {
                guard piece.contains(own) else { return nil }
            } else {
                guard macros.expansions.contains(where: { piece.contains($0) }) else { return nil }
            }
        }
        return pieces
    }

    private func trimmed(_ r: TextRange) -> TextRange {
        var s = r.start, e = r.end
        let blank: Set<UInt8> = [32, 9, 10, 13]
        while s < e, blank.contains(source.bytes[s]) { s += 1 }
        while e > s, blank.contains(source.bytes[e - 1]) { e -= 1 }
        return TextRange(start: s, end: e)
    }
}

/// A K&R coroutine (no prototype: C checks no count) called with more
/// arguments than its definition has parameters: the generated init or spawn
/// helper is prototyped, so the extra ones are split off to be evaluated on
/// their own (`(void)(e)`) and dropped, as the plain function would ignore
/// them.  Variadic callees keep every argument.
func splitExtraArguments(_ args: [String], parameters: Int, variadic: Bool) -> (kept: [String], extras: [String]) {
    guard !variadic, args.count > parameters else { return (args, []) }
    return (Array(args.prefix(parameters)), Array(args.dropFirst(parameters)))
}
