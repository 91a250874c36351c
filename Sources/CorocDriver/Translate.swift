// Translate: one input file -> generated source, through the frontend its
// language calls for.  The driver's other commands (run, cc, explain) all go
// through here, so language detection and option plumbing live in one place.

import Foundation
import CorocCore
import CorocC
import CorocSwift

public enum SourceLanguage: String, Sendable, CaseIterable {
    case c
    case swift

    /// .c/.coroc/.h are C; .coroswift/.swift are Swift.
    public static func detect(path: String) -> SourceLanguage? {
        switch (path as NSString).pathExtension {
        case "c", "coroc", "h": return .c
        case "coroswift", "swift": return .swift
        default: return nil
        }
    }

    /// Extension of the generated file.
    public var outputExtension: String {
        switch self {
        case .c: return "c"
        case .swift: return "swift"
        }
    }
}

public struct TranslateRequest: Sendable {
    public var input: String
    public var language: SourceLanguage?
    public var mode: TranslationMode = .stackless
    public var clangArgs: [String] = []
    public var catalogueFiles: [String] = []
    /// Swift: the module's other .coroswift files, whose coroutines this input may await.
    public var moduleFiles: [String] = []

    public init(input: String) { self.input = input }
}

public struct TranslateResult: Sendable {
    public var output: String
    public var language: SourceLanguage
    public var warnings: [Diagnostic]
    public var reports: [CoroutineReport]

    /// The output as the file to write: C keeps the input's bytes exactly
    /// (ByteText), Swift source is UTF-8.
    public var outputBytes: [UInt8] {
        language == .c ? ByteText.encode(output) : Array(output.utf8)
    }
}

public enum Translate {
    public static func run(_ req: TranslateRequest) throws -> TranslateResult {
        guard FileManager.default.fileExists(atPath: req.input) else {
            throw DriverError.usage("no such file: \(req.input)")
        }
        guard let language = req.language ?? SourceLanguage.detect(path: req.input) else {
            throw DriverError.usage("\(req.input): unknown input language (expected .c, .coroc or .coroswift; or pass --lang c|swift)")
        }
        var catalogue = IOCatalogue.builtin
        for file in req.catalogueFiles {
            guard FileManager.default.fileExists(atPath: file) else {
                throw DriverError.usage("no such catalogue file: \(file)")
            }
            do {
                catalogue = catalogue.merging(try IOCatalogue.load(path: file))
            } catch {
                throw DriverError.diagnostics(error.diagnostics)
            }
        }
        switch language {
        case .c:
            // libclang is opened only now: Swift input never needs it (exit 2 without it).
            if let missing = LibClang.loadError() { throw DriverError.environment(missing) }
            // <coro.h> must resolve for libclang even when the user passed no -I.
            var clangArgs = req.clangArgs
            if let runtime = try? RuntimeLocation.locate() { clangArgs += ["-I", runtime.includeDir] }
            let options = CTranslateOptions(mode: req.mode, catalogue: catalogue, clangArgs: clangArgs)
            do {
                let t = try CTranslator(options: options).translate(path: req.input)
                return TranslateResult(output: t.output, language: .c, warnings: t.diagnostics, reports: t.report)
            } catch {
                throw DriverError.diagnostics(error.diagnostics)
            }
        case .swift:
            let options = SwiftTranslateOptions(mode: req.mode, catalogue: catalogue, moduleFiles: req.moduleFiles)
            do {
                let t = try SwiftTranslator(options: options).translate(path: req.input)
                return TranslateResult(output: t.output, language: .swift, warnings: t.diagnostics, reports: t.report)
            } catch {
                throw DriverError.diagnostics(error.diagnostics)
            }
        }
    }
}
