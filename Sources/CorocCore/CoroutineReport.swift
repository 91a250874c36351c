// What `coroc explain` shows about one translated coroutine, language-neutral so
// both frontends fill it: the states of its state machine, its suspend points,
// its frame layout (field offsets and total size, as the C compiler lays it out)
// and the edges of its state graph.  renderExplain turns a list into text.

public struct CoroutineReport: Sendable, Equatable {
    public enum StateKind: String, Sendable, Equatable {
        case entry      // state 0: the function starts
        case io         // epoll-driven operation (read, accept, sleep, ...)
        case blocking   // runs on the blocking pool (open, fsync, ...)
        case runtime    // runtime call (yield, channel, wait group, mutex)
        case await      // call of another coroutine
        case preempt    // back-edge preemption check
    }

    public struct State: Sendable, Equatable {
        public var number: Int
        public var kind: StateKind
        public var line: Int
        /// The call or construct that suspends here ("read", "fib", "loop back-edge").
        public var what: String
        public init(number: Int, kind: StateKind, line: Int, what: String) {
            self.number = number
            self.kind = kind
            self.line = line
            self.what = what
        }
    }

    public struct Field: Sendable, Equatable {
        public var name: String
        public var type: String
        public var offsetBytes: Int
        public var sizeBytes: Int
        public init(name: String, type: String, offsetBytes: Int, sizeBytes: Int) {
            self.name = name
            self.type = type
            self.offsetBytes = offsetBytes
            self.sizeBytes = sizeBytes
        }
    }

    public struct Edge: Sendable, Equatable, Hashable {
        public var from: Int
        public var to: Int
        public init(from: Int, to: Int) {
            self.from = from
            self.to = to
        }
    }

    public var name: String
    public var file: String
    public var line: Int
    public var states: [State]
    public var frameFields: [Field]
    public var frameSizeBytes: Int
    /// State graph; the pseudo-state `CoroutineReport.done` is the return.
    public var edges: [Edge]

    public static let done = -1

    public init(name: String, file: String, line: Int, states: [State], frameFields: [Field],
                frameSizeBytes: Int, edges: [Edge]) {
        self.name = name
        self.file = file
        self.line = line
        self.states = states
        self.frameFields = frameFields
        self.frameSizeBytes = frameSizeBytes
        self.edges = edges
    }

    /// Suspend points are the states other than the entry.
    public var suspendPoints: [State] { states.filter { $0.kind != .entry } }
}

/// Text for `coroc explain`: one section per coroutine (or only `function`), or
/// the DOT graphs when `dot` is set.
public func renderExplain(_ reports: [CoroutineReport], function: String?, dot: Bool) -> String {
    let chosen = reports.filter { function == nil || $0.name == function }
    if chosen.isEmpty {
        if let function { return "no coroutine named '\(function)'\n" }
        return "no coroutines\n"
    }
    if dot { return chosen.map(DotExport.graph).joined(separator: "\n") }
    return chosen.map(explainText).joined(separator: "\n")
}

private func explainText(_ report: CoroutineReport) -> String {
    var out = "coroutine \(report.name) (\(report.file):\(report.line))\n"
    out += "  states: \(report.states.count)\n"
    for state in report.states {
        out += "    \(pad(String(state.number), 4)) \(pad(state.kind.rawValue, 9)) line \(pad(String(state.line), 5)) \(state.what)\n"
    }
    out += "  suspend points: \(report.suspendPoints.count)\n"
    for point in report.suspendPoints {
        out += "    line \(pad(String(point.line), 5)) \(point.kind.rawValue) \(point.what)\n"
    }
    out += "  frame: \(report.frameSizeBytes) bytes\n"
    for field in report.frameFields {
        out += "    +\(pad(String(field.offsetBytes), 6)) \(pad(String(field.sizeBytes), 6)) \(field.name): \(field.type)\n"
    }
    return out
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
