// CLITests: the coroc executable as a user meets it — exit statuses (0 ok,
// 1 diagnostics or failed check, 2 usage/environment), messages for bad input,
// no output file on error, the pass/fail table with a diff, crash reporting.

import Foundation
import Testing
@testable import CorocDriver

/// The coroc binary built next to this test bundle.
func corocPath() -> String {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var dir = bundle.deletingLastPathComponent()
    for _ in 0..<3 {
        let candidate = dir.appendingPathComponent("coroc").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return repoRoot() + "/.build/debug/coroc"
}

func repoRoot() -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
}

func coroc(_ args: [String], cwd: String? = nil) throws -> ProcessResult {
    var env = ProcessInfo.processInfo.environment
    env["CORO_RUNTIME_DIR"] = repoRoot() + "/Runtime"
    return try Subprocess.run([corocPath()] + args, environment: env, timeoutSeconds: 300)
}

func scratchDir() throws -> String { try FileIO.makeTempDirectory(prefix: "coroc-clitest-") }

@Test func missingInputIsAUsageError() throws {
    let r = try coroc(["translate", "/nonexistent/x.c"])
    #expect(r.reason == .exited(2))
    #expect(r.stderrText.contains("no such file: /nonexistent/x.c"))
}

@Test func unknownFlagIsAUsageError() throws {
    let r = try coroc(["translate", "--frobnicate", "x.c"])
    #expect(r.reason == .exited(2))
    #expect(r.stderrText.contains("--frobnicate"))
}

@Test func unknownLanguageIsNamed() throws {
    let dir = try scratchDir()
    let path = dir + "/notes.txt"
    try FileIO.writeAtomically("hello", to: path)
    let r = try coroc(["translate", path])
    #expect(r.reason == .exited(2))
    #expect(r.stderrText.contains("unknown input language"))
}

@Test func diagnosticsExitOneAndWriteNoOutput() throws {
    let dir = try scratchDir()
    let input = dir + "/vla.c"
    try FileIO.writeAtomically("""
        #include <coro.h>
        CORO static void f(int n) {
            int v[n];
            v[0] = 1;
            coro_yield();
        }
        int main(void) { return coro_main(f(3)); }

        """, to: input)
    let output = dir + "/out.c"
    let r = try coroc(["translate", input, "-o", output])
    #expect(r.reason == .exited(1))
    #expect(r.stderrText.contains("vla.c:3:"))
    #expect(r.stderrText.contains("error:"))
    #expect(!FileManager.default.fileExists(atPath: output))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".coroc-") }
    #expect(leftovers.isEmpty)
}

@Test func checkShowsADiffWhenOutputDiffers() throws {
    let dir = try scratchDir()
    try FileIO.writeAtomically("""
        #include <coro.h>
        #include <stdio.h>
        CORO static int f(void) { coro_yield(); printf("actual line\\n"); return 0; }
        int main(void) { return coro_main(f()); }

        """, to: dir + "/differs.c")
    try FileIO.writeAtomically("expected line\n", to: dir + "/differs.expected")
    let r = try coroc(["run", dir + "/differs.c", "--check"])
    #expect(r.reason == .exited(1))
    #expect(r.stdoutText.contains("FAIL"))
    #expect(r.stdoutText.contains("0 passed, 1 failed"))
    #expect(r.stderrText.contains("-expected line"))
    #expect(r.stderrText.contains("+actual line"))
}

@Test func crashingProgramReportsItsSignal() throws {
    let dir = try scratchDir()
    try FileIO.writeAtomically("""
        #include <coro.h>
        #include <stdio.h>
        CORO static int f(volatile int *p) { coro_yield(); return *p; }
        int main(void) { return coro_main(f((volatile int *)0)); }

        """, to: dir + "/crash.c")
    let r = try coroc(["run", dir + "/crash.c"])
    #expect(r.reason == .exited(128 + SIGSEGV))
    #expect(r.stderrText.contains("killed by signal 11 (SIGSEGV)"))
}

@Test func runPassesTheProgramsOutputAndStatus() throws {
    let dir = try scratchDir()
    try FileIO.writeAtomically("""
        // args: one two
        #include <coro.h>
        #include <stdio.h>
        static int argc_seen;
        CORO static int f(int n) { coro_yield(); printf("argc %d\\n", n); return 7; }
        int main(int argc, char **argv) { (void)argv; argc_seen = argc; return coro_main(f(argc)); }

        """, to: dir + "/status.c")
    let r = try coroc(["run", dir + "/status.c"])
    #expect(r.reason == .exited(7))
    #expect(r.stdoutText == "argc 3\n")
}

@Test func includeDirectoriesTakeTheJoinedFormLikeCC() throws {
    let dir = try scratchDir()
    try FileManager.default.createDirectory(atPath: dir + "/inc", withIntermediateDirectories: true)
    try FileIO.writeAtomically("#define ROUNDS 3\n", to: dir + "/inc/rounds.h")
    try FileIO.writeAtomically("""
        #include <coro.h>
        #include "rounds.h"
        CORO static int f(void) { for (int i = 0; i < ROUNDS; i++) coro_yield(); return 0; }
        int main(void) { return coro_main(f()); }

        """, to: dir + "/joined.c")
    let joined = try coroc(["translate", "-I\(dir)/inc", dir + "/joined.c", "-o", dir + "/out.c"])
    #expect(joined.reason == .exited(0), "\(joined.stderrText)")
    let missing = try coroc(["translate", dir + "/joined.c", "-o", dir + "/out2.c"])
    #expect(missing.reason == .exited(1))
    #expect(missing.stderrText.contains("'rounds.h' file not found"))
}

@Test func versionIsPrinted() throws {
    let r = try coroc(["--version"])
    #expect(r.reason == .exited(0))
    #expect(r.stdoutText == CorocVersion.string + "\n")
}

@Test func explainNamesTheCoroutinesWhenTheFunctionIsUnknown() throws {
    let dir = try scratchDir()
    try FileIO.writeAtomically("""
        #include <coro.h>
        CORO static void worker(void) { coro_yield(); }
        int main(void) { return coro_main(worker()); }

        """, to: dir + "/one.c")
    let r = try coroc(["explain", dir + "/one.c", "--function", "nope"])
    #expect(r.reason == .exited(2))
    #expect(r.stderrText.contains("no coroutine named 'nope'"))
    #expect(r.stderrText.contains("coroutines: worker"))
    let ok = try coroc(["explain", dir + "/one.c", "--dot"])
    #expect(ok.reason == .exited(0))
    #expect(ok.stdoutText.contains("digraph"))
}

@Test func ccWrapperStopsOnDiagnosticsAndPassesOtherFilesThrough() throws {
    let dir = try scratchDir()
    try FileIO.writeAtomically("""
        #include <coro.h>
        #include <setjmp.h>
        static jmp_buf env;
        CORO static void bad(void) { if (setjmp(env)) return; coro_yield(); }
        int main(void) { return coro_main(bad()); }

        """, to: dir + "/bad.c")
    let r = try coroc(["cc", "-c", dir + "/bad.c", "-o", dir + "/bad.o"])
    #expect(r.reason == .exited(1))
    #expect(r.stderrText.contains("bad.c:4:"))
    #expect(r.stderrText.contains("setjmp"))
    #expect(!FileManager.default.fileExists(atPath: dir + "/bad.o"))
    // A file without coroutines is compiled as it is, with every flag passed on.
    try FileIO.writeAtomically("int plain(int x) { return x + 1; }\n", to: dir + "/plain.c")
    let plain = try coroc(["cc", "-O1", "-Wall", "-c", dir + "/plain.c", "-o", dir + "/plain.o"])
    #expect(plain.reason == .exited(0), "\(plain.stderrText)")
    #expect(FileManager.default.fileExists(atPath: dir + "/plain.o"))
}

@Test func checkKillsAProgramThatRunsPastTheTimeout() throws {
    let dir = try scratchDir()
    try FileIO.writeAtomically("""
        #include <coro.h>
        CORO static int forever(void) { for (;;) coro_sleep_ms(100); return 0; }
        int main(void) { return coro_main(forever()); }

        """, to: dir + "/hangs.c")
    try FileIO.writeAtomically("", to: dir + "/hangs.expected")
    let r = try coroc(["run", dir + "/hangs.c", "--check", "--timeout", "2"])
    #expect(r.reason == .exited(1))
    #expect(r.stdoutText.contains("0 passed, 1 failed"))
    #expect(r.stderrText.contains("program timed out after 2 s"))
}

// ---- coroc run papercuts (issue 15) ----

/// A program whose output (and, with `differ`, exit status) depends on the
/// mode: stackful output starts with `#define CORO_STACKFUL_ERRNO`.
func modeProgram(differ: Bool) -> String {
    """
    #include <coro.h>
    #include <stdio.h>
    CORO static int f(int n) { coro_yield(); printf("n %d\\n", n); return 0; }
    int main(void) {
        int r = coro_main(f(3));
    #if defined(CORO_STACKFUL_ERRNO) && \(differ ? 1 : 0)
        printf("stackful only\\n");
        return 4;
    #endif
        return r;
    }

    """
}

@Test func bothModesWithoutExpectedAreComparedWithEachOther() throws {
    let dir = try scratchDir()
    try FileIO.writeAtomically(modeProgram(differ: false), to: dir + "/same.c")
    let r = try coroc(["run", dir + "/same.c", "--mode", "both"])
    #expect(r.reason == .exited(0), "\(r.stderrText)")
    #expect(!r.stderrText.contains("missing"))
    #expect(r.stdoutText.contains("2 passed, 0 failed"))
}

@Test func bothModesThatDifferFailWithTheDiffAndTheStatuses() throws {
    let dir = try scratchDir()
    try FileIO.writeAtomically(modeProgram(differ: true), to: dir + "/differ.c")
    let r = try coroc(["run", dir + "/differ.c", "--mode", "both"])
    #expect(r.reason == .exited(1))
    #expect(r.stderrText.contains("output differs from stackless"))
    #expect(r.stderrText.contains("+stackful only"))
    #expect(r.stderrText.contains("exit differs: stackless exited with status 0, stackful exited with status 4"))
    #expect(r.stdoutText.contains("1 passed, 1 failed"))
}

@Test func argumentsAfterTheTerminatorGoToTheProgramAndXccToTheCompiler() throws {
    let dir = try scratchDir()
    try FileIO.writeAtomically("""
        // args: first
        #include <coro.h>
        #include <stdio.h>
        #ifndef N
        #define N 0   /* translation does not see -Xcc flags; the compiler does */
        #endif
        CORO static int f(int n) { coro_yield(); return n; }
        int main(int argc, char **argv) {
            for (int i = 1; i < argc; i++) printf("[%s]", argv[i]);
            printf(" N=%d\\n", N);
            return coro_main(f(0));
        }

        """, to: dir + "/args.c")
    let r = try coroc(["run", dir + "/args.c", "-Xcc", "-DN=5", "--", "a b", "-c", "--mode"])
    #expect(r.reason == .exited(0), "\(r.stderrText)")
    #expect(r.stdoutText == "[first][a b][-c][--mode] N=5\n")
}

@Test func modeHelpShowsTheModeNameAsTheDefault() throws {
    for command in ["run", "explain"] {
        let r = try coroc([command, "--help"])
        #expect(r.reason == .exited(0))
        #expect(r.stdoutText.contains("default: stackless)"), "\(command): \(r.stdoutText)")
        #expect(!r.stdoutText.contains("ModeOption") && !r.stdoutText.contains("TranslationMode"))
    }
}

/// Starts `coroc run` on a program that prints its pid and hangs, sends `sig`
/// to coroc, and returns coroc's status, the program's pid, and whether
/// coroc's stdout reached end of file (it cannot while the program lives).
func signalHangingRun(_ sig: Int32) throws -> (status: Int32, pid: pid_t, eof: Bool) {
    let dir = try scratchDir()
    try FileIO.writeAtomically("""
        #include <coro.h>
        #include <stdio.h>
        #include <unistd.h>
        CORO static int f(int n) { coro_yield(); return n; }
        int main(void) {
            coro_main(f(0));
            printf("%d\\n", (int)getpid());
            fflush(stdout);
            for (;;) sleep(100);
        }

        """, to: dir + "/hang.c")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: corocPath())
    p.arguments = ["run", dir + "/hang.c"]
    var env = ProcessInfo.processInfo.environment
    env["CORO_RUNTIME_DIR"] = repoRoot() + "/Runtime"
    p.environment = env
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
        let chunk = out.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        line.append(chunk)
    }
    let pid = pid_t(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    kill(p.processIdentifier, sig)
    // Should the program survive, kill it after a while so the test fails instead of hanging.
    let survived = TestFlag(), finished = TestFlag()
    if pid > 0 {
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) {
            // `finished` keeps a later, unrelated process with a reused pid safe.
            if !finished.isSet && kill(pid, 0) == 0 { survived.set(); kill(pid, SIGKILL) }
        }
    }
    _ = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    finished.set()
    return (p.terminationStatus, pid, !survived.isSet)
}

final class TestFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false  // guarded by lock
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

@Test func runForwardsSIGTERMAndLeavesNoProgramBehind() throws {
    let r = try signalHangingRun(SIGTERM)
    #expect(r.pid > 0)
    #expect(r.eof, "the program outlived coroc and held its stdout")
    #expect(r.status == 128 + SIGTERM)
}

@Test func runForwardsSIGINTToTheProgram() throws {
    let r = try signalHangingRun(SIGINT)
    #expect(r.pid > 0)
    #expect(r.eof, "the program outlived coroc and held its stdout")
    #expect(r.status == 128 + SIGINT)
}

/// `coroc run` (which compiles with -O2) and `coroc cc -O2` parse with the
/// compile's predefined macros: the translated coroutine is the one in the
/// `#ifdef __OPTIMIZE__` branch the compiler keeps. Once the other branch was
/// translated and the output did not build.
@Test func translationSeesTheCompilesOptimizeMacro() throws {
    let dir = try scratchDir()
    try FileIO.writeAtomically("""
        #include <coro.h>
        #include <stdio.h>
        #ifdef __OPTIMIZE__
        CORO static int f(int n) { coro_yield(); printf("optimized %d\\n", n); return 0; }
        #else
        CORO static int g(int n) { coro_yield(); printf("plain %d\\n", n); return 0; }
        #define f g
        #endif
        int main(void) { return coro_main(f(1)); }

        """, to: dir + "/opt.c")
    let run = try coroc(["run", dir + "/opt.c"])
    #expect(run.reason == .exited(0), "\(run.stderrText)")
    #expect(run.stdoutText == "optimized 1\n")
    let cc = try coroc(["cc", "-O2", dir + "/opt.c", "-o", dir + "/opt"])
    #expect(cc.reason == .exited(0), "\(cc.stderrText)")
    let exe = try Subprocess.run([dir + "/opt"], capture: true)
    #expect(exe.stdoutText == "optimized 1\n")
    let plain = try coroc(["cc", "-O0", dir + "/opt.c", "-o", dir + "/plain"])
    #expect(plain.reason == .exited(0), "\(plain.stderrText)")
    #expect(try Subprocess.run([dir + "/plain"], capture: true).stdoutText == "plain 1\n")
}

/// `coroc run` of Swift input builds the CoroSwift module the output imports
/// (Runtime/build/CoroSwift) and links it; `coroc translate --module-file`
/// lets a file await a coroutine of another file of the module.
@Test func swiftRunUsesTheTypedAPIAndTranslateSeesModuleFiles() throws {
    let dir = try scratchDir()
    try FileIO.writeAtomically("""
        import CoroSwift
        @coroutine func feed(_ out: Channel<String>) {
            out.send("typed")
            out.close()
        }
        @coroutine func main() {
            let ch = Channel<String>()
            go { feed(ch) }
            while let text = ch.receive() { print(text) }
        }
        coro_main(main())

        """, to: dir + "/typed.coroswift")
    let run = try coroc(["run", dir + "/typed.coroswift"])
    #expect(run.reason == .exited(0), "\(run.stderrText)")
    #expect(run.stdoutText == "typed\n")

    try FileIO.writeAtomically("@coroutine func helper() -> Int {\n    coro_yield()\n    return 5\n}\n", to: dir + "/b.coroswift")
    try FileIO.writeAtomically("@coroutine func user() -> Int {\n    return helper() + 1\n}\n", to: dir + "/a.coroswift")
    let alone = try coroc(["translate", dir + "/a.coroswift", "-o", dir + "/a.swift"])
    #expect(alone.reason == .exited(0))
    #expect(!((try? FileIO.read(dir + "/a.swift")) ?? "").contains("helper_Frame"))
    let together = try coroc(["translate", dir + "/a.coroswift", "--module-file", dir + "/b.coroswift", "-o", dir + "/a.swift"])
    #expect(together.reason == .exited(0), "\(together.stderrText)")
    #expect(((try? FileIO.read(dir + "/a.swift")) ?? "").contains("helper_Frame("))
}

/// `coroc translate a.coroswift b.coroswift -o DIR` translates the files of one
/// module together: each sees the others' coroutines; DIR/a.swift, DIR/b.swift.
/// Several inputs without a directory are a usage error, and nothing is written
/// when one of them has a diagnostic.
@Test func severalSwiftInputsTranslateTogetherIntoADirectory() throws {
    let dir = try scratchDir()
    try FileIO.writeAtomically("@coroutine func helper() -> Int {\n    coro_yield()\n    return 5\n}\n", to: dir + "/b.coroswift")
    try FileIO.writeAtomically("@coroutine func user() -> Int {\n    return helper() + 1\n}\n", to: dir + "/a.coroswift")
    try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
    let r = try coroc(["translate", dir + "/a.coroswift", dir + "/b.coroswift", "-o", dir + "/out"])
    #expect(r.reason == .exited(0), "\(r.stderrText)")
    #expect(((try? FileIO.read(dir + "/out/a.swift")) ?? "").contains("helper_Frame("))
    #expect(((try? FileIO.read(dir + "/out/b.swift")) ?? "").contains("final class helper_Frame"))
    let noDirectory = try coroc(["translate", dir + "/a.coroswift", dir + "/b.coroswift"])
    #expect(noDirectory.reason == .exited(2))
    #expect(noDirectory.stderrText.contains("several inputs need -o DIRECTORY"))
    try FileIO.writeAtomically("@coroutine func broken() async {}\n", to: dir + "/c.coroswift")
    try FileManager.default.createDirectory(atPath: dir + "/out2", withIntermediateDirectories: true)
    let failed = try coroc(["translate", dir + "/a.coroswift", dir + "/c.coroswift", "-o", dir + "/out2"])
    #expect(failed.reason == .exited(1))
    #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir + "/out2")) ?? ["?"]).isEmpty)
}
