// Loops stay natural loops (Lower's contract): the translated program has as
// many innermost loops as the original.  An irreducible cycle is no loop to
// LLVM: its loop vectorizer says nothing about it, while it remarks once on
// every natural innermost loop it looks at ("vectorized loop", "loop not
// vectorized", or "vectorization is not beneficial").  Unrolling is off so
// that each source loop is one loop.  The remarks' lines are no help: the
// translated loops all report one location, so this counts.
import CorocC
import CorocCore
import Foundation
import Testing

private struct LoopCount { var loops = 0, vectorized = 0 }

/// What clang's loop vectorizer says about the loops of `file` at -O2.
private func vectorizerLoops(_ file: String, includes: String) throws -> LoopCount {
    let result = try runProcess(["clang", "-std=gnu17", "-O2", "-fno-unroll-loops", "-fno-inline-functions", "-c", "-o", "/dev/null",
                                 "-I", Paths.runtimeInclude, "-I", includes, "-Wno-attributes",
                                 "-Rpass=loop-vectorize", "-Rpass-missed=loop-vectorize", "-x", "c", file])
    #expect(result.status == 0, "\(result.stderr)")
    var count = LoopCount()
    for line in result.stderr.split(separator: "\n") {
        if line.contains("remark: vectorized loop (") {
            count.loops += 1
            count.vectorized += 1
        } else if line.contains("remark: loop not vectorized [") || line.contains("vectorization is not beneficial [") {
            count.loops += 1
        }
    }
    return count
}

/// Inputs, with how many of their innermost loops hold a suspend point: the
/// resume label of a suspend is inside its loop (the dispatch is flat), so
/// such a loop is entered from the side and is no natural loop.
private let inputs: [(String, suspendingLoops: Int)] = [
    ("Tests/CorocCTests/Inputs/golden/loop_shapes.c", 0),
    ("bench/straight.c", 1),   // run()'s `round` loop awaits the kernels
    ("bench/backedge.c", 1),   // run()'s `round` loop awaits the kernels
]

@Test(arguments: inputs)
func everyInnermostLoopStaysALoop(_ name: String, suspendingLoops: Int) throws {
    _ = try innermostLoops(name, suspendingLoops: suspendingLoops)
}

/// backedge.c's checked loops are counted loops (`i < n`, i++): both modes
/// strip-mine them, and the strips vectorize as the original does (3 loops
/// with clang 21; each translation vectorized 1 before strips).
@Test func stripMinedLoopsVectorizeLikeTheOriginal() throws {
    let (original, translated) = try innermostLoops("bench/backedge.c", suspendingLoops: 1)
    #expect(original.vectorized > 1)
    for mode in TranslationMode.allCases {
        #expect(translated[mode]!.vectorized >= original.vectorized, "\(mode) vectorizes \(translated[mode]!.vectorized) loops")
    }
}

/// The original's and each translation's loops, checking that the
/// translation (both modes) has every innermost loop.
private func innermostLoops(_ name: String, suspendingLoops: Int) throws -> (LoopCount, [TranslationMode: LoopCount]) {
    let path = Paths.repo.appendingPathComponent(name).path
    let includes = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let original = try vectorizerLoops(path, includes: includes)
    #expect(original.loops > suspendingLoops)
    var translations: [TranslationMode: LoopCount] = [:]
    for mode in TranslationMode.allCases {
        let translated = try translate(path, mode: mode).output
        let loops = try vectorizerLoops(temporaryFile(suffix: ".c", contents: translated), includes: includes)
        translations[mode] = loops
        // Stackful output keeps every loop as written.
        let expected = original.loops - (mode == .stackful ? 0 : suspendingLoops)
        #expect(loops.loops >= expected, "\(mode): \(loops.loops) innermost loops, expected \(expected)")
    }
    return (original, translations)
}

/// A short nest (ShortLoops.nestTrips) gets no check of its own, so GCC
/// vectorizes its outer loop as in the original: straight.c's matrix
/// product computes two columns of `c` at once in its `j` loop (with a check
/// in `j`, only the `k` loop's in-order reduction was vectorized, 25% more
/// instructions).  Every loop GCC vectorizes in the original matmul_kernel
/// is vectorized in both translations (`#line` keeps the line numbers).
@Test func shortNestsVectorizeLikeTheOriginal() throws {
    let path = Paths.repo.appendingPathComponent("bench/straight.c").path
    let text = readFile(path)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let first = lines.firstIndex(where: { $0.contains("matmul_kernel(int reps)") }),
          let last = lines[first...].firstIndex(where: { $0.hasPrefix("}") }) else {
        Issue.record("bench/straight.c has no matmul_kernel"); return
    }
    func vectorizedLines(_ file: String) throws -> Set<Int> {
        let result = try runProcess(["gcc", "-std=gnu17", "-O2", "-fno-inline", "-D_GNU_SOURCE", "-I", Paths.runtimeInclude,
                                     "-I", Paths.repo.appendingPathComponent("bench").path, "-Wno-attributes",
                                     "-fopt-info-vec-optimized", "-c", "-o", "/dev/null", "-x", "c", file])
        #expect(result.status == 0, "\(result.stderr)")
        var found: Set<Int> = []
        for line in result.stderr.split(separator: "\n") where line.contains("optimized: loop vectorized") {
            // "straight.c:38:31: optimized: loop vectorized using 16 byte vectors"
            let fields = line.split(separator: ":")
            if fields.count > 2, let n = Int(fields[1]), n > first, n <= last + 1 { found.insert(n) }
        }
        return found
    }
    let original = try vectorizedLines(path)
    #expect(original.count >= 2, "GCC vectorizes \(original.sorted()) in the original matmul_kernel")
    for mode in TranslationMode.allCases {
        let translated = try vectorizedLines(temporaryFile(suffix: ".c", contents: try translate(path, mode: mode).output))
        #expect(translated.isSuperset(of: original), "\(mode): vectorized lines \(translated.sorted()), original \(original.sorted())")
    }
}
