// CCWrapper: `coroc cc ARGS...`, a drop-in C compiler (CC="coroc cc" make).
//
// Contract: every argument is passed to the real compiler ($CORO_CC, else cc)
// unchanged, except that
//   - each .c input that contains a CORO function is translated first and the
//     generated file (same base name, in a private temp directory, so `-c x.c`
//     still writes x.o here) is compiled in its place; #line directives keep
//     diagnostics and debug info on the original file;
//   - `-I <runtime include>` is added so <coro.h> resolves, `-iquote <dir of
//     the original>` so its quoted includes do, and on a link step
//     (no -c/-S/-E/-M/-MM) the runtime library and -lpthread are appended;
//   - dependency output (-M/-MM to stdout, -MD/-MMD/-MF files) names the
//     original source, never the temp file.
// The translation is parsed with the arguments' -I/-D/-U/-std=/-O* flags,
// so it sees the predefined macros the compile sees.
// coroc's own options: --coro-mode=stackless|stackful (default stackless).

import Foundation
import CorocCore

public enum CCWrapper {
    public static func run(arguments: [String]) throws -> Int32 {
        var args = arguments
        var mode = TranslationMode.stackless
        if let i = args.firstIndex(where: { $0.hasPrefix("--coro-mode=") }) {
            let value = String(args[i].dropFirst("--coro-mode=".count))
            guard let m = TranslationMode(rawValue: value) else {
                throw DriverError.usage("--coro-mode must be stackless or stackful, not '\(value)'")
            }
            mode = m
            args.remove(at: i)
        }
        let env = ProcessInfo.processInfo.environment
        var compiler = ["cc"]
        if let cc = env["CORO_CC"], !cc.isEmpty { compiler = cc.split(separator: " ").map(String.init) }
        guard Subprocess.which(compiler[0]) != nil else {
            throw DriverError.environment("no C compiler: '\(compiler[0])' not found (install gcc, or set CORO_CC)")
        }
        let runtime = try RuntimeLocation.locate()

        let clangArgs = translationFlags(args)
        var tempDir: String? = nil
        defer { if let d = tempDir { try? FileManager.default.removeItem(atPath: d) } }
        var renamed: [(temp: String, original: String)] = []
        for (k, arg) in args.enumerated() where isCInput(arg, previous: k > 0 ? args[k - 1] : nil) {
            guard let text = FileManager.default.contents(atPath: arg),
                  String(decoding: text, as: UTF8.self).contains("CORO") else { continue }
            var req = TranslateRequest(input: arg)
            req.language = .c
            req.mode = mode
            req.clangArgs = clangArgs + ["-I", runtime.includeDir]
            let result = try Translate.run(req)
            for w in result.warnings { FileHandle.standardError.write(Data(w.rendered().utf8)) }
            if tempDir == nil { tempDir = try FileIO.makeTempDirectory(prefix: "coroc-cc-") }
            let temp = "\(tempDir!)/\((arg as NSString).lastPathComponent)"
            try FileIO.writeAtomically(bytes: result.outputBytes, to: temp)
            args[k] = temp
            renamed.append((temp, arg))
        }

        let stopsBeforeLink = args.contains { ["-c", "-S", "-E", "-M", "-MM"].contains($0) }
        var argv = compiler + ["-I", runtime.includeDir]
        // A generated file lives in a temp directory, so `#include "x.h"` must
        // still search the original file's directory first.
        for dir in Set(renamed.map { ($0.original as NSString).deletingLastPathComponent }).sorted() {
            argv += ["-iquote", dir.isEmpty ? "." : dir]
        }
        argv += args
        if !stopsBeforeLink && !args.isEmpty {
            try runtime.ensureBuilt()
            argv += [runtime.library, "-lpthread"]
        }
        let printsDeps = args.contains("-M") || args.contains("-MM")
        let result = try Subprocess.run(argv, capture: printsDeps,
                                        stdin: FileHandle.standardInput)
        if printsDeps {
            FileHandle.standardOutput.write(Data(rewrite(result.stdoutText, renamed).utf8))
            FileHandle.standardError.write(result.stderr)
        }
        for depFile in dependencyFiles(args, renamed: renamed) {
            if let text = try? FileIO.read(depFile) {
                try FileIO.writeAtomically(rewrite(text, renamed), to: depFile)
            }
        }
        return result.reason.shellStatus
    }

    /// Flags that affect parsing (-I, -D, -U, -std, -include, -isystem, -f...), for libclang.
    static func translationFlags(_ args: [String]) -> [String] {
        var out: [String] = []
        var k = 0
        while k < args.count {
            let a = args[k]
            if ["-I", "-D", "-U", "-include", "-isystem", "-iquote"].contains(a), k + 1 < args.count {
                out += [a, args[k + 1]]; k += 2; continue
            }
            // -O* too: it sets __OPTIMIZE__ (and __OPTIMIZE_SIZE__, __NO_INLINE__),
            // so the parse must pick the same #ifdef branches as the compile.
            if a.hasPrefix("-I") || a.hasPrefix("-D") || a.hasPrefix("-U") || a.hasPrefix("-std=") || a.hasPrefix("-O") {
                out.append(a)
            }
            k += 1
        }
        return out
    }

    static func isCInput(_ arg: String, previous: String?) -> Bool {
        if let p = previous, ["-o", "-MF", "-MT", "-MQ", "-I", "-D", "-U", "-include", "-x", "-isystem", "-iquote"].contains(p) {
            return false
        }
        return arg.hasSuffix(".c") && !arg.hasPrefix("-")
    }

    /// The .d files the compiler wrote: -MF FILE, else (for -MD/-MMD) next to the object.
    static func dependencyFiles(_ args: [String], renamed: [(temp: String, original: String)]) -> [String] {
        guard args.contains("-MD") || args.contains("-MMD") else { return [] }
        if let i = args.firstIndex(of: "-MF"), i + 1 < args.count { return [args[i + 1]] }
        if let i = args.firstIndex(of: "-o"), i + 1 < args.count {
            return [(args[i + 1] as NSString).deletingPathExtension + ".d"]
        }
        return renamed.map { (($0.original as NSString).lastPathComponent as NSString).deletingPathExtension + ".d" }
    }

    static func rewrite(_ text: String, _ renamed: [(temp: String, original: String)]) -> String {
        var out = text
        for r in renamed { out = out.replacingOccurrences(of: r.temp, with: r.original) }
        return out
    }
}
