// What both translators take and give back, defined once.
public struct TranslateOptions: Sendable {
    public var mode: TranslationMode
    public var catalogue: IOCatalogue
    /// Other input files of the same module (Swift): their coroutines can be
    /// awaited and spawned from the file being translated.
    public var moduleFiles: [String]

    public init(mode: TranslationMode = .stackless, catalogue: IOCatalogue = .builtin, moduleFiles: [String] = []) {
        self.mode = mode
        self.catalogue = catalogue
        self.moduleFiles = moduleFiles
    }
}

/// One translated file.
public struct Translation: Sendable {
    public var output: String
    /// Warnings (errors are thrown).
    public var diagnostics: [Diagnostic]
    public var report: [CoroutineReport]

    public init(output: String, diagnostics: [Diagnostic], report: [CoroutineReport]) {
        self.output = output
        self.diagnostics = diagnostics
        self.report = report
    }
}
