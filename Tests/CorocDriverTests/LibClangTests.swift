// LibClangTests: coroc opens libclang 14 at run time (Sources/CClang/loader.c).
// COROC_LIBCLANG replaces the search, so these tests can make the load fail:
// C input must then stop with our message and exit 2, Swift input must not
// need libclang at all.

import Foundation
import Testing
@testable import CorocDriver

private func corocWithLibClang(_ path: String, _ args: [String]) throws -> ProcessResult {
    var env = ProcessInfo.processInfo.environment
    env["CORO_RUNTIME_DIR"] = repoRoot() + "/Runtime"
    env["COROC_LIBCLANG"] = path
    return try Subprocess.run([corocPath()] + args, environment: env, timeoutSeconds: 300)
}

@Test func missingLibClangIsAnEnvironmentErrorForC() throws {
    let dir = try scratchDir()
    let out = dir + "/echo.gen.c"
    let r = try corocWithLibClang("/nonexistent/libclang.so", ["translate", repoRoot() + "/Fixtures/c/echo.c", "-o", out])
    #expect(r.reason == .exited(2))
    #expect(r.stderrText == "coroc: error: libclang 14 not found; install it with: apt-get install libclang-dev\n")
    #expect(!FileManager.default.fileExists(atPath: out))
    let run = try corocWithLibClang("/nonexistent/libclang.so", ["run", repoRoot() + "/Fixtures/c/echo.c"])
    #expect(run.reason == .exited(2))
    #expect(run.stderrText.contains("libclang 14 not found"))
}

@Test func swiftInputNeedsNoLibClang() throws {
    let dir = try scratchDir()
    let out = dir + "/controlflow.swift"
    let r = try corocWithLibClang("/nonexistent/libclang.so",
                                  ["translate", repoRoot() + "/Fixtures/swift/controlflow.coroswift", "-o", out])
    #expect(r.reason == .exited(0), "\(r.stderrText)")
    #expect(FileManager.default.fileExists(atPath: out))
}

@Test func aLibraryThatIsNotLibClangIsNamed() throws {
    // libc loads, but has none of libclang's functions.
    let libc = ["/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6"]
        .first { FileManager.default.fileExists(atPath: $0) }
    guard let libc else { return }
    let r = try corocWithLibClang(libc, ["translate", repoRoot() + "/Fixtures/c/echo.c", "-o", "/dev/null"])
    #expect(r.reason == .exited(2))
    #expect(r.stderrText.hasPrefix("coroc: error: the libclang found lacks clang_"))
    #expect(r.stderrText.contains("install libclang 14 with: apt-get install libclang-dev"))
}
