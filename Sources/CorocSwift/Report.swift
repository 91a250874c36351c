// Analysis for `coroc explain`: a CoroutineReport (CorocCore) from a lowered coroutine.
//
// Input:  a LoweredCoroutine and its frame fields.
// Output: the states that matter to a reader (entry, suspend points, loop
//         back-edges; joins and defer trampolines are folded away, their edges
//         followed through), the frame fields, and an *estimated* layout: Swift
//         does not publish a class's field offsets, so sizes come from the usual
//         64-bit sizes of the types (unknown types count as one 8-byte word) after
//         the 16-byte object header and the 8-byte pointer to the C frame.
import CorocCore

enum Report {
    static func make(_ lowered: LoweredCoroutine, fields: [String], fileName: String) -> CoroutineReport {
        let blocks = lowered.blocks
        let shown = Set(blocks.filter { $0.kind != nil }.map(\.id))
        var states: [CoroutineReport.State] = []
        for block in blocks where shown.contains(block.id) {
            states.append(CoroutineReport.State(number: block.id, kind: block.kind!, line: block.line, what: block.what))
        }
        var edges: Set<CoroutineReport.Edge> = []
        for from in shown {
            var stack = [from]
            var seen: Set<Int> = []
            while let current = stack.popLast() {
                if !seen.insert(current).inserted { continue }
                let block = blocks[current]
                if block.items.contains(where: { if case .finish = $0.kind { return true } else { return false } }) {
                    edges.insert(CoroutineReport.Edge(from: from, to: CoroutineReport.done))
                }
                for next in block.successors.sorted() {
                    if shown.contains(next) {
                        edges.insert(CoroutineReport.Edge(from: from, to: next))
                    } else {
                        stack.append(next)
                    }
                }
            }
        }
        var offset = 24
        var frameFields: [CoroutineReport.Field] = []
        var all: [(String, String)] = lowered.signature.parameters.map { ($0.name, $0.type) }
        if let returnType = lowered.signature.returnType { all.insert(("co_ret", returnType + "?"), at: 0) }
        for name in fields { if let type = lowered.variables[name]?.type { all.append((name, type)) } }
        for (name, type) in all {
            let size = estimatedSize(of: type)
            let alignment = min(size, 8)
            offset = (offset + alignment - 1) / alignment * alignment
            frameFields.append(CoroutineReport.Field(name: name, type: type, offsetBytes: offset, sizeBytes: size))
            offset += size
        }
        return CoroutineReport(name: lowered.signature.qualifiedName, file: fileName, line: blocks.first?.line ?? 0,
                               states: states, frameFields: frameFields, frameSizeBytes: (offset + 7) / 8 * 8,
                               edges: edges.sorted { ($0.from, $0.to) < ($1.from, $1.to) })
    }

    static func estimatedSize(of type: String) -> Int {
        if type.hasSuffix("?") && !type.hasPrefix("(") {
            let wrapped = String(type.dropLast())
            // Pointers and class references keep nil in a spare bit pattern; others add a tag byte.
            if wrapped.contains("Pointer") || wrapped.hasSuffix("_Frame") { return 8 }
            return estimatedSize(of: wrapped) + 1
        }
        switch type {
        case "Int8", "UInt8", "Bool", "Swift.Bool", "CChar": return 1
        case "Int16", "UInt16": return 2
        case "Int32", "UInt32", "Float", "CInt": return 4
        case "String", "any Error", "(any Error)?", "any Swift.Error", "(any Swift.Error)?": return 16
        // storage pointer, the held-value flag, a select's state (CoroSwift.OpSlot)
        case "CoroSwift.OpSlot": return 24
        default: return type.hasPrefix("any ") ? 40 : 8
        }
    }
}
