// CorocPlugin: SwiftPM build-tool plugin.
//
// Input: a target's `*.coroswift` files (annotated Swift; SwiftPM lists them
// as resources of unknown type) and `*.coroc` files (annotated C, found by
// scanning the target's directory, since C targets don't list unknown files).
// Output: one generated source per input in the plugin work directory —
// NAME.swift for Swift, NAME.c for C — which SwiftPM compiles into the target.
// A Swift target must depend on the CoroSwift library product (a C target on
// CoroRuntime).  (For C, the
// client manifest needs the experimentalCGen feature; see NOTES.md.)

import Foundation
import PackagePlugin

@main
struct CorocPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let source = target as? SourceModuleTarget else { return [] }
        let tool = try context.tool(named: "coroc")
        var inputs: [URL] = source.sourceFiles
            .map(\.url)
            .filter { $0.pathExtension == "coroswift" || $0.pathExtension == "coroc" }
        if source is ClangSourceModuleTarget || inputs.isEmpty {
            inputs += scan(directory: target.directoryURL, ext: "coroc")
        }
        var seen = Set<String>()
        inputs = inputs.filter { seen.insert($0.path).inserted }.sorted { $0.path < $1.path }
        // The target's .coroswift files are translated together: each sees the
        // others' coroutines (--module-file), so it can await them, and is
        // retranslated when one of them changes.
        let swiftInputs = inputs.filter { $0.pathExtension == "coroswift" }
        return inputs.map { input in
            let base = input.deletingPathExtension().lastPathComponent
            let isSwift = input.pathExtension == "coroswift"
            let ext = isSwift ? "swift" : "c"
            let output = context.pluginWorkDirectoryURL.appendingPathComponent("\(base).\(ext)")
            let others = isSwift ? swiftInputs.filter { $0 != input } : []
            return .buildCommand(
                displayName: "coroc translate \(input.lastPathComponent)",
                executable: tool.url,
                arguments: ["translate", input.path, "-o", output.path, "--lang", isSwift ? "swift" : "c"]
                    + others.flatMap { ["--module-file", $0.path] },
                inputFiles: [input] + others,
                outputFiles: [output]
            )
        }
    }

    private func scan(directory: URL, ext: String) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == ext }
    }
}
