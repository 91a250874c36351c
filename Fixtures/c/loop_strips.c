/* loop_strips: the loop shapes StripLoops runs in strips (one back-edge
 * check per strip of iterations) next to look-alikes that must keep a check
 * per iteration, each printing a checksum of its iterations, so the
 * translation in both modes must reproduce the untranslated program's
 * output (loop_strips.expected is that output).
 *   strips: <= and >= bounds, steps of 2, -3, a variable and a variable of
 *     the wrong sign, bounds next to INT_MAX / INT_MIN / LONG_MAX where a
 *     naive strip end V + 1024 * step overflows, distances near 2^32,
 *     unsigned `!=` loops that wrap, continue inside, a side-effect-free
 *     extra term (`&& a[i] != 77`), `E > V` written the other way round, a
 *     bound expression, the insertion sort's `while (j >= 0 && v[j] > x)`;
 *   per iteration: break inside, a condition with side effects, a body that
 *     changes the bound, a down step under an up bound (unsigned wrap), a
 *     while with continue, do-while, goto out of the loop.
 * Then preemption inside strips: with a 20 us time slice, a coroutine spawned
 * before a long strip-mined loop (for, variable step, while, an unsigned
 * counter wrapping past its bound) must run while
 * the loop runs (one worker: only a check in the loop lets it).  The
 * untranslated program runs the spawned call first, so it prints the same. */
#include <coro.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long mix(unsigned long h, long x) { return (h ^ (unsigned long)x) * 1099511628211ul; }

CORO static unsigned long strips(int n, long step, long back) {
    unsigned long h = 14695981039346656037ul;
    long count = 0;
    for (long i = 3; i <= 5000; i += 2) h = (h ^ (unsigned long)i) * 1099511628211ul;
    for (int i = n; i >= 0; i -= 3) h = (h ^ (unsigned)i) * 31u;
    for (long j = 7; j <= 100000; j += step) { h += (unsigned long)j; count++; }
    for (long j = 5; j < 10 && j > -20; j += back) { h ^= (unsigned long)j; count++; }   /* back < 0: strips of 1 */
    for (int i = INT_MAX - 7 * 3000; i <= INT_MAX - 7; i += 7) h += (unsigned)i;
    for (int i = INT_MAX - 5000; i <= INT_MAX - 1; i++) h ^= (unsigned)i;
    for (int i = INT_MIN + 3 * 5000; i > INT_MIN; i -= 3) h += (unsigned)i;
    for (int i = INT_MIN; i < INT_MAX - (1 << 20); i += 1 << 20) { h = h * 7 + (unsigned)i; count++; }
    for (long i = LONG_MAX - 100000; i < LONG_MAX; i++) h ^= (unsigned long)i;
    for (long i = LONG_MIN + 5000; i >= LONG_MIN + 1; i--) h += (unsigned long)i;
    for (unsigned u = UINT_MAX - 1000; u != 1000; u++) { h += u; count++; }   /* wraps through 0 */
    for (unsigned u = 3000; u != UINT_MAX - 3000; u--) { h ^= u; count++; }    /* wraps down through 0 */
    for (unsigned u = 0; u <= 4000000000u; u += 1000000) h += u;
    for (unsigned long u = 0; u < 50000; u++) { if (u % 3 == 0) continue; h += u; }
    int a[4000];
    for (int i = 0; i < 4000; i++) a[i] = (i * 37) % 101;
    int i;
    for (i = 0; i < 4000 && a[i] != 77; i++) h += (unsigned)a[i];
    h += (unsigned)i;
    for (i = 0; 3000 > i; i++) h ^= (unsigned)a[i] << (i & 7);
    for (i = 10; i < n - 5; i++) h += (unsigned)i;
    long k = 2500;
    while (k > 0) { h = h * 3 + (unsigned long)k; k -= 2; }
    h += (unsigned long)k;
    /* the insertion sort of bench/straight.c */
    int *v = malloc(3000 * sizeof *v);
    unsigned seed = 7;
    for (i = 0; i < 3000; i++) { seed = seed * 1103515245u + 12345u; v[i] = (int)(seed >> 8); }
    for (i = 1; i < 3000; i++) {
        int x = v[i], j = i - 1;
        while (j >= 0 && v[j] > x) { v[j + 1] = v[j]; j--; }
        v[j + 1] = x;
    }
    for (i = 0; i < 3000; i += 97) h = mix(h, v[i]);
    free(v);
    printf("strips h=%lu count=%ld\n", h, count);
    return h;
}

CORO static unsigned long per_iteration(int n) {
    unsigned long h = 1;
    long calls = 0, w = 0, z = 0;
    for (int i = 0; i < n; i++) { if (i == n / 2) break; h += (unsigned)i; }
    for (int i = 0; (calls++, i < n); i++) h ^= (unsigned)i;
    while (w++ < n) z += w & 3;
    int m = n;
    for (int i = 0; i < m; i++) { if (i % 100 == 0) m--; h += (unsigned)i; }
    unsigned u;
    for (u = 5; u < 10; u--) h = h * 5 + u;   /* runs 5, 4, ..., 0, then wraps past 10 */
    long k = 3000;
    while (k > 0) { k--; if (k % 7 == 0) continue; h += (unsigned long)k; }
    long d = 0;
    do { h = h * 9 + (unsigned long)d; d += 3; } while (d < 5000);
    long g;
    for (g = 0; g < n; g++) { if (g == 4321) goto out; h += (unsigned long)g; }
out:
    printf("per_iteration h=%lu calls=%ld w=%ld z=%ld m=%d u=%u k=%ld d=%ld g=%ld\n", h, calls, w, z, m, u, k, d, g);
    return h;
}

static volatile int ran;

CORO static void mark(void) { ran = 1; }

/* Each phase: `mark` was spawned before the loop; on one worker it runs only
 * when the loop is preempted, so `ran` is set by the loop's end. */
CORO static void preempted(long n, long step, unsigned lo) {
    unsigned long h = 0;
    ran = 0;
    coro_go(mark());
    for (long i = 0; i < n; i++) h = (h ^ (unsigned long)i) * 1099511628211ul;
    printf("for: mark ran during the loop: %s\n", ran ? "yes" : "no");
    ran = 0;
    coro_go(mark());
    for (long i = 0; i < n * step; i += step) h = (h ^ (unsigned long)i) * 1099511628211ul;
    printf("variable step: mark ran during the loop: %s\n", ran ? "yes" : "no");
    ran = 0;
    coro_go(mark());
    long j = n;
    while (j > 0) { h = (h ^ (unsigned long)j) * 1099511628211ul; j--; }
    printf("while: mark ran during the loop: %s\n", ran ? "yes" : "no");
    /* an unsigned counter that wraps past its bound: `u >= lo` always holds
     * (lo is 0), the other term ends the loop; strips must still end */
    ran = 0;
    coro_go(mark());
    long c = 0;
    for (unsigned u = 5; u >= lo && c < n; u--) { h = (h ^ u) * 1099511628211ul; c++; }
    printf("unsigned wrap: mark ran during the loop: %s\n", ran ? "yes" : "no");
    printf("preempted h=%lu\n", h);
}

CORO static int run(int argc) {
    strips(10000 + argc, 3 + argc, -argc);
    per_iteration(20000 + argc);
    preempted(20000000L + argc, 2 + argc, (unsigned)argc - 1);
    return 0;
}

int main(int argc, char **argv) {
    (void)argv;
    setenv("CORO_TIMESLICE_US", "20", 1);
    return coro_main(run(argc));
}
