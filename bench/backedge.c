/*
 * backedge.c — cost of the back-edge checks: the same compute loops in
 * coroutines that are plain CORO (a coro_preempt_pending() check before every
 * back-edge) and CORO CORO_NOPREEMPT (no checks).  They run alternately in one
 * process, on one worker, several rounds; the best round of each counts, so a
 * noisy neighbour does not decide the result.
 *
 * Two loop shapes, reported apart and together:
 *   hash  a serial FNV-1a chain: latency-bound, the check's load and branch
 *         fit in spare issue slots
 *   sum   an array sum: throughput-bound, vectorized by the compiler only
 *         when no check sits in the loop — the worst case for a check
 *
 * Prints "RESULT backedge_hash_pct", "RESULT backedge_sum_pct" and
 * "RESULT backedge_overhead_pct" (both loops: checked / unchecked - 1, in %).
 * Usage: backedge [array length]
 */
#include <coro.h>
#include <stdint.h>
#include "bench_util.h"

enum { ROUNDS = 5, PASSES = 20 };

CORO static uint64_t hash_checked(const uint32_t *a, long n) {
    uint64_t h = 1469598103934665603ULL;
    for (int p = 0; p < PASSES; p++)
        for (long i = 0; i < n; i++) h = (h ^ a[i]) * 1099511628211ULL;
    return h;
}

CORO CORO_NOPREEMPT static uint64_t hash_unchecked(const uint32_t *a, long n) {
    uint64_t h = 1469598103934665603ULL;
    for (int p = 0; p < PASSES; p++)
        for (long i = 0; i < n; i++) h = (h ^ a[i]) * 1099511628211ULL;
    return h;
}

CORO static uint64_t sum_checked(const uint32_t *a, long n) {
    uint64_t sum = 0;
    for (int p = 0; p < PASSES; p++)
        for (long i = 0; i < n; i++) sum += a[i];
    return sum;
}

CORO CORO_NOPREEMPT static uint64_t sum_unchecked(const uint32_t *a, long n) {
    uint64_t sum = 0;
    for (int p = 0; p < PASSES; p++)
        for (long i = 0; i < n; i++) sum += a[i];
    return sum;
}

static void keep_best(double *best, double t0, double t1) {
    if (t1 - t0 < *best) *best = t1 - t0;
}

CORO static int run(long n) {
    uint32_t *a = malloc((size_t)n * sizeof *a);
    if (!a) return 1;
    for (long i = 0; i < n; i++) a[i] = (uint32_t)(i * 2654435761u);
    double hc = 1e30, hu = 1e30, sc = 1e30, su = 1e30;
    int same = 1;
    for (int round = 0; round < ROUNDS; round++) {
        double t0 = bench_now_ns();
        uint64_t h1 = hash_checked(a, n);
        double t1 = bench_now_ns();
        uint64_t h2 = hash_unchecked(a, n);
        double t2 = bench_now_ns();
        uint64_t s1 = sum_checked(a, n);
        double t3 = bench_now_ns();
        uint64_t s2 = sum_unchecked(a, n);
        double t4 = bench_now_ns();
        keep_best(&hc, t0, t1);
        keep_best(&hu, t1, t2);
        keep_best(&sc, t2, t3);
        keep_best(&su, t3, t4);
        same = same && h1 == h2 && s1 == s2;
    }
    free(a);
    if (!same) { fprintf(stderr, "backedge: checked and unchecked results differ\n"); return 1; }
    bench_result("backedge_hash_pct", (hc / hu - 1.0) * 100.0);
    bench_result("backedge_sum_pct", (sc / su - 1.0) * 100.0);
    bench_result("backedge_overhead_pct", ((hc + sc) / (hu + su) - 1.0) * 100.0);
    return 0;
}

int main(int argc, char **argv) {
    long n = bench_arg(argc, argv, 1, 1 << 20);
    return coro_main(run(n));
}
