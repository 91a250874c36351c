/* Proves: a body with a user label saves only the register locals live across
 * each suspension, not every one.  The backward goto is an edge to its label,
 * so at the first yield and at the goto's check n, total and i are saved (read
 * again after the jump; late too, since Lower takes mentions as uses, never
 * defs); at the second yield, after the last goto, only late is saved. */
#include <coro.h>
#include <stdio.h>

CORO CORO_NOPREEMPT static int co(int n) {
    int total = 0;
    int i = 0;
again:
    total += i;
    i++;
    coro_yield();
    if (i < n) goto again;
    int late = total * 2;
    coro_yield();
    printf("%d\n", late);
    return late;
}
