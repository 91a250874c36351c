// The CoroSwift module for `coroc run` of Swift input: translated Swift
// imports it (Sources/CorocSwift/SupportModule.swift says why and how it is
// compiled).  In a source tree it is built into Runtime/build/CoroSwift/ and
// rebuilt when one of its sources is newer than the library (like make would
// decide for libcoro.a); an install prefix ships it in lib/CoroSwift/.
import CorocSwift
import Foundation

extension RuntimeLocation {
    /// The folder holding CoroSwift.swiftmodule and libCoroSwift.a, built if stale.
    public func supportModuleFolder() throws -> String {
        guard let tree = sourceTree else {
            return ((library as NSString).deletingLastPathComponent as NSString).appendingPathComponent(SupportModule.name)
        }
        let folder = "\(tree)/build/\(SupportModule.name)"
        let sources = SupportModule.sources(besideRuntime: tree)
        if sources.isEmpty {
            throw DriverError.environment("cannot find the CoroSwift sources beside \(tree) (Sources/CoroSwift)")
        }
        let fm = FileManager.default
        let built = (try? fm.attributesOfItem(atPath: "\(folder)/lib\(SupportModule.name).a")[.modificationDate]) as? Date
        let newest = sources.compactMap { (try? fm.attributesOfItem(atPath: $0)[.modificationDate]) as? Date }.max()
        if let built, let newest, built >= newest { return folder }
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let argv = [try Toolchain.swiftCompiler()]
            + SupportModule.buildArguments(sources: sources, includeDir: includeDir, output: folder)
        let r = try Subprocess.run(argv, timeoutSeconds: 600)
        if !r.reason.succeeded {
            throw DriverError.environment("building CoroSwift failed (\(argv.joined(separator: " "))):\n\(r.stderrText)\(r.stdoutText)")
        }
        return folder
    }
}
