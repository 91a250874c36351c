import ArgumentParser
import CorocCore
import CorocDriver
import Foundation

struct TranslateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Rewrite annotated functions into state machines (or stackful form).",
        discussion: "Writes the generated source to -o FILE (atomically: on error no file is written) or to stdout."
    )

    @Argument(help: "The annotated input (.c, .coroc or .coroswift); several .coroswift files of one module are translated together (-o names a directory then).")
    var inputs: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("Output file (default: stdout); with several inputs, the directory for NAME.swift.", valueName: "file"))
    var output: String?

    @Option(help: "stackless (state machines) or stackful (own stacks).")
    var mode: TranslationMode = .stackless

    @Option(name: .customLong("module-file"),
            help: ArgumentHelp("Swift: another .coroswift file of the same module, whose coroutines the input may await (repeatable; the build plugin passes the target's others).", valueName: "file"))
    var moduleFiles: [String] = []

    @OptionGroup var common: CommonTranslateOptions

    func run() throws {
        try Coroc.guarded {
            guard let input = inputs.first else { throw DriverError.usage("translate: no input file") }
            if inputs.count > 1 { return try translateModule() }
            var req = TranslateRequest(input: input)
            req.language = try common.languageValue()
            req.mode = mode
            req.moduleFiles = moduleFiles
            req.clangArgs = common.clangArgs
            req.catalogueFiles = common.catalogues
            let result = try Translate.run(req)
            for w in result.warnings { FileHandle.standardError.write(Data(w.rendered().utf8)) }
            if let output {
                try FileIO.writeAtomically(bytes: result.outputBytes, to: output)
            } else {
                FileHandle.standardOutput.write(Data(result.outputBytes))
            }
            return 0
        }
    }
}

extension TranslateCommand {
    /// `coroc translate a.coroswift b.coroswift -o DIR`: each input translated with
    /// the others as module files (what the build plugin does), into DIR/NAME.swift.
    /// Nothing is written unless every input translates.
    func translateModule() throws -> Int32 {
        guard let output else { throw DriverError.usage("translate: several inputs need -o DIRECTORY") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DriverError.usage("translate: several inputs need -o DIRECTORY; '\(output)' is not a directory")
        }
        var results: [(path: String, bytes: [UInt8])] = []
        var failures: [DriverError] = []
        for input in inputs {
            guard (input as NSString).pathExtension == "coroswift" else {
                throw DriverError.usage("translate: several inputs are .coroswift files of one module; '\(input)' is not")
            }
            var req = TranslateRequest(input: input)
            req.language = .swift
            req.mode = mode
            req.moduleFiles = inputs.filter { $0 != input } + moduleFiles
            req.catalogueFiles = common.catalogues
            do {
                let result = try Translate.run(req)
                for w in result.warnings { FileHandle.standardError.write(Data(w.rendered().utf8)) }
                let base = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
                results.append(((output as NSString).appendingPathComponent(base + ".swift"), result.outputBytes))
            } catch let error as DriverError {
                failures.append(error)
            }
        }
        if let first = failures.first {
            for error in failures.dropFirst() {
                FileHandle.standardError.write(Data((error.description.hasSuffix("\n") ? error.description : error.description + "\n").utf8))
            }
            throw first
        }
        for result in results { try FileIO.writeAtomically(bytes: result.bytes, to: result.path) }
        return 0
    }
}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show each coroutine's states, suspend points and frame layout (or its state graph as DOT)."
    )

    @Argument(help: "The annotated input (.c, .coroc or .coroswift).")
    var input: String

    @Option(help: ArgumentHelp("Only this coroutine.", valueName: "name"))
    var function: String?

    @Flag(help: "Print the state graph in Graphviz DOT instead of text.")
    var dot = false

    @Option(help: "stackless or stackful.")
    var mode: TranslationMode = .stackless

    @OptionGroup var common: CommonTranslateOptions

    func run() throws {
        try Coroc.guarded {
            var req = TranslateRequest(input: input)
            req.language = try common.languageValue()
            req.mode = mode
            req.clangArgs = common.clangArgs
            req.catalogueFiles = common.catalogues
            let result = try Translate.run(req)
            if let function, !result.reports.contains(where: { $0.name == function }) {
                let names = result.reports.map(\.name).joined(separator: ", ")
                throw DriverError.usage("no coroutine named '\(function)' in \(input) (coroutines: \(names.isEmpty ? "none" : names))")
            }
            FileHandle.standardOutput.write(Data(renderExplain(result.reports, function: function, dot: dot).utf8))
            return 0
        }
    }
}

struct CCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cc",
        abstract: "A C compiler wrapper: translates annotated .c inputs on the fly and links the runtime.",
        discussion: """
            Use as CC="coroc cc". Every argument goes to the real compiler ($CORO_CC, else cc); \
            .c inputs containing CORO functions are translated first. \
            --coro-mode=stackful selects stackful translation.
            """
    )

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the C compiler.")
    var arguments: [String] = []

    func run() throws {
        try Coroc.guarded { try CCWrapper.run(arguments: arguments) }
    }
}
