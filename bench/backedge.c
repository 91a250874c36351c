/*
 * backedge.c — cost of the back-edge checks: the same compute loops in two
 * coroutines, one plain CORO (a coro_preempt_pending() check before every
 * back-edge) and one CORO CORO_NOPREEMPT (no checks).  They run alternately
 * in one process, on one worker, several rounds; the best round of each
 * counts, so a noisy neighbour does not decide the result.
 *
 * The loops: a serial hash chain (latency-bound: the check hides in spare
 * issue slots) and an array sum (throughput-bound, vectorizable without the
 * check: the worst case for an inserted branch).
 *
 * Prints "RESULT loop_checked_ms", "RESULT loop_unchecked_ms" and
 * "RESULT backedge_overhead_pct".  Usage: backedge [array length]
 */
#include <coro.h>
#include <stdint.h>
#include "bench_util.h"

enum { ROUNDS = 5, PASSES = 20 };

CORO static uint64_t work_checked(const uint32_t *a, long n) {
    uint64_t h = 1469598103934665603ULL, sum = 0;
    for (int p = 0; p < PASSES; p++) {
        for (long i = 0; i < n; i++) h = (h ^ a[i]) * 1099511628211ULL;
        for (long i = 0; i < n; i++) sum += a[i];
    }
    return h ^ sum;
}

CORO CORO_NOPREEMPT static uint64_t work_unchecked(const uint32_t *a, long n) {
    uint64_t h = 1469598103934665603ULL, sum = 0;
    for (int p = 0; p < PASSES; p++) {
        for (long i = 0; i < n; i++) h = (h ^ a[i]) * 1099511628211ULL;
        for (long i = 0; i < n; i++) sum += a[i];
    }
    return h ^ sum;
}

CORO static int run(long n) {
    uint32_t *a = malloc((size_t)n * sizeof *a);
    if (!a) return 1;
    for (long i = 0; i < n; i++) a[i] = (uint32_t)(i * 2654435761u);
    double best_checked = 1e30, best_unchecked = 1e30;
    uint64_t r1 = 0, r2 = 0;
    for (int round = 0; round < ROUNDS; round++) {
        double t0 = bench_now_ns();
        r1 = work_checked(a, n);
        double t1 = bench_now_ns();
        r2 = work_unchecked(a, n);
        double t2 = bench_now_ns();
        if (t1 - t0 < best_checked) best_checked = t1 - t0;
        if (t2 - t1 < best_unchecked) best_unchecked = t2 - t1;
    }
    free(a);
    if (r1 != r2) { fprintf(stderr, "backedge: results differ\n"); return 1; }
    bench_result("loop_checked_ms", best_checked / 1e6);
    bench_result("loop_unchecked_ms", best_unchecked / 1e6);
    bench_result("backedge_overhead_pct", (best_checked / best_unchecked - 1.0) * 100.0);
    return 0;
}

int main(int argc, char **argv) {
    long n = bench_arg(argc, argv, 1, 1 << 20);
    return coro_main(run(n));
}
