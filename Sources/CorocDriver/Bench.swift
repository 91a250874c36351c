// Bench: `coroc bench` — runs the benchmark programs and their peers in one
// invocation and reports medians and ratios.  The measuring programs live in
// Runtime/bench (runtime microbenchmarks with hand-built frames and the Go
// peers); this type finds them and runs their comparison script.

import Foundation

public struct BenchOptions: Sendable {
    public var jsonPath: String?
    public var chartPath: String?
    public var runs: Int
    public init(jsonPath: String?, chartPath: String?, runs: Int) {
        self.jsonPath = jsonPath
        self.chartPath = chartPath
        self.runs = runs
    }
}

public enum Bench {
    public static func run(_ options: BenchOptions) throws -> Int32 {
        let runtime = try RuntimeLocation.locate()
        guard let tree = runtime.sourceTree else {
            throw DriverError.environment("coroc bench needs the coroc source tree (the benchmark programs live in Runtime/bench)")
        }
        let script = "\(tree)/bench/compare.sh"
        guard FileManager.default.isExecutableFile(atPath: script) else {
            throw DriverError.environment("benchmark driver \(script) is missing")
        }
        var env = ProcessInfo.processInfo.environment
        env["BENCH_RUNS"] = String(options.runs)
        if let j = options.jsonPath { env["BENCH_JSON"] = j }
        if let c = options.chartPath { env["BENCH_CHART"] = c }
        let r = try Subprocess.run([script], environment: env, capture: false, timeoutSeconds: 3600)
        return r.reason.shellStatus
    }
}
