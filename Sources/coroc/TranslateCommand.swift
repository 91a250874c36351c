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

    @Argument(help: "The annotated input (.c, .coroc or .coroswift).")
    var input: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Output file (default: stdout).", valueName: "file"))
    var output: String?

    @Option(help: "stackless (state machines) or stackful (own stacks).")
    var mode: TranslationMode = .stackless

    @Option(name: .customLong("module-file"),
            help: ArgumentHelp("Swift: another .coroswift file of the same module, whose coroutines the input may await (repeatable; the build plugin passes the target's others).", valueName: "file"))
    var moduleFiles: [String] = []

    @OptionGroup var common: CommonTranslateOptions

    func run() throws {
        try Coroc.guarded {
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
