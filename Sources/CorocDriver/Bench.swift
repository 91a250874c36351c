// Bench: `coroc bench` — builds bench/ (annotated C translated by this coroc,
// the C, C++ and Go peers), runs every scenario for stackless, stackful and
// the peers in one invocation with interleaved rounds, and reports:
//   stdout                 the results table and issue 7's targets (Markdown)
//   --json FILE            every sample, median, min..max, verdict (default bench.json)
//   --chart FILE.svg       the chart (default docs/bench.svg of the source tree)
//   docs/benchmarks.md     its results section, between BenchReport's markers
// The pieces: BenchPlan (what), BenchRunner (build, run), BenchReport and
// BenchChart (outputs).  Needs the coroc source tree (bench/ and Runtime/).

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
        guard options.runs >= 1 else { throw DriverError.usage("--runs must be at least 1") }
        let runtime = try RuntimeLocation.locate()
        guard let runtimeTree = runtime.sourceTree else {
            throw DriverError.environment("coroc bench needs the coroc source tree (bench/ and Runtime/); this coroc is installed without it")
        }
        let root = (runtimeTree as NSString).deletingLastPathComponent
        let benchDir = "\(root)/bench"
        guard FileManager.default.fileExists(atPath: "\(benchDir)/Makefile") else {
            throw DriverError.environment("\(benchDir)/Makefile is missing")
        }
        let coroc = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]

        let runner = BenchRunner(benchDir: benchDir, runs: options.runs)
        let buildLog = try runner.build(coroc: coroc)
        let plan = BenchPlan.standard(coroc: coroc, runtimeInclude: runtime.includeDir)
        let outcomes = runner.run(plan, buildLog: buildLog)
        let report = BenchReport(plan: plan, outcomes: outcomes, runs: options.runs, machine: .current())

        let results = report.markdown()
        FileHandle.standardOutput.write(Data(results.utf8))
        try FileIO.writeAtomically(try report.json(), to: options.jsonPath ?? "bench.json")
        let chart = options.chartPath ?? "\(root)/docs/bench.svg"
        try FileIO.writeAtomically(report.svg(), to: chart)
        let docPath = "\(root)/docs/benchmarks.md"
        let doc = (try? FileIO.read(docPath)) ?? "# Benchmarks\n"
        try FileIO.writeAtomically(BenchReport.updateDocument(doc, results: results), to: docPath)
        progress("wrote \(options.jsonPath ?? "bench.json"), \(chart), \(docPath)")
        let measured = outcomes.values.contains { !$0.samples.isEmpty }
        return measured ? 0 : 1
    }
}
