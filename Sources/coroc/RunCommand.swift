import ArgumentParser
import CorocCore
import CorocDriver
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Translate, compile, link and run programs; with several files or --check, compare with NAME.expected.",
        discussion: """
            One file: prints only what the program prints and exits with its status. \
            Several files, --check, or several modes/thread counts: runs the matrix, compares each stdout \
            with NAME.expected and prints a pass/fail table (exit 1 if any failed). \
            `--mode both` on a file without NAME.expected compares the two modes with each other. \
            Arguments after `--` go to the program (after those of a `// args: ...` line at the top of the file). \
            Extra compiler flags go through `-Xcc FLAG`. \
            `--trace` records the scheduler's events (CORO_TRACE), prints each mode's summary (to stderr \
            for one plain run, after the table otherwise) and draws the modes' timelines into one SVG \
            (--trace-svg, default NAME.trace.svg), with each mode's NAME.MODE.trace.json beside it (docs/trace.md).
            """
    )

    @Argument(help: "Programs to run (.c, .coroc, .coroswift).")
    var files: [String]

    @Option(help: "stackless, stackful or both.")
    var mode: ModeOption = ModeOption(argument: "stackless")!

    @Option(help: ArgumentHelp("Worker threads (CORO_THREADS); a comma list runs each.", valueName: "n[,n...]"))
    var threads: String?

    @Flag(help: "Compare stdout with NAME.expected even for one file.")
    var check = false

    @Option(help: "Kill a program that runs longer than this many seconds (checks only).")
    var timeout: Double = 120

    @OptionGroup var common: CommonTranslateOptions

    @Option(name: .customLong("Xcc", withSingleDash: true), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Pass a flag to the C (or Swift) compiler.", valueName: "flag"))
    var compilerFlags: [String] = []

    @Flag(help: "Trace the run: print each mode's summary, draw the timelines (--trace-svg), keep NAME.MODE.trace.json beside.")
    var trace = false

    @Option(name: .customLong("trace-svg"), help: ArgumentHelp("Where --trace draws the timelines (default: NAME.trace.svg).", valueName: "file.svg"))
    var traceSVG: String?

    /// Arguments for the program: what follows `--` on the command line (split
    /// off before parsing, since ArgumentParser allows one positional array).
    var programArguments: [String] { Coroc.postTerminatorArguments }

    var baseName: String { ((files[0] as NSString).lastPathComponent as NSString).deletingPathExtension }

    /// The picture: --trace-svg, or NAME.trace.svg in the current directory.
    var svgPath: String { traceSVG ?? FileManager.default.currentDirectoryPath + "/\(baseName).trace.svg" }

    /// Each mode's trace goes beside the picture.
    func tracePath(mode: TranslationMode) -> String {
        let dir = (svgPath as NSString).deletingLastPathComponent
        return (dir.isEmpty ? "." : dir) + "/\(baseName).\(mode.rawValue).trace.json"
    }

    /// After a --trace run: each mode's summary, one SVG with every mode.
    /// Single plain runs leave stdout to the program, so it goes to stderr.
    func reportTraces(_ options: RunOptions) {
        let plain = mode.modes.count == 1 && !check
        var inputs: [(title: String, path: String)] = []
        for m in mode.modes {
            let path = options.tracePaths[m]!
            if FileManager.default.fileExists(atPath: path) {
                inputs.append(("\(m.rawValue): \(files[0])", path))
            } else {
                FileHandle.standardError.write(Data("coroc: warning: the \(m.rawValue) run wrote no trace (\(path))\n".utf8))
            }
        }
        guard !inputs.isEmpty else { return }
        let svg = svgPath
        do {
            let r = try TraceReport.run(inputs, svgPath: svg, check: false)
            let out = "\n" + r.text + "trace: \((inputs.map(\.path) + [svg]).joined(separator: ", "))\n"
            (plain ? FileHandle.standardError : FileHandle.standardOutput).write(Data(out.utf8))
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
        }
    }

    func threadCounts() throws -> [Int?] {
        guard let threads else { return [nil] }
        return try threads.split(separator: ",").map { part -> Int? in
            guard let n = Int(part), n >= 1, n <= 1024 else {
                throw ValidationError("--threads takes positive numbers, not '\(part)'")
            }
            return n
        }
    }

    func run() throws {
        let counts = try threadCounts()
        try Coroc.guarded {
            for f in files where !FileManager.default.fileExists(atPath: f) {
                throw DriverError.usage("no such file: \(f)")
            }
            let runtime = try RuntimeLocation.locate()
            try runtime.ensureBuilt()
            var options = RunOptions()
            options.clangArgs = common.clangArgs
            options.catalogueFiles = common.catalogues
            options.compilerFlags = compilerFlags
            if trace || traceSVG != nil {
                guard trace else { throw DriverError.usage("--trace-svg needs --trace") }
                guard files.count == 1, counts.count == 1 else {
                    throw DriverError.usage("--trace takes one program and one --threads count")
                }
                for m in mode.modes { options.tracePaths[m] = tracePath(mode: m) }
            }
            defer { if trace { reportTraces(options) } }
            let matrix = files.count > 1 || check || mode.modes.count > 1 || counts.count > 1
            if !matrix {
                options.mode = mode.modes[0]
                let program = try Runner.build(files[0], options: options, runtime: runtime)
                defer { Runner.cleanUp(program) }
                for w in program.warnings { FileHandle.standardError.write(Data(w.rendered().utf8)) }
                let r = try Runner.execute(program, threads: counts[0], capture: false,
                                           extraArguments: programArguments)
                if case .signaled = r.reason {
                    FileHandle.standardError.write(Data("coroc: \(files[0]): program \(r.reason.description)\n".utf8))
                }
                return r.reason.shellStatus
            }
            let outcomes = FixtureCheck.run(files: files, modes: mode.modes, threads: counts, options: options,
                                            runtime: runtime, timeoutSeconds: timeout,
                                            extraArguments: programArguments) { o in
                if !o.passed {
                    let t = o.testCase
                    FileHandle.standardError.write(Data("FAIL \(t.path) [\(t.mode.rawValue), threads \(t.threads.map(String.init) ?? "default")]\n\(o.detail)\n\n".utf8))
                }
            }
            FileHandle.standardOutput.write(Data(FixtureCheck.table(outcomes).utf8))
            return outcomes.allSatisfy(\.passed) ? 0 : 1
        }
    }
}

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run the benchmark suite: stackless, stackful and peers side by side (takes minutes)."
    )

    @Option(help: ArgumentHelp("Write the results as JSON.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write an SVG chart.", valueName: "file.svg"))
    var chart: String?

    @Option(help: "Interleaved runs per variant.")
    var runs: Int = 5

    func run() throws {
        try Coroc.guarded {
            try Bench.run(BenchOptions(jsonPath: json, chartPath: chart, runs: runs))
        }
    }
}
