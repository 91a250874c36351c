// Pass 4: emit one lowered coroutine as a frame class with a resume() state machine.
//
// Input:  a LoweredCoroutine and the set of its variables that are frame fields
//         (Liveness), every one of them with a visible type (checked by the
//         translator before this pass).
// Output: Swift source text of `final class NAME_Frame`, deterministic.  Each
//         statement that comes from the input is preceded by a
//         `#sourceLocation(file:line:)` naming its .coroswift line, so compiler
//         errors and crash backtraces in it point at the input.
//
// The lifecycle (the C frame and its resume thunk, ownership, spawn, run-main,
// the uncaught-error report) is CoroSwift's CoroFrame, the base class every
// frame class derives from (Sources/CoroSwift/Frame.swift explains ownership
// and concurrency); this pass writes only what differs per coroutine: its
// fields, init/reset with its parameters, the result, the state machine.
//
// Fields are `@exclusivity(unchecked)`: Swift's dynamic exclusivity check on a
// class property costs a runtime call per access (bench/swift/chan went from
// ~80 to ~56 ns one-way without it), and the frame's fields are only touched by
// the one worker that runs the frame, through the generated code, which never
// holds two accesses to a field at once.  The price: user code that passes the
// same local `inout` twice in one call is no longer diagnosed at run time.
//
// Fields whose type has an obvious zero value are plain stored properties; the
// others are stored as Optionals behind a computed property of the real type, so
// the body reads them with their own type (print(x) prints the value, not Optional).
import CorocCore

struct Emit {
    let lowered: LoweredCoroutine
    let fields: [String]   // sorted, frame variables other than parameters
    let fileName: String
    /// The input's path as the translator was given it, for `#sourceLocation`.
    let sourcePath: String

    private var signature: CoroutineSignature { lowered.signature }

    func classText() -> String {
        var out: [String] = []
        let name = signature.localFrameClassName
        out.append("/// Frame of the coroutine `\(signature.name)` (\(fileName):\(lineOfDecl)): its parameters, the locals that flow from one state into another, and the state machine.")
        out.append("/// Lifecycle, ownership and concurrency: CoroSwift.CoroFrame.")
        out.append("final class \(name): CoroSwift.CoroFrame {")
        if let returnType = signature.returnType {
            out.append("    @exclusivity(unchecked) var co_ret: \(returnType)? = nil")
        }
        for parameter in signature.parameters {
            out.append("    @exclusivity(unchecked) fileprivate(set) var \(parameter.name): \(parameter.type)")
        }
        for field in fields {
            guard let type = lowered.variables[field]?.type else { continue }
            if field == "co_error" { continue }
            out.append(contentsOf: Self.storedProperty(name: field, type: type))
        }
        out.append("")
        out.append(contentsOf: initText())
        out.append(contentsOf: lifecycleText())
        out.append(contentsOf: resumeText())
        if lowered.usesErrorDispatch {
            out.append("")
            out.append("    /// Makes the dispatch `do` visibly throwing, so its `catch` is never flagged unreachable.")
            out.append("    @inline(__always) private static func co_mayThrow() throws {}")
            out.append("")
            out.append("    /// The state that unwinds an error thrown in `state` (runs its defers, then catches or finishes).")
            out.append("    private static func co_unwindTarget(_ state: Int32) -> Int32 {")
            out.append("        switch state {")
            var byTarget: [Int: [Int]] = [:]
            for (block, target) in lowered.unwindTargets { byTarget[target, default: []].append(block) }
            for target in byTarget.keys.sorted() {
                let states = byTarget[target]!.sorted().map(String.init).joined(separator: ", ")
                out.append("        case \(states): return \(target)")
            }
            out.append("        default: Swift.fatalError(\"\(signature.name): no unwind target for state \\(state)\")")
            out.append("        }")
            out.append("    }")
        }
        out.append("}")
        out.append("")
        out.append(signature.entryPoints(
            spawn: "\(name)(\(signature.forwardedArguments)).co_spawn(\"\(signature.qualifiedName)\")",
            runMain: "\(name)(\(signature.forwardedArguments)).co_runMain(\"\(signature.qualifiedName)\")"))
        return out.joined(separator: "\n")
    }

    private var lineOfDecl: Int { lowered.blocks.first?.line ?? 0 }

    private var quotedPath: String {
        QuotedLiteral.quoted(sourcePath)
    }

    /// Every name some item reads.
    private var usedNames: Set<String> {
        lowered.blocks.reduce(into: Set<String>()) { names, block in
            for item in block.items { names.formUnion(item.uses) }
        }
    }

    static func defaultValue(for type: String) -> String? {
        let zero: Set<String> = ["Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32", "UInt64",
                                 "Double", "Float", "CInt", "CLong", "CChar", "ssize_t", "size_t", "socklen_t"]
        if zero.contains(type) { return "0" }
        if type == "Bool" || type == "Swift.Bool" { return "false" }
        if type == "Swift.Int" { return "0" }
        if type == "String" { return "\"\"" }
        if type.hasSuffix("?") { return "nil" }
        if type == "CoroSwift.OpSlot" { return "CoroSwift.OpSlot()" }
        if ["coro_wg", "coro_mutex", "coro_select_case", "sockaddr_in", "sockaddr", "pollfd", "timespec"].contains(type) {
            return "\(type)()"
        }
        if type.hasPrefix("[") && type.hasSuffix("]") { return type.contains(":") ? "[:]" : "[]" }
        // Hoisted loop iterators: an empty one, replaced before the loop's first use.
        if type.hasPrefix("Range<") && type.hasSuffix(">.Iterator") { return "(0..<0).makeIterator()" }
        if type.hasPrefix("ClosedRange<") && type.hasSuffix(">.Iterator") { return "(0...0).makeIterator()" }
        if type.hasPrefix("StrideTo<") && type.hasSuffix(">.Iterator") { return "stride(from: 0, to: 0, by: 1).makeIterator()" }
        if type.hasPrefix("StrideThrough<") && type.hasSuffix(">.Iterator") {
            return "stride(from: 0, through: 0, by: 1).makeIterator()"
        }
        if type.hasPrefix("IndexingIterator<[") && type.hasSuffix("]>") {
            return "(\(type.dropFirst("IndexingIterator<".count).dropLast())()).makeIterator()"
        }
        return nil
    }

    /// Stands for `x` in `&x` passed to a suspend operation (LowerSuspendPoints):
    /// rendered as `co_slot_x!` when x's field is an Optional slot (so the pointer
    /// is the payload's address inside the frame object), else as `x`.
    static func framePointerMarker(_ name: String) -> String { "\u{1}\(name)\u{1}" }

    private func resolvingFramePointers(_ text: String) -> String {
        guard text.contains("\u{1}") else { return text }
        let parts = text.split(separator: "\u{1}", omittingEmptySubsequences: false)
        var out = ""
        for (index, part) in parts.enumerated() {
            if index % 2 == 0 { out += part; continue }
            let name = String(part)
            if fields.contains(name), let type = lowered.variables[name]?.type, Self.defaultValue(for: type) == nil {
                out += "co_slot_\(name)!"
            } else {
                out += name
            }
        }
        return out
    }

    static func storedProperty(name: String, type: String) -> [String] {
        if let value = defaultValue(for: type) {
            return ["    @exclusivity(unchecked) fileprivate var \(name): \(type) = \(value)"]
        }
        return [
            "    @exclusivity(unchecked) private var co_slot_\(name): (\(type))? = nil",
            "    fileprivate var \(name): \(type) {",
            "        get { co_slot_\(name)! }",
            "        set { co_slot_\(name) = newValue }",
            "        _modify { yield &co_slot_\(name)! }",
            "    }",
        ]
    }

    private func initText() -> [String] {
        let parameters = signature.parameters.map(\.written).joined(separator: ", ")
        var out = ["    init(\(parameters)) {"]
        for parameter in signature.parameters {
            out.append("        self.\(parameter.name) = \(parameter.name)")
        }
        out += ["        super.init(name: \"\(signature.name)\")", "    }", ""]
        return out
    }

    private func lifecycleText() -> [String] {
        let throwsWord = signature.throwsError ? " throws" : ""
        let resultType = signature.returnType ?? "Swift.Void"
        var out = [
            "    /// Makes a finished frame kept by its caller ready for the next call.",
            "    func co_reset(\(signature.parameters.map(\.written).joined(separator: ", "))) {",
        ]
        for parameter in signature.parameters {
            out.append("        self.\(parameter.name) = \(parameter.name)")
        }
        if signature.returnType != nil { out.append("        co_ret = nil") }
        if signature.throwsError || lowered.variables["co_error"] != nil { out.append("        co_error = nil") }
        out += [
            "        co_resetHeader()",
            "    }",
            "",
            "    /// `coro_main(\(signature.name)(...))`: runs the scheduler until every task has finished.",
            "    func co_runMain(_ name: Swift.StaticString)\(throwsWord) -> \(resultType) {",
            "        co_runRoot(name)",
        ]
        if signature.throwsError { out.append("        if let co_e = co_error { throw co_e }") }
        if signature.returnType != nil { out.append("        return co_ret!") }
        out += ["    }", ""]
        return out
    }

    private func resumeText() -> [String] {
        var out = [
            "    /// The state machine: one case per state; a jump stores the next state and re-dispatches.",
            "    override func co_resume() -> coro_status {",
            "        co_dispatch: while true {",
        ]
        var base = 12
        if lowered.usesErrorDispatch {
            out.append("            do {")
            out.append("                try Self.co_mayThrow()")
            base = 16
        }
        let pad = String(repeating: " ", count: base)
        out.append(pad + "switch co_hdr.pointee.state {")
        let used = usedNames
        for block in lowered.blocks {
            out.append(pad + "case \(block.id):")
            var lines: [String] = []
            for item in block.items {
                lines.append(contentsOf: render(item, base: base + 4, usedNames: used))
            }
            if lines.isEmpty { lines.append(pad + "    break") }
            out.append(contentsOf: lines)
        }
        out.append("#sourceLocation()")
        out.append(pad + "default:")
        out.append(pad + "    Swift.fatalError(\"\(signature.name): impossible state \\(co_hdr.pointee.state)\")")
        out.append(pad + "}")
        if lowered.usesErrorDispatch {
            out += [
                "            } catch {",
                "                co_error = error",
                "                co_hdr.pointee.state = Self.co_unwindTarget(co_hdr.pointee.state)",
                "            }",
            ]
        }
        out += ["        }", "    }"]
        return out
    }

    private func render(_ item: LoweredItem, base: Int, usedNames: Set<String>) -> [String] {
        let pad = String(repeating: " ", count: base + 4 * item.indent)
        let isField = { (name: String) in fields.contains(name) }
        var text: String
        switch item.kind {
        case .code(let code):
            text = resolvingFramePointers(code)
        case .result(let name, let writtenType, let initializer):
            if !usedNames.contains(name) {
                text = "_ = \(initializer)"   // the result of a call written as a statement
            } else if isField(name) {
                text = "\(name) = \(initializer)"
            } else {
                text = "let \(name)\(writtenType.map { ": \($0)" } ?? "") = \(initializer)"
            }
        case .declare(let name, let keyword, let writtenType, let initializer):
            if isField(name) {
                guard let initializer else { return [] }
                text = "\(name) = \(initializer)"
            } else {
                text = "\(keyword) \(name)\(writtenType.map { ": \($0)" } ?? "")\(initializer.map { " = \($0)" } ?? "")"
            }
        case .bind(let name):
            guard isField(name) else { return [] }
            text = "self.\(name) = \(name)"
        case .jump(let target):
            text = "co_hdr.pointee.state = \(target); continue co_dispatch"
        case .backedge(let target):
            text = "co_hdr.pointee.state = \(target); if coro_preempt_pending() != 0 { return CORO_YIELDED }; continue co_dispatch"
        case .finish:
            text = "return CORO_DONE"
        case .trap(let message):
            text = "Swift.fatalError(\"\(message)\")"
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        // A statement from the input: compiler errors in it point at the .coroswift line.
        if let line = item.line { out.append("#sourceLocation(file: \(quotedPath), line: \(line))") }
        for line in lines { out.append(line.isEmpty ? "" : pad + line) }
        return out
    }
}
