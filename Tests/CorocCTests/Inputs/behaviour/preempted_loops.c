/* Proves that resuming at a back-edge check re-enters the loop through its
 * header with nothing lost or repeated: while, for (with continue and break),
 * do-while (with continue), nested loops, strip-mined counted loops and
 * loops with side effects in their condition and increment, each long enough
 * to be preempted many times with a 20 us time slice (set before the scheduler starts; the untranslated
 * program ignores it).  Compared with the untranslated program. */
#include <coro.h>
#include <stdio.h>
#include <stdlib.h>

CORO static unsigned long shapes(long n) {
    unsigned long h = 14695981039346656037ul;
    long i = 0, calls = 0;
    while (i < n) { h = (h ^ (unsigned long)i) * 1099511628211ul; i++; }
    for (long j = 0; j < n; j++) {
        if (j % 3 == 0) continue;
        if (j == n - 7) break;
        h += (unsigned long)j * 31u;
    }
    long k = n;
    do {
        k--;
        if (k % 5 == 0) continue;
        h ^= (unsigned long)k << 3;
    } while (k > 0);
    for (int p = 0; p < 40; p++)
        for (long q = 0; q < n / 40; q++) h = h * 33u + (unsigned long)(p ^ q);
    /* strip-mined (ShortLoops.strip): continue inside, a negative start,
     * an unsigned counter whose strips end next to UINT_MAX */
    for (long s = -5000000; s < n; s++) { if (s & 1) continue; h += (unsigned long)s; }
    unsigned top = 4294967295u;
    for (unsigned u = top - 2000000; u < top; u++) h ^= u;
    long m = 0;
    for (long c = 0; (calls++, c < n); c += (m++ & 1) + 1) h += (unsigned long)c;
    /* checked every iteration: a side effect in the condition and a
     * break, no condition at all, a step down by 3 */
    long w = 0, z = 0;
    while (w++ < n) { if (w == n / 2 + 3) break; z += w & 3; }
    for (long y = 0;; y++) { if (y > n / 3) break; z ^= y; }
    for (long y = n; y > 0; y -= 3) z += y & 7;
    printf("i=%ld k=%ld m=%ld calls=%ld w=%ld z=%ld\n", i, k, m, calls, w, z);
    return h;
}

CORO static int run(void) {
    unsigned long h = shapes(3000000);
    printf("h=%lu\n", h);
    return 0;
}

int main(void) {
    setenv("CORO_TIMESLICE_US", "20", 1);
    return coro_main(run());
}
