// FixtureCheck: run programs in a matrix (mode x threads) and compare their
// stdout with NAME.expected (or, without one and with several modes, the
// modes with each other), printing a pass/fail table and a diff for each
// failure.  Used by `coroc run --check` (and `coroc run A B ...`) and by
// `make test`'s fixture suite.

import Foundation
import CorocCore

public struct CheckCase: Sendable {
    public var path: String
    public var mode: TranslationMode
    public var threads: Int?
}

public struct CheckOutcome: Sendable {
    public var testCase: CheckCase
    public var passed: Bool
    public var detail: String     // empty on pass; the reason (and diff) otherwise
}

public enum FixtureCheck {
    public static func expectedPath(for path: String) -> String {
        (path as NSString).deletingPathExtension + ".expected"
    }

    /// Runs every case; builds each (file, mode) once and reuses it across thread counts.
    /// A file without NAME.expected run in several modes is checked mode against
    /// mode instead: each later mode's stdout and exit status must equal the
    /// first mode's at the same thread count (the first mode's cases pass once
    /// they ran to an end within the time limit).
    public static func run(files: [String], modes: [TranslationMode], threads: [Int?], options: RunOptions,
                           runtime: RuntimeLocation, timeoutSeconds: Double, extraArguments: [String] = [],
                           report: (CheckOutcome) -> Void) -> [CheckOutcome] {
        var outcomes: [CheckOutcome] = []
        for file in files {
            let expected = FileManager.default.contents(atPath: expectedPath(for: file))
            let crossCheck = expected == nil && modes.count > 1
            // The first mode's results, by thread-count index, when cross-checking.
            var reference: [Int: ProcessResult] = [:]
            for (modeIndex, mode) in modes.enumerated() {
                var opts = options
                opts.mode = mode
                let program: BuiltProgram
                do {
                    program = try Runner.build(file, options: opts, runtime: runtime)
                } catch {
                    for t in threads {
                        let o = CheckOutcome(testCase: CheckCase(path: file, mode: mode, threads: t), passed: false,
                                             detail: "build failed: \(describe(error))")
                        outcomes.append(o); report(o)
                    }
                    continue
                }
                defer { Runner.cleanUp(program) }
                for (k, t) in threads.enumerated() {
                    let c = CheckCase(path: file, mode: mode, threads: t)
                    let o: CheckOutcome
                    if !crossCheck {
                        o = check(c, program: program, expected: expected, timeoutSeconds: timeoutSeconds,
                                  extraArguments: extraArguments)
                    } else {
                        o = crossCheckCase(c, program: program, timeoutSeconds: timeoutSeconds,
                                           extraArguments: extraArguments, isReference: modeIndex == 0,
                                           referenceMode: modes[0], reference: &reference[k])
                    }
                    outcomes.append(o); report(o)
                }
            }
        }
        return outcomes
    }

    /// A case's program ran, or could not be started (which is already its outcome).
    private enum Execution { case ran(ProcessResult), failed(CheckOutcome) }

    /// Runs one case's program.
    private static func execute(_ c: CheckCase, program: BuiltProgram, timeoutSeconds: Double,
                                extraArguments: [String]) -> Execution {
        do {
            return .ran(try Runner.execute(program, threads: c.threads, capture: true,
                                               extraArguments: extraArguments, timeoutSeconds: timeoutSeconds))
        } catch {
            return .failed(CheckOutcome(testCase: c, passed: false, detail: describe(error)))
        }
    }

    /// The outcome for the problems found; a failing case shows the program's stderr tail.
    private static func outcome(_ c: CheckCase, problems: [String], result: ProcessResult) -> CheckOutcome {
        var problems = problems
        if !problems.isEmpty && !result.stderr.isEmpty {
            problems.append("stderr:\n" + String(result.stderrText.suffix(2000)))
        }
        return CheckOutcome(testCase: c, passed: problems.isEmpty, detail: problems.joined(separator: "\n"))
    }

    /// One case of a mode-against-mode check (see `run`).
    static func crossCheckCase(_ c: CheckCase, program: BuiltProgram, timeoutSeconds: Double, extraArguments: [String],
                               isReference: Bool, referenceMode: TranslationMode,
                               reference: inout ProcessResult?) -> CheckOutcome {
        let result: ProcessResult
        switch execute(c, program: program, timeoutSeconds: timeoutSeconds, extraArguments: extraArguments) {
        case .ran(let r): result = r
        case .failed(let outcome): return outcome
        }
        var problems: [String] = []
        if case .timedOut = result.reason { problems.append("program \(result.reason.description)") }
        if isReference {
            reference = result
        } else if let ref = reference {
            let name = referenceMode.rawValue
            if ref.reason != result.reason {
                problems.append("exit differs: \(name) \(ref.reason.description), \(c.mode.rawValue) \(result.reason.description)")
            }
            if ref.stdout != result.stdout {
                problems.append("output differs from \(name) (no \(expectedPath(for: c.path)) to compare with):\n" +
                                unifiedDiff(expected: ref.stdoutText, actual: result.stdoutText,
                                            labels: (name, c.mode.rawValue)))
            }
        } else {
            problems.append("no \(referenceMode.rawValue) run to compare with (its build failed)")
        }
        return outcome(c, problems: problems, result: result)
    }

    static func check(_ c: CheckCase, program: BuiltProgram, expected: Data?, timeoutSeconds: Double,
                      extraArguments: [String] = []) -> CheckOutcome {
        guard let expected else {
            return CheckOutcome(testCase: c, passed: false, detail: "missing \(expectedPath(for: c.path))")
        }
        let result: ProcessResult
        switch execute(c, program: program, timeoutSeconds: timeoutSeconds, extraArguments: extraArguments) {
        case .ran(let r): result = r
        case .failed(let outcome): return outcome
        }
        var problems: [String] = []
        if !result.reason.succeeded { problems.append("program \(result.reason.description)") }
        if result.stdout != expected {
            problems.append("output differs from \(expectedPath(for: c.path)):\n" +
                            unifiedDiff(expected: String(decoding: expected, as: UTF8.self), actual: result.stdoutText))
        }
        return outcome(c, problems: problems, result: result)
    }

    static func describe(_ error: Error) -> String {
        if let d = error as? DriverError {
            if case .failed(let m) = d { return m }
            return d.description
        }
        return "\(error)"
    }

    /// A small line diff (longest common subsequence), enough to show what a
    /// fixture printed differently; capped so a runaway output stays readable.
    public static func unifiedDiff(expected: String, actual: String, maxLines: Int = 40,
                                   labels: (String, String) = ("expected", "actual")) -> String {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if a.count * b.count > 4_000_000 {
            return "--- \(labels.0) (\(a.count) lines)\n+++ \(labels.1) (\(b.count) lines)\n(too large to diff)"
        }
        var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out = ["--- " + labels.0, "+++ " + labels.1]
        var i = 0, j = 0, shown = 0
        while (i < a.count || j < b.count) && shown < maxLines {
            if i < a.count && j < b.count && a[i] == b[j] {
                i += 1; j += 1
            } else if j < b.count && (i == a.count || lcs[i][j + 1] >= lcs[i + 1][j]) {
                out.append("+" + b[j]); j += 1; shown += 1
            } else {
                out.append("-" + a[i]); i += 1; shown += 1
            }
        }
        if shown >= maxLines { out.append("... (diff truncated)") }
        return out.joined(separator: "\n")
    }

    public static func table(_ outcomes: [CheckOutcome]) -> String {
        let rows = outcomes.map { o -> [String] in
            [o.testCase.path, o.testCase.mode.rawValue, o.testCase.threads.map(String.init) ?? "default",
             o.passed ? "pass" : "FAIL"]
        }
        let header = ["program", "mode", "threads", "result"]
        var widths = header.map(\.count)
        for r in rows { for (k, cell) in r.enumerated() { widths[k] = max(widths[k], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var out = [line(header)]
        out += rows.map(line)
        let passed = outcomes.filter(\.passed).count
        out.append("\(passed) passed, \(outcomes.count - passed) failed")
        return out.joined(separator: "\n") + "\n"
    }
}
