// Diagnostics as data, shared by both frontends and the driver.
//
// A Diagnostic renders exactly as clang prints one:
//   file:line:col: error: message
//     <source line>
//     ^
// Frontends collect them; the driver prints them to stderr and exits 1 when any
// has severity .error (and then writes no output file).

public struct SourceLocation: Hashable, Sendable, Comparable {
    public var file: String
    public var line: Int     // 1-based
    public var column: Int   // 1-based, in bytes as clang counts

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}

public enum Severity: String, Sendable {
    case error
    case warning
    case note
    case fatal = "fatal error"
}

public struct Diagnostic: Hashable, Sendable {
    public var severity: Severity
    public var location: SourceLocation?
    public var message: String
    /// The text of the source line the location points into, for the caret display.
    public var sourceLine: String?

    public init(_ severity: Severity, at location: SourceLocation?, _ message: String, sourceLine: String? = nil) {
        self.severity = severity
        self.location = location
        self.message = message
        self.sourceLine = sourceLine
    }

    public var isError: Bool { severity == .error || severity == .fatal }

    /// clang's format; the caret line is present only when the source line is known.
    public func rendered() -> String {
        var out = ""
        if let loc = location {
            out += "\(loc.file):\(loc.line):\(loc.column): "
        } else {
            out += "coroc: "
        }
        out += "\(severity.rawValue): \(message)\n"
        if let text = sourceLine, let loc = location {
            out += text + "\n"
            var caret = ""
            var col = 1
            for ch in text.utf8 where col < loc.column {
                caret += ch == UInt8(ascii: "\t") ? "\t" : " "
                col += 1
            }
            out += caret + "^\n"
        }
        return out
    }
}

/// Thrown by a frontend when any error-severity diagnostic was produced.
public struct DiagnosticError: Error, Sendable {
    public var diagnostics: [Diagnostic]
    /// Exact repeats (same severity, place and message: one construct met by
    /// two passes, or one macro that is several arguments) are reported once.
    public init(_ diagnostics: [Diagnostic]) {
        var seen: Set<String> = []
        self.diagnostics = diagnostics.filter { seen.insert($0.rendered()).inserted }
    }
}

/// Messages both frontends give, worded once.
public enum CommonMessages {
    /// A coroutine called where there is no caller frame to suspend.
    public static func callOutsideCoroutine(_ name: String) -> String {
        "coroutine '\(name)' is called outside a coroutine; start it with coro_go(\(name)(...)) or coro_main(\(name)(...))"
    }
}
