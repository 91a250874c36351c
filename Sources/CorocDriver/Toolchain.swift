// Toolchain: where the C compiler, swiftc and the runtime are, and how to
// compile a translated program against the runtime.
//
// The runtime is found, in order: $CORO_RUNTIME_DIR (a Runtime/ source tree or
// an install prefix), the source tree this coroc was built from
// (<exe>/../../../Runtime for .build/<config>/coroc), or an install prefix
// (<exe>/../lib/libcoro.a, <exe>/../include/coro.h).  In a source tree the
// static library is (re)built with `make -C Runtime` when it is missing.

import Foundation

public struct RuntimeLocation: Sendable {
    public var includeDir: String
    public var library: String          // libcoro.a
    public var sourceTree: String?      // Runtime/ when built from source

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RuntimeLocation {
        var candidates: [String] = []
        if let dir = environment["CORO_RUNTIME_DIR"] { candidates.append(dir) }
        let exe = executableURL()
        let exeDir = exe.deletingLastPathComponent()
        // .build/<triple>/debug/coroc and .build/debug/coroc
        for up in 2...4 {
            var url = exeDir
            for _ in 0..<up { url = url.deletingLastPathComponent() }
            candidates.append(url.appendingPathComponent("Runtime").path)
        }
        candidates.append(exeDir.deletingLastPathComponent().path)  // install prefix
        for dir in candidates {
            let fm = FileManager.default
            if fm.fileExists(atPath: "\(dir)/include/coro.h") && fm.fileExists(atPath: "\(dir)/Makefile")
                && fm.fileExists(atPath: "\(dir)/src") {
                return RuntimeLocation(includeDir: "\(dir)/include", library: "\(dir)/build/libcoro.a", sourceTree: dir)
            }
            if fm.fileExists(atPath: "\(dir)/include/coro.h") && fm.fileExists(atPath: "\(dir)/lib/libcoro.a") {
                return RuntimeLocation(includeDir: "\(dir)/include", library: "\(dir)/lib/libcoro.a", sourceTree: nil)
            }
        }
        throw DriverError.environment("cannot find the coroc runtime (coro.h, libcoro.a); set CORO_RUNTIME_DIR to its install prefix")
    }

    /// This process's executable: argv[0] is just "coroc" when found through PATH.
    static func executableURL() -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    }

    /// Builds libcoro.a from the source tree if needed (make decides what is stale).
    public func ensureBuilt() throws {
        guard let tree = sourceTree else { return }
        let r = try Subprocess.run(["make", "-s", "-C", tree, "build/libcoro.a"], timeoutSeconds: 600)
        if !r.reason.succeeded {
            throw DriverError.environment("building the runtime failed (make -C \(tree) build/libcoro.a):\n\(r.stderrText)\(r.stdoutText)")
        }
    }
}

public enum Toolchain {
    /// The C compiler: $CC or cc.
    public static func cCompiler(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [String] {
        let cc = environment["CC"].flatMap { $0.isEmpty ? nil : $0 } ?? "cc"
        let argv = cc.split(separator: " ").map(String.init)
        guard Subprocess.which(argv[0]) != nil else {
            throw DriverError.environment("no C compiler: '\(argv[0])' not found (install gcc: apt-get install gcc, or set CC)")
        }
        return argv
    }

    public static func swiftCompiler() throws -> String {
        guard let path = Subprocess.which("swiftc") else {
            throw DriverError.environment("swiftc not found in PATH (install the Swift toolchain from swift.org)")
        }
        return path
    }
}
