/* Proves that register locals read again after a backward goto keep their
 * values across suspend points (liveness follows the goto edge to its label),
 * including a label inside a statement with no suspend point, a label on the
 * line of the statement before it, and a goto into an if block. */
#include <coro.h>
#include <stdio.h>

CORO static int val(int x) { coro_yield(); return x; }

CORO static int run(int limit) {
    int k = 0, sum = 0;
    { again: k++; }
    sum += val(k);
    if (k < limit) goto again;
    int j = 0; top: j += 2;
    coro_yield();
    if (j < 6) goto top;
    int a = 1, b = 2;
    if (a) { inner: a += b; }
    coro_yield();
    if (a < 9) goto inner;
    printf("k=%d sum=%d j=%d a=%d b=%d\n", k, sum, j, a, b);
    return sum;
}

int main(void) {
    coro_main(run(3));
    return 0;
}
