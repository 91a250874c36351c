/* Proves that loops stay natural loops: each back-edge check is the first
 * statement of its iteration and its resume label sits before the loop
 * statement (`S1:; for (;; i++) { if (coro_preempt_pending()) ...`), for
 * while, for (with continue) and do-while; NaturalLoopTests compiles this
 * with clang -O2 and checks that every innermost loop is still a loop. */
#include <coro.h>

CORO long shapes(const int *a, long n) {
    long sum = 0, i = 0;
    while (i < n) { sum += a[i]; i++; }
    for (long j = 0; j < n; j++) {
        if (a[j] < 0) continue;
        sum += 3 * a[j];
    }
    long k = n;
    do { sum ^= k; } while (--k > 0);
    for (int p = 0; p < 4; p++)
        for (long q = 0; q < n; q++) sum += a[q] * p;
    return sum;
}
