// BenchRunner: builds bench/ and runs a BenchPlan's measurements in
// interleaved rounds (round 1 of every measurement, then round 2, ...).
//
// Contract: every measurement ends up either with samples (one value per
// metric per successful round) or with the reason it is unavailable — a
// program that was not built (its toolchain is missing, or the translator
// cannot translate it yet), or a run that failed.  One failing measurement
// never stops the others.  Progress goes to stderr; nothing goes to stdout.

import Foundation

public struct BenchOutcome: Sendable {
    public var samples: [String: [Double]] = [:]   // metric -> one value per round
    public var unavailable: String?                 // why there are no samples
}

public struct BenchRunner {
    public var benchDir: String
    public var runs: Int
    public var timeoutSeconds: Double = 120

    public init(benchDir: String, runs: Int) {
        self.benchDir = benchDir
        self.runs = runs
    }

    /// `make -k -C bench all`; returns make's combined output, for the
    /// reasons of measurements whose programs did not get built.
    public func build(coroc: String) throws -> String {
        progress("building bench programs (make -k -C \(benchDir) all)")
        let r = try Subprocess.run(["make", "-k", "-C", benchDir, "all", "COROC=\(coroc)"], timeoutSeconds: 1200)
        if !r.reason.succeeded { progress("some bench programs did not build; measuring the rest") }
        return r.stderrText + r.stdoutText
    }

    public func run(_ plan: BenchPlan, buildLog: String) -> [String: BenchOutcome] {
        var outcomes: [String: BenchOutcome] = [:]
        for m in plan.measurements {
            var o = BenchOutcome()
            if let missing = m.needs.first(where: { !FileManager.default.fileExists(atPath: "\(benchDir)/\($0)") }) {
                o.unavailable = "\(missing) was not built" + BenchRunner.buildReason(for: missing, in: buildLog)
            }
            outcomes[m.id] = o
        }
        for m in plan.measurements { if let why = outcomes[m.id]?.unavailable { progress("skip \(m.id): \(why)") } }
        for round in 1...runs {
            for m in plan.measurements where outcomes[m.id]?.unavailable == nil && (round == 1 || !m.once) {
                progress("[\(round)/\(runs)] \(m.id)")
                switch measure(m) {
                case .success(let values):
                    for (metric, v) in values { outcomes[m.id]!.samples[metric, default: []].append(v) }
                case .failure(let why):
                    outcomes[m.id]!.unavailable = why
                    outcomes[m.id]!.samples = [:]
                    progress("  \(m.id) failed, dropped: \(why)")
                }
            }
        }
        return outcomes
    }

    private enum Measured { case success([String: Double]), failure(String) }

    private func measure(_ m: BenchMeasurement) -> Measured {
        var env = ProcessInfo.processInfo.environment
        env.merge(m.environment) { _, new in new }
        var argv = m.argv
        if argv[0].hasPrefix("build/") || argv[0].hasPrefix("./") { argv[0] = "\(benchDir)/\(argv[0])" }
        // Relative file arguments (build/big.c) are inside bench/: run there.
        let cwd = FileManager.default.currentDirectoryPath
        guard FileManager.default.changeCurrentDirectoryPath(benchDir) else { return .failure("cannot enter \(benchDir)") }
        defer { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
        let start = DispatchTime.now().uptimeNanoseconds
        let result: ProcessResult
        do {
            result = try Subprocess.run(argv, environment: env, timeoutSeconds: timeoutSeconds)
        } catch {
            return .failure("\(error)")
        }
        let wallMs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        guard result.reason.succeeded else {
            let tail = result.stderrText.split(separator: "\n").suffix(3).joined(separator: " | ")
            return .failure("\(result.reason.description)\(tail.isEmpty ? "" : ": \(tail)")")
        }
        if let metric = m.wallTimeMetric { return .success([metric: wallMs]) }
        var values: [String: Double] = [:]
        for line in result.stdoutText.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 3, f[0] == "RESULT", let v = Double(f[2]) { values[String(f[1])] = v }
        }
        return values.isEmpty ? .failure("printed no RESULT line") : .success(values)
    }

    /// The first error line of the build log that names the missing program.
    static func buildReason(for path: String, in log: String) -> String {
        let name = (path as NSString).lastPathComponent
        let lines = log.split(separator: "\n").map(String.init)
        for (i, line) in lines.enumerated() where line.contains("***") && line.contains(name) {
            // The compiler's or translator's message is just above make's "***" line.
            if let msg = lines[..<i].last(where: { $0.contains("error") && !$0.contains("***") }) {
                return " (\(msg.trimmingCharacters(in: .whitespaces)))"
            }
        }
        if name.hasPrefix("go_") && Subprocess.which("go") == nil { return " (go not found: scripts/setup.sh bench)" }
        if name == "boost_fiber" { return " (needs g++ and libboost-context-dev: scripts/setup.sh bench)" }
        return ""
    }
}

func progress(_ message: String) {
    FileHandle.standardError.write(Data("bench: \(message)\n".utf8))
}
