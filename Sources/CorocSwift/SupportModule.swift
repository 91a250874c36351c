// How a translated program gets CoroSwift (Sources/CoroSwift), the module
// every translated file imports, when it is built with swiftc directly
// (`coroc run`, the tests, bench/Makefile) rather than by SwiftPM (where it is
// the CoroSwift library product).
//
// Input:  the folder of CoroSwift's sources, the runtime's include folder, an
//         output folder.
// Output: the swiftc arguments that build it there as a static library
//         (libCoroSwift.a) with its module (CoroSwift.swiftmodule), and the
//         arguments a program compiled against it adds.  -O always: the typed
//         API is @inlinable, so the program specializes it for its own types,
//         but the module's own code (select, deinit) should not be slower.
import Foundation

public enum SupportModule {
    public static let name = "CoroSwift"

    /// The support module's sources in a source tree whose Runtime folder is
    /// `runtimeTree` (Runtime/ and Sources/ are siblings), sorted.
    public static func sources(besideRuntime runtimeTree: String) -> [String] {
        let folder = ((runtimeTree as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("Sources/\(name)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".swift") }.sorted().map { (folder as NSString).appendingPathComponent($0) }
    }

    /// swiftc arguments (without swiftc itself) that build the module into `output`.
    public static func buildArguments(sources: [String], includeDir: String, output: String) -> [String] {
        ["-parse-as-library", "-O", "-swift-version", "6", "-module-name", name,
         "-emit-module", "-emit-module-path", (output as NSString).appendingPathComponent("\(name).swiftmodule"),
         "-emit-library", "-static", "-o", (output as NSString).appendingPathComponent("lib\(name).a"),
         "-I", includeDir] + sources
    }

    /// What a program compiled against the module built into `output` adds.  The
    /// library is an input file, and must come before libcoro.a on the command
    /// line (it calls into the runtime; swiftc moves `-l` options after inputs).
    public static func programArguments(output: String) -> [String] {
        ["-I", output, (output as NSString).appendingPathComponent("lib\(name).a")]
    }
}
