// The driver's failure kinds, each tied to the exit status the CLI reports:
// 1 for diagnostics in the user's input, 2 for usage and environment problems
// (missing tool, missing file, unwritable output).

import CorocCore

public enum DriverError: Error, CustomStringConvertible, Sendable {
    case diagnostics([Diagnostic])
    case usage(String)
    case environment(String)
    case failed(String)   // a run or check failed; the message has been printed already

    public var exitStatus: Int32 {
        switch self {
        case .diagnostics, .failed: return 1
        case .usage, .environment: return 2
        }
    }

    public var description: String {
        switch self {
        case .diagnostics(let ds): return ds.map { $0.rendered() }.joined()
        case .usage(let m), .environment(let m), .failed(let m): return "coroc: error: \(m)"
        }
    }
}
